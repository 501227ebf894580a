import { expect } from 'chai';
import { startTestApi, type TestApi } from '../helpers/http-api.js';
import { seeder } from '../helpers/seed.js';
import { SLOTS_SQL } from '../../src/adapters/mysql/report-store.js';

describe('Q2: campaign report by interval (REST)', function () {
  this.timeout(60_000);
  let api: TestApi;
  let campaignId: number;

  before(async () => {
    api = await startTestApi('reports');
    const db = api.tdb.db;
    const seed = seeder(db);
    campaignId = await seed.campaign({ calendar_id: await seed.calendar({ timezone: 'Europe/Kyiv' }) });
    const [m] = await seed.members(campaignId, 1);
    const at = (iso: string, o: Record<string, unknown>) => ({ campaign_id: campaignId, member_id: m, communication_id: 1, number: '100',
      state: 'done', created_at: new Date(iso), ...o });
    const answered = (iso: string, talk: number, outcome: string) => at(iso, {
      agent_answered_at: new Date(Date.parse(iso) + 2000), answered_at: new Date(Date.parse(iso) + 5000),
      ended_at: new Date(Date.parse(iso) + 5000 + talk * 1000), talk_sec: talk, outcome });
    // Europe/Kyiv, 2026-10-25: 04:00 EEST becomes 03:00 EET at 01:00 UTC; wall 03:30 happens twice.
    await db('attempts').insert([
      answered('2026-10-25T00:30:00Z', 60, 'success'), // 03:30 EEST
      answered('2026-10-25T01:30:00Z', 20, 'retry'), // 03:30 EET
      at('2026-10-25T01:40:00Z', { ended_at: new Date('2026-10-25T01:40:30Z'), talk_sec: 0, outcome: 'retry', hangup_cause: 'NO_ANSWER' }),
      at('2026-10-25T01:50:00Z', { state: 'talking' }), // still on the line
      at('2026-10-24T20:59:00Z', { outcome: 'error' }), // 23:59 the day before, local
    ]);
  });
  after(async () => { await api?.close(); });

  it('Q2, K2: hour buckets in the calendar\'s zone keep the repeated hour of a fall-back apart', async () => {
    const r = await api.call('GET', `/api/v2/dialer/${campaignId}/reports?interval=hour&from=2026-10-25T00:00:00Z&to=2026-10-25T02:00:00Z`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.timezone).to.equal('Europe/Kyiv');
    expect(r.body.buckets.map((b: any) => [b.local, b.start, b.attempts])).to.deep.equal([
      ['2026-10-25T03:00+03:00', '2026-10-25T00:00:00.000Z', 1],
      ['2026-10-25T03:00+02:00', '2026-10-25T01:00:00.000Z', 3],
    ]);
    const second = r.body.buckets[1];
    expect(second).to.deep.include({ answered: 1, successful: 0, contact_rate: 0.3333, success_rate: 0, avg_talk_sec: 20, avg_handle_sec: 23 });
    expect(second.outcomes).to.deep.equal({ retry: 2, live: 1 });
    expect(r.body.totals).to.deep.include({ attempts: 4, answered: 2, successful: 1, success_rate: 0.25, avg_talk_sec: 40 });
  });

  it('Q2, K2: the day of the change is one 25-hour bucket, by local date', async () => {
    const r = await api.call('GET', `/api/v2/dialer/${campaignId}/reports?interval=day&from=2026-10-23T21:00:00Z&to=2026-10-25T22:00:00Z`);
    expect(r.status).to.equal(200);
    expect(r.body.buckets.map((b: any) => [b.local, b.start, b.attempts])).to.deep.equal([
      ['2026-10-24', '2026-10-23T21:00:00.000Z', 1],
      ['2026-10-25', '2026-10-24T21:00:00.000Z', 4],
    ]);
  });

  it('Q2, P4: every outcome keeps its own class, an unknown one is other; abandoned and talk count only answered calls (report_class, migration 018)', async () => {
    const db = api.tdb.db;
    const seed = seeder(db);
    const c = await seed.campaign({ calendar_id: await seed.calendar({ timezone: 'UTC' }) });
    const [m] = await seed.members(c, 1);
    const outcomes = ['success', 'retry', 'error', 'minus', 'waiting_result', 'agent_failed', 'expired', 'skipped', 'surprise', null];
    const base = { campaign_id: c, member_id: m, communication_id: 1, number: '100', state: 'done', created_at: new Date('2026-11-03T10:00:00Z') };
    await db('attempts').insert(outcomes.map((outcome) => ({ ...base, outcome })));
    const answered = { ...base, answered_at: new Date('2026-11-03T10:00:05Z'), outcome: 'retry' };
    await db('attempts').insert([
      { ...answered, hangup_cause: 'ABANDONED', talk_sec: 0 },
      { ...answered, hangup_cause: 'NORMAL_CLEARING', talk_sec: 10 },
      { ...base, hangup_cause: 'ABANDONED', talk_sec: 7, outcome: 'retry' }, // not answered: neither abandoned nor talk
    ]);
    const r = await api.call('GET', `/api/v2/dialer/${c}/reports?interval=hour&from=2026-11-03T10:00:00Z&to=2026-11-03T11:00:00Z`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.totals.outcomes).to.deep.equal({ success: 1, retry: 4, error: 1, minus: 1, waiting_result: 1, agent_failed: 1,
      expired: 1, skipped: 1, other: 1, live: 1 });
    expect(r.body.totals).to.deep.include({ attempts: 13, answered: 2, abandoned: 1, successful: 1, avg_talk_sec: 5 });
  });

  it('Q2, P4: the report reads attempts_report alone (report_class, migration 018), no row of the table', async () => {
    const [[plan]] = await api.tdb.db.raw(`EXPLAIN ${SLOTS_SQL.replace('FROM attempts', 'FROM attempts FORCE INDEX (attempts_report)')}`,
      [campaignId, new Date('2026-10-24T00:00:00Z'), new Date('2026-10-26T00:00:00Z')]);
    expect(plan.key).to.equal('attempts_report');
    expect(plan.Extra).to.contain('Using index');
    const r = await api.call('GET', `/api/v2/dialer/${campaignId}/reports?interval=day&from=2026-10-23T21:00:00Z&to=2026-10-25T22:00:00Z`);
    expect(r.body.totals).to.deep.include({ abandoned: 0, abandon_rate: 0 });
    expect(r.body.abandon_cap).to.equal(null);
  });

  it('S1: reports are for staff: not the api or agent roles', async () => {
    const q = `/api/v2/dialer/${campaignId}/reports?interval=day&from=2026-10-24T21:00:00Z&to=2026-10-25T22:00:00Z`;
    expect((await api.call('GET', q, undefined, await api.loginAs('api'))).status).to.equal(403);
    expect((await api.call('GET', q, undefined, await api.loginAs('agent'))).status).to.equal(403);
    expect((await api.call('GET', q, undefined, await api.loginAs('operator'))).status).to.equal(200);
  });
});
