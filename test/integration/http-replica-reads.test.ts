import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { parse } from 'csv-parse/sync';
import { openDatabase, parseDbUrl } from '../../src/adapters/mysql/database.js';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { seeder } from '../helpers/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

/**
 * DESIGN §1a: reports and exports read the replica when one is configured. The "replica" here is
 * another database, read by a user that may only SELECT there, and holding an attempt the
 * primary does not have: what the API answers shows where it read.
 */
describe('DESIGN §1a: read-heavy routes on a replica (DIALER_DB_REPLICA_URL)', function () {
  this.timeout(60_000);
  let replica: TestDatabase;
  let reader: Knex;
  let api: TestApi;
  let plain: TestApi;
  const user = `dialer_ro_${randomBytes(3).toString('hex')}`;
  let campaignId: number;

  before(async () => {
    replica = await createTestDatabase('replica_r');
    const { database } = parseDbUrl(replica.url);
    await replica.db.raw(`CREATE USER '${user}'@'%' IDENTIFIED BY 'reader-pw'`);
    await replica.db.raw(`GRANT SELECT ON \`${database}\`.* TO '${user}'@'%'`);
    const u = new URL(replica.url);
    u.username = user;
    u.password = 'reader-pw';
    reader = openDatabase(u.toString(), 2);
    api = await startTestApi('replica_p', { readDb: reader });
    plain = await startTestApi('replica_none');
    // The same campaign (id and name) everywhere; attempts only on the replica.
    campaignId = await seeder(api.tdb.db).campaign();
    expect(await seeder(plain.tdb.db).campaign()).to.equal(campaignId);
    const seed = seeder(replica.db);
    expect(await seed.campaign()).to.equal(campaignId);
    const [memberId] = await seed.members(campaignId, 1);
    const at = new Date('2026-12-01T09:00:00Z');
    await replica.db('attempts').insert({ campaign_id: campaignId, member_id: memberId, communication_id: 1, number: '0501112233', state: 'done',
      created_at: at, ended_at: new Date(at.getTime() + 30_000), hangup_cause: 'NO_ANSWER', talk_sec: 0, outcome: 'retry' });
  });
  after(async () => {
    await api?.close();
    await plain?.close();
    await reader?.destroy();
    await replica?.db.raw(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => undefined);
    await replica?.drop();
  });

  const exported = async (t: TestApi) => {
    const res = await fetch(`${t.url}/api/v2/dialer/${campaignId}/attempts/export`, { headers: { 'x-key': t.admin.key, 'x-access-token': t.admin.token } });
    expect(res.status).to.equal(200);
    return parse(await res.text(), { columns: true }) as Array<Record<string, string>>;
  };

  it('Q1: the attempt export reads the replica, with a read-only user', async () => {
    expect((await exported(api)).map((r) => r.number)).to.deep.equal(['0501112233']);
  });

  it('Q2: the campaign report counts the replica\'s attempts', async () => {
    const q = `/api/v2/dialer/${campaignId}/reports?from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z&interval=day`;
    const withReplica = await api.call('GET', q);
    const without = await plain.call('GET', q);
    expect(withReplica.status, JSON.stringify(withReplica.body)).to.equal(200);
    expect(JSON.stringify(withReplica.body)).to.not.equal(JSON.stringify(without.body));
  });

  it('without a replica, the primary is read', async () => {
    expect(await exported(plain)).to.deep.equal([]);
  });
});
