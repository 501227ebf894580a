import { expect } from 'chai';
import { MysqlPredictiveStore } from '../../src/adapters/mysql/predictive-store.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';
import { seeder } from '../helpers/seed.js';

describe('predictive store (MySQL): what the switch records are checked against, the campaigns asking for AMD (P3, S3)', function () {
  this.timeout(30_000);
  let tdb: TestDatabase;
  let seed: ReturnType<typeof seeder>;
  before(async () => {
    tdb = await createTestDatabase('predictive_store');
    seed = seeder(tdb.db);
  });
  after(async () => { await tdb?.drop(); });

  it('S3: an attempt\'s subscriber leg uuid, null for none or no attempt; P3: the running predictive campaigns with amd on', async () => {
    const asking = await seed.campaign();
    const stopped = await seed.campaign({ state: 'stopped' });
    const off = await seed.campaign();
    await tdb.db('campaigns').whereIn('id', [asking, stopped, off]).update({ type: 'predictive', info_message: 'dialer/abandon-info.wav', amd: true });
    await tdb.db('campaigns').where('id', off).update({ amd: false });
    const store = new MysqlPredictiveStore(tdb.db);
    expect(await store.campaignsAskingAmd()).to.deep.equal([asking]);
    const [m] = await seed.members(asking, 1);
    const comm = await tdb.db('communications').where('member_id', m!).first('id', 'number');
    const [id] = await tdb.db('attempts').insert({ campaign_id: asking, member_id: m, communication_id: comm.id, number: comm.number, state: 'done',
      member_uuid: '00000000-0000-4000-8000-000000000001', created_at: new Date() });
    expect(await store.memberUuidOf(id!)).to.equal('00000000-0000-4000-8000-000000000001');
    expect(await store.memberUuidOf(id! + 1000)).to.equal(null);
  });
});
