import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { startStack, until, type Stack } from '../helpers/stack.js';
import { LiveBoardStore } from '../../src/adapters/mysql/live-board-store.js';
import { addMembers, allDone, createAgents, createCampaign, number, run } from '../helpers/e2e-fixtures.js';

/*
 * Q1, Q2 against attempts the engine wrote while dialling the simulator: the report's counts and
 * the export's rows add up with GET /stats and with each other.
 */
describe('engine end to end: reports and export of real attempts (Q1, Q2)', function () {
  this.timeout(90_000);
  let s: Stack;
  before(async () => { s = await startStack('reports'); });
  after(async () => { await s?.close(); });

  it('Q2: the day\'s report of a finished campaign adds up with /stats and with the export (Q1)', async () => {
    const from = new Date();
    const c = await createCampaign(s, { min_success_sec: 1, max_tries: 2, retry_wait_sec: 1 }, { timezone: 'Europe/Kyiv' });
    await createAgents(s, 2, [c]);
    const scripts = [
      { outcome: 'answer', afterMs: 20, talkMs: 1300 }, // success
      { outcome: 'answer', afterMs: 20, talkMs: 1300 },
      { outcome: 'answer', afterMs: 20, talkMs: 200 }, // answered, too short: two attempts
      { outcome: 'busy', afterMs: 20 }, // two attempts
    ] as const;
    const members = scripts.map((script, i) => {
      const n = number();
      s.sim.setSubscriber(n, script);
      return { name: `m${i}`, communications: [{ number: n }] };
    });
    await addMembers(s, c, members);
    await run(s, c);
    const st = await allDone(s, c, 60_000);
    const to = new Date(Date.now() + 60_000);

    const r = await s.call('GET', `/api/v2/dialer/${c}/reports?interval=day&from=${from.toISOString()}&to=${to.toISOString()}`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.timezone).to.equal('Europe/Kyiv');
    const t = r.body.totals;
    expect(t.attempts).to.equal(st.attempts);
    expect(t.attempts).to.equal(6);
    expect(t.answered).to.equal(4);
    expect(t.successful).to.equal(2);
    expect(t.outcomes).to.deep.equal({ success: 2, retry: 4 });
    expect(t.contact_rate).to.equal(Number((4 / 6).toFixed(4)));
    expect(t.avg_talk_sec).to.be.a('number');
    expect(t.avg_handle_sec).to.be.a('number');
    // Successful attempts are the members that ended in success.
    expect(t.successful).to.equal(st.results.NORMAL_CLEARING);
    const sum = (k: string) => r.body.buckets.reduce((n: number, b: Record<string, number>) => n + b[k]!, 0);
    expect(sum('attempts')).to.equal(t.attempts);
    expect(sum('successful')).to.equal(t.successful);

    const hours = await s.call('GET', `/api/v2/dialer/${c}/reports?interval=15min&from=${from.toISOString()}&to=${to.toISOString()}`);
    expect(hours.body.buckets.reduce((n: number, b: { attempts: number }) => n + b.attempts, 0)).to.equal(t.attempts);

    const csv = await s.call('GET', `/api/v2/dialer/${c}/attempts/export`);
    expect(csv.status).to.equal(200);
    const rows = parse(csv.body as string, { columns: true }) as Array<Record<string, string>>;
    expect(rows).to.have.length(t.attempts);
    expect(rows.filter((x) => x.outcome === 'success')).to.have.length(t.successful);
    expect(rows.filter((x) => x.answered_at !== '')).to.have.length(t.answered);
    for (const x of rows) {
      expect(x.agent, 'the agent who took the call').to.match(/^agent /);
      expect(Date.parse(x.ended_at!)).to.be.at.least(Date.parse(x.created_at!));
      expect(x.cause).to.not.equal('');
    }
  });

  it('Q2, P4: a predictive campaign\'s report counts its ABANDONED attempts as the live board does, against its cap; Q1 exports their message instant', async () => {
    const from = new Date();
    const c = await createCampaign(s, { type: 'predictive', info_message: 'dialer/abandon-info.wav', min_success_sec: 1, max_tries: 1 },
      { timezone: 'Europe/Kyiv' });
    await createAgents(s, 1, [c]);
    // this agent's phone drops its nailed-up leg while the first subscribers ring: one of them has nobody
    await createAgents(s, 1, [c], {}, { afterMs: 20, hangupAfterMs: 600 });
    const members = Array.from({ length: 4 }, (_, i) => {
      const n = number();
      s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 1_500, talkMs: 1_300 });
      return { name: `p${i}`, communications: [{ number: n }] };
    });
    await addMembers(s, c, members);
    await run(s, c);
    await allDone(s, c, 60_000);
    await until('every attempt settled', async () =>
      Number((await s.tdb.db('attempts').where('campaign_id', c).whereNot('state', 'done').count({ n: '*' }).first())?.n) === 0 || null, 30_000);
    const to = new Date(Date.now() + 60_000);

    const db = await s.tdb.db('attempts').where('campaign_id', c)
      .first(s.tdb.db.raw("SUM(hangup_cause = 'ABANDONED') AS abandoned"), s.tdb.db.raw('COUNT(answered_at) AS answered'));
    expect(Number(db.abandoned), 'abandoned attempts').to.be.at.least(1);
    const r = await s.call('GET', `/api/v2/dialer/${c}/reports?interval=15min&from=${from.toISOString()}&to=${to.toISOString()}`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const t = r.body.totals;
    expect(t.abandoned).to.equal(Number(db.abandoned));
    expect(t.answered).to.equal(Number(db.answered));
    expect(t.abandon_rate).to.equal(Number((t.abandoned / t.answered).toFixed(4)));
    expect(r.body.buckets.reduce((n: number, b: { abandoned: number }) => n + b.abandoned, 0)).to.equal(t.abandoned);
    expect(r.body.abandon_cap).to.deep.equal({ cap_pct: 3, target_pct: 2.4, compliance_window: 'rolling-30-days' });
    // the board's compliance figures over the window (which holds every attempt of this campaign) agree
    const [counts] = await new LiveBoardStore(s.tdb.db).campaignCounts([c]);
    expect(counts!.pacing).to.deep.include({ answered: t.answered, abandoned: t.abandoned, abandon_rate_pct: Math.round(t.abandon_rate * 10_000) / 100 });

    const csv = await s.call('GET', `/api/v2/dialer/${c}/attempts/export`);
    const rows = parse(csv.body as string, { columns: true }) as Array<Record<string, string>>;
    const abandoned = rows.filter((x) => x.cause === 'ABANDONED');
    expect(abandoned).to.have.length(t.abandoned);
    for (const x of abandoned) expect(Date.parse(x.message_at!) - Date.parse(x.answered_at!), JSON.stringify(x)).to.be.within(0, 2_000);
    for (const x of rows.filter((y) => y.cause !== 'ABANDONED')) expect(x.message_at).to.equal('');

    // another type has no cap
    const other = await s.call('GET', `/api/v2/dialer/${await createCampaign(s)}/reports?interval=day&from=${from.toISOString()}&to=${to.toISOString()}`);
    expect(other.body.abandon_cap).to.equal(null);
    expect(other.body.totals).to.include({ abandoned: 0, abandon_rate: null });
  });

  it('S2: a report needs an interval and a range in order, not too long for the interval; 404 for no campaign', async () => {
    const c = await createCampaign(s);
    for (const [q, field] of [['from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z', 'query.interval'],
      ['interval=week&from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z', 'query.interval'],
      ['interval=hour&to=2026-12-02T00:00:00Z', 'query.from'],
      ['interval=hour&from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'query.to'],
      ['interval=15min&from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z', 'query.to']] as const) {
      const r = await s.call('GET', `/api/v2/dialer/${c}/reports?${q}`);
      expect(r.status, q).to.equal(400);
      expect(r.body.error.message, q).to.contain(field);
    }
    const none = await s.call('GET', '/api/v2/dialer/999999/reports?interval=day&from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z');
    expect(none.status).to.equal(404);
  });
});
