import { expect } from 'chai';
import { until, startStack, type Stack } from '../helpers/stack.js';
import { addMembers, agent, allDone, createAgents, createCampaign, number, run } from '../helpers/e2e-fixtures.js';

const TIMES = ['available_sec', 'ringing_sec', 'talking_sec', 'wrap_up_sec', 'break_sec'] as const;
type Times = Record<(typeof TIMES)[number] | 'logged_in_sec', number> & { occupancy: number | null; calls: number; no_answers: number };

/** The five times add up to logged_in (to the millisecond the report is given in). */
function expectSumsToLoggedIn(t: Times, what: string): void {
  const sum = TIMES.reduce((n, k) => n + t[k], 0);
  expect(sum, what).to.be.closeTo(t.logged_in_sec, 0.0015);
}

/*
 * Q2 agent report over the agent status history (migration 010's triggers) written by the engine
 * while dialling the simulator, and by REST.
 */
describe('engine end to end: the agent report (Q2)', function () {
  this.timeout(90_000);
  let s: Stack;
  before(async () => { s = await startStack('agent-report'); });
  after(async () => { await s?.close(); });

  it('Q2, A3: per agent, the times add up to the logged-in time, calls and no-answers match the attempts', async () => {
    const from = new Date(Date.now() - 1000);
    const c = await createCampaign(s, { min_success_sec: 1, max_tries: 2, retry_wait_sec: 1 });
    const [talker] = await createAgents(s, 1, [c], { wrapup_sec: 1 });
    const [absent] = await createAgents(s, 1, [c], { max_no_answer: 2 }, { answer: 'unavailable' });
    const members = [0, 1, 2].map((i) => {
      const n = number();
      s.sim.setSubscriber(n, { outcome: 'answer', afterMs: 20, talkMs: 1300 });
      return { name: `m${i}`, communications: [{ number: n }] };
    });
    await addMembers(s, c, members);
    await run(s, c);
    await allDone(s, c, 60_000);
    await until('the talker out of wrap-up', async () => ((await agent(s, talker!.id)).state === 'Waiting' ? true : null), 20_000);
    for (const a of [talker!, absent!]) {
      const r = await s.call('PUT', `/api/v2/agents/${a.id}/status`, { status: 'Logged Out' });
      expect(r.status).to.equal(200);
    }
    const loggedOut = Date.now();
    const to = new Date(loggedOut + 60_000);

    const r = await s.call('GET', `/api/v2/agents/reports?interval=15min&from=${from.toISOString()}&to=${to.toISOString()}`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.timezone).to.equal('UTC');
    const byId = new Map<number, { buckets: Times[]; totals: Times }>(r.body.agents.map((a: { agent_id: number }) => [a.agent_id, a]));
    const attempts = await s.tdb.db('attempts').where('campaign_id', c).select('agent_id', 'outcome', 'agent_answered_at', 'agent_cause', 'wrap_up_sec');
    // Q1: each call of the talker was followed by its 1 s wrap-up, ended by the engine's wake-up (migration 013).
    const talked = attempts.filter((x) => x.agent_id === talker!.id && x.agent_answered_at !== null);
    expect(talked.map((x) => x.wrap_up_sec)).to.have.length(3).and.satisfy((w: Array<number | null>) => w.every((v) => v !== null && v >= 1 && v <= 3));

    for (const a of [talker!, absent!]) {
      const rep = byId.get(a.id)!;
      expect(rep, `agent ${a.id} in the report`).to.not.equal(undefined);
      const t = rep.totals;
      expectSumsToLoggedIn(t, `agent ${a.id} totals`);
      // Logged in at creation + a moment, out before `loggedOut`: never longer than the range read.
      expect(t.logged_in_sec).to.be.greaterThan(0).and.at.most((loggedOut - from.getTime()) / 1000 + 1);
      for (const b of rep.buckets) expectSumsToLoggedIn(b, `agent ${a.id} bucket`);
      const sum = (k: keyof Times) => rep.buckets.reduce((n, b) => n + (b[k] as number), 0);
      for (const k of [...TIMES, 'logged_in_sec'] as const) expect(sum(k), k).to.be.closeTo(t[k], 0.002 * rep.buckets.length);
      expect(sum('calls')).to.equal(t.calls);
      const mine = attempts.filter((x) => x.agent_id === a.id);
      expect(t.calls, 'calls').to.equal(mine.filter((x) => x.agent_answered_at !== null).length);
      expect(t.no_answers, 'no-answers').to.equal(mine.filter((x) => x.outcome === 'agent_failed').length);
    }
    const tt = byId.get(talker!.id)!.totals;
    expect(tt.calls).to.equal(3);
    expect(tt.talking_sec, 'three calls of 1.3 s').to.be.at.least(3);
    expect(tt.wrap_up_sec, 'three wrap-ups of 1 s').to.be.at.least(2.5);
    expect(tt.occupancy).to.be.greaterThan(0).and.at.most(1);
    const ta = byId.get(absent!.id)!.totals;
    expect(ta.calls).to.equal(0);
    expect(ta.talking_sec).to.equal(0);
    expect(ta.no_answers, 'the unreachable agent is charged its no-answers').to.be.at.least(1);
    if (ta.no_answers >= 2) expect(ta.break_sec, 'max_no_answer reached: On Break').to.be.greaterThan(0);
  });

  it('Q2: a status held across a bucket boundary is split there, in the zone\'s wall clock across a DST change', async () => {
    const [a] = await createAgents(s, 1, []);
    // Europe/Kyiv springs forward at 01:00 UTC on 2026-03-29: 02:00+02:00 then 04:00+03:00.
    const set = async (at: string, status: string, state = 'Waiting') =>
      s.tdb.db('agents').where('id', a!.id).update({ status, state, updated_at: new Date(at) });
    await set('2026-03-29T00:50:00Z', 'On Break');
    await set('2026-03-29T00:55:00Z', 'Available');
    await set('2026-03-29T01:05:00Z', 'Available', 'In a queue call');
    await set('2026-03-29T01:06:30Z', 'Available', 'Wrap up');
    await set('2026-03-29T01:07:00Z', 'Logged Out', 'Waiting');
    const r = await s.call('GET',
      `/api/v2/agents/reports?interval=hour&zone=Europe/Kyiv&agent_id=${a!.id}&from=2026-03-29T00:00:00Z&to=2026-03-29T02:00:00Z`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.agents).to.have.length(1);
    const [first, second] = r.body.agents[0].buckets;
    expect(first).to.include({ local: '2026-03-29T02:00+02:00', break_sec: 300, available_sec: 300, logged_in_sec: 600, occupancy: 0 });
    expect(second).to.include({ local: '2026-03-29T04:00+03:00', available_sec: 300, talking_sec: 90, wrap_up_sec: 30, logged_in_sec: 420 });
    expect(second.occupancy).to.equal(Number((120 / 420).toFixed(4)));
    expect(r.body.agents[0].totals).to.include({ logged_in_sec: 1020, break_sec: 300 });

    const q = await s.call('GET', `/api/v2/agents/reports?interval=15min&agent_id=${a!.id}&from=2026-03-29T00:45:00Z&to=2026-03-29T01:15:00Z`);
    expect(q.body.agents[0].buckets.map((b: Times) => b.logged_in_sec)).to.deep.equal([600, 420]);
  });

  it('S2: the agent report names a bad interval, zone, agent_id or range', async () => {
    for (const [query, field] of [['interval=week&from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z', 'query.interval'],
      ['interval=hour&zone=Mars/Base&from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z', 'query.zone'],
      ['interval=hour&agent_id=0&from=2026-12-01T00:00:00Z&to=2026-12-02T00:00:00Z', 'query.agent_id'],
      ['interval=hour&from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'query.to'],
      ['interval=15min&from=2026-10-01T00:00:00Z&to=2026-12-01T00:00:00Z', 'query.to']] as const) {
      const r = await s.call('GET', `/api/v2/agents/reports?${query}`);
      expect(r.status, query).to.equal(400);
      expect(r.body.error.message, query).to.contain(field);
    }
  });
});
