// S4: taking over an orphaned attempt is one conditional update: one process wins, and a lease
// renewed (or taken) since the attempt was read makes the stale takeover fail.
import { claimBest } from '../helpers/claim-best.js';
import { expect } from 'chai';
import { MysqlCallStore } from '../../src/adapters/mysql/call-store.js';
import { MysqlDispatchStore } from '../../src/adapters/mysql/claim-store.js';
import { seeder } from '../helpers/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

describe('call store: taking an orphaned attempt over (S4)', () => {
  let t: TestDatabase;
  let calls: MysqlCallStore;
  let seed: ReturnType<typeof seeder>;
  before(async () => { t = await createTestDatabase('takeover'); calls = new MysqlCallStore(t.db); seed = seeder(t.db); });
  after(async () => { await t?.drop(); });

  async function orphanOf(instanceId: string): Promise<number> {
    const c = await seed.campaign({ call_limit: 5 });
    await seed.agents(1, [c]);
    await seed.members(c, 1);
    const r = await claimBest(new MysqlDispatchStore(t.db), { now: new Date(), instanceId, leaseUntil: new Date(Date.now() - 1_000),
      upNodes: ['fs1'], campaigns: [{ id: c, lineGroupId: null, calendarZoneOpen: true, openZones: [] }], excludeAgentIds: [] });
    if (r.kind !== 'claimed') throw new Error(`no claim: ${r.kind}`);
    return r.attempt.attemptId;
  }

  it('S4: of two processes taking over the same expired attempt at once, exactly one wins and owns it', async () => {
    const id = await orphanOf('dead-1');
    const [o] = (await calls.orphanedAttempts('peer-a', new Date())).filter((x) => x.id === id);
    expect(o).to.deep.include({ id, instanceId: 'dead-1', state: 'reserved' });
    const until = new Date(Date.now() + 30_000);
    const won = await Promise.all([calls.takeOver(o!, 'peer-a', until), calls.takeOver(o!, 'peer-b', until)]);
    expect(won.filter(Boolean)).to.have.length(1);
    const row = await t.db('attempts').where('id', id).first('instance_id');
    expect(row.instance_id).to.equal(won[0] ? 'peer-a' : 'peer-b');
    expect((await calls.orphanedAttempts('peer-c', new Date())).map((x) => x.id), 'no longer an orphan').to.not.include(id);
  });

  it('S4: a lease renewed since the attempt was read makes the takeover fail', async () => {
    const id = await orphanOf('dead-2');
    const [o] = (await calls.orphanedAttempts('peer-a', new Date())).filter((x) => x.id === id);
    await calls.renewLeases('dead-2', new Date(Date.now() + 30_000));
    expect(await calls.takeOver(o!, 'peer-a', new Date(Date.now() + 30_000))).to.equal(false);
    expect((await t.db('attempts').where('id', id).first('instance_id')).instance_id).to.equal('dead-2');
  });
});
