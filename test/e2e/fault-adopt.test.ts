import { expect } from 'chai';
import { allMembersDone, expectNothingLost, freePort, sleep, startFaultWorld, type FaultWorld } from '../helpers/fault-world.js';
import type { EngineProcess } from '../helpers/engine-process.js';
import { prng } from '../helpers/prng.js';
import { httpClient } from '../helpers/http-client.js';
import { SseClient } from '../helpers/sse-client.js';

/*
 * S4 against real process deaths: the engine runs as its own OS process against the simulator,
 * which keeps a bridged call up when its outbound socket goes, as the real 1.10.12 does
 * (fixtures README, 08). A call in conversation when its process dies is adopted by the restart
 * (same instance id), by a peer after the lease, or by the next process after a fast SIGTERM:
 * it is not cut, it settles by the ordinary rules with FreeSWITCH's times, the agent goes to
 * wrap-up, and nobody is dialled again. What cannot be completed ends uncharged.
 */
/**
 * Talk time of a call that must still be up when the next process looks. Starting a process (the
 * code loaded, MySQL, Redis and FreeSWITCH connected) takes several seconds on a loaded machine;
 * a call that ends before then is rightly settled as one whose end nobody saw (README, "Crashes"),
 * which is not what these tests are about.
 */
const OUTLASTS_A_RESTART_MS = 20_000;

describe('fault: live calls survive the engine process (S4)', function () {
  this.timeout(300_000);
  let w: FaultWorld;
  before(async () => {
    w = await startFaultWorld('fault_adopt', { defaultSubscriber: { outcome: 'answer', afterMs: 100, talkMs: 500 } });
  });
  // An engine a failed test left running shares the database: it would take the next test's calls.
  afterEach(async () => { await Promise.all((w?.engines ?? []).map((e) => e.killHard())); });
  after(async () => { await w?.close(); });

  async function waitFor(what: string, fn: () => Promise<boolean> | boolean, ms = 60_000, engines: EngineProcess[] = []): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await fn())) {
      if (Date.now() > deadline) throw new Error(`timed out: ${what}\n${engines.map((e) => e.tail(15)).join('\n---\n')}`);
      await sleep(50);
    }
  }

  const talking = async (c: number) => Number((await w.db('attempts').where({ campaign_id: c, state: 'talking' }).count({ n: '*' }).first())?.n);

  /** Subscriber SIP legs of these numbers, live or ended, as the simulator recorded them. */
  const sipLegs = (numbers: string[]) => w.sim.channelLog().filter((ch) => numbers.some((n) => ch.name === `sofia/internal/${n}@127.0.0.1:5090`));

  /**
   * Each member was called once, the call ran to the subscriber's own hangup (not cut by the
   * dialer), and was settled a success with the simulator's talk time (C6), the agent in wrap-up (A3).
   */
  async function expectSettledAsTalked(c: number, numbers: string[], agentIds: number[], owner: string, talkMs: number): Promise<void> {
    await allMembersDone(w.db, [c], 60_000, w.engines);
    const rows = await w.db('attempts').where('campaign_id', c).orderBy('id')
      .select('id', 'member_id', 'state', 'outcome', 'hangup_cause', 'talk_sec', 'instance_id', 'number');
    expect(rows, 'one attempt per member: nobody redialled').to.have.length(numbers.length);
    for (const a of rows) {
      expect(a, `attempt ${a.id}`).to.deep.include({ state: 'done', outcome: 'success', hangup_cause: 'NORMAL_CLEARING', instance_id: owner });
      const [leg] = sipLegs([a.number as string]);
      expect(leg, `the subscriber leg of ${a.number}`).to.not.equal(undefined);
      const talk = (leg!.hangupUs - leg!.answeredUs) / 1e6;
      // Ended by the subscriber's script, not cut by the dialer.
      expect(talk, `talk on the switch of ${a.number}`).to.be.at.least(talkMs / 1000 - 0.1);
      expect(Math.abs(a.talk_sec - talk), `talk time of ${a.number}: ${a.talk_sec} s stored, ${talk} s on the switch`).to.be.at.most(1);
    }
    const members = await w.db('members').where('campaign_id', c).select('tries', 'result');
    for (const m of members) expect(m).to.deep.equal({ tries: 1, result: 'NORMAL_CLEARING' });
    const agents = await w.db('agents').whereIn('id', agentIds).select('id', 'state', 'attempt_id');
    for (const g of agents) expect(g, `agent ${g.id}`).to.deep.include({ state: 'Wrap up', attempt_id: null });
  }

  it('S4, C6, A3: kill -9 with three calls in conversation: the restart (same instance id) adopts them; not cut, settled with FreeSWITCH\'s times, agents to wrap-up, nobody redialled', async () => {
    const c = await w.seed.campaign({ call_limit: 3, retry_wait_sec: 1, max_tries: 5, min_success_sec: 1 });
    const agentIds = await w.agents(3, [c], { wrapupSec: 120 });
    const numbers = await w.members(c, 3);
    for (const n of numbers) w.sim.setSubscriber(n, { outcome: 'answer', afterMs: 100, talkMs: OUTLASTS_A_RESTART_MS });
    const originatesBefore = w.sim.originates().length;
    const port = await freePort();
    const first = await w.engine('adopt-same', port);
    await waitFor('three calls in conversation', async () => (await talking(c)) === 3, 60_000, [first]);
    await sleep(500);
    await first.killHard();
    await sleep(800);
    expect(sipLegs(numbers).filter((l) => l.hangupUs === 0), 'calls up while no dialer runs').to.have.length(3);
    const again = await w.engine('adopt-same', port);
    await waitFor('the calls adopted', () => again.lines.filter((l) => l.includes('live call adopted')).length === 3, 30_000, [again]);
    expect(sipLegs(numbers).filter((l) => l.hangupUs === 0), 'calls still up once adopted').to.have.length(3);
    await expectSettledAsTalked(c, numbers, agentIds, 'adopt-same', OUTLASTS_A_RESTART_MS);
    expect(w.sim.originates().length - originatesBefore, 'originates').to.equal(3);
    expect(await again.stop(), 'exit code after SIGTERM').to.equal(0);
  });

  it('S4: what cannot be completed ends uncharged: an agent still ringing and a subscriber still ringing are hung up, their members dialled again at once with no try used', async () => {
    const c = await w.seed.campaign({ call_limit: 2, retry_wait_sec: 30, max_tries: 5, min_success_sec: 0 });
    const agentIds = await w.agents(2, [c], { wrapupSec: 1 });
    const sipUsers = (await w.db('agents').whereIn('id', agentIds).orderBy('id').pluck('sip_user')) as string[];
    const numbers = await w.members(c, 2);
    // The first agent's phone rings on; the other answers, and its subscriber rings on.
    w.sim.setAgent(sipUsers[0]!, { answer: 'answer', afterMs: 120_000 });
    for (const n of numbers) w.sim.setSubscriber(n, { outcome: 'answer', afterMs: 120_000, talkMs: 500 });
    const port = await freePort();
    const first = await w.engine('adopt-partial', port);
    const states = async () => (await w.db('attempts').where('campaign_id', c).pluck('state')).sort();
    await waitFor('an agent ringing and a subscriber ringing', async () => (await states()).join() === 'bridging,ringing_agent', 60_000, [first]);
    await sleep(300);
    await first.killHard();
    const cut = await w.db('attempts').where('campaign_id', c).select('id', 'agent_uuid', 'state');
    const ringing = sipLegs(numbers);
    expect(ringing, 'one subscriber ringing').to.have.length(1);
    // Everything answers at once from now on: the second tries complete.
    for (const u of sipUsers) w.sim.setAgent(u, { answer: 'answer', afterMs: 30 });
    for (const n of numbers) w.sim.setSubscriber(n, { outcome: 'answer', afterMs: 100, talkMs: 500 });
    const again = await w.engine('adopt-partial', port);
    await allMembersDone(w.db, [c], 60_000, [again]);
    for (const a of cut) {
      const row = await w.db('attempts').where('id', a.id).first('outcome', 'agent_cause', 'state');
      expect(row, `attempt ${a.id} (${a.state} when killed)`).to.deep.equal({ outcome: 'agent_failed', agent_cause: 'UNKNOWN', state: 'done' });
      const leg = w.sim.channelLog().find((ch) => ch.uuid === a.agent_uuid);
      expect(leg?.hangupCause, `the agent leg of attempt ${a.id} was ended`).to.not.equal(null);
    }
    // The subscriber who was still ringing never answered that first call.
    const firstLeg = w.sim.channelLog().find((ch) => ch.uuid === ringing[0]!.uuid)!;
    expect(firstLeg.answeredUs, 'the ringing subscriber never answered the cut call').to.equal(0);
    expect(firstLeg.hangupCause, 'the cut call to the subscriber was ended').to.not.equal(null);
    await expectNothingLost(w, [c], ['NORMAL_CLEARING']);
    const members = await w.db('members').where('campaign_id', c).select('tries');
    // Dialled again at once despite retry_wait_sec 30, and only the completed call counted.
    for (const m of members) expect(m.tries).to.equal(1);
    expect(await again.stop(), 'exit code after SIGTERM').to.equal(0);
  });

  it('S4, C6: a subscriber who answers while no dialer runs is talking to the agent when the restart looks: the call is adopted, its answer taken from FreeSWITCH', async () => {
    const c = await w.seed.campaign({ call_limit: 1, retry_wait_sec: 1, max_tries: 5, min_success_sec: 1 });
    const agentIds = await w.agents(1, [c], { wrapupSec: 120 });
    const numbers = await w.members(c, 1);
    w.sim.setSubscriber(numbers[0]!, { outcome: 'answer', afterMs: 1_500, talkMs: OUTLASTS_A_RESTART_MS });
    const port = await freePort();
    const first = await w.engine('adopt-late-answer', port);
    await waitFor('the subscriber ringing', () => sipLegs(numbers).length === 1, 60_000, [first]);
    expect((await w.db('attempts').where('campaign_id', c).pluck('state'))).to.deep.equal(['bridging']);
    await first.killHard();
    await waitFor('the subscriber answered', () => sipLegs(numbers).some((l) => l.answeredUs > 0));
    const again = await w.engine('adopt-late-answer', port);
    await waitFor('the call adopted', () => again.lines.some((l) => l.includes('live call adopted')), 30_000, [again]);
    const [a] = await w.db('attempts').where('campaign_id', c).select('state', 'answered_at');
    expect(a.state, 'recorded as talking').to.equal('talking');
    await expectSettledAsTalked(c, numbers, agentIds, 'adopt-late-answer', OUTLASTS_A_RESTART_MS);
    expect(await again.stop(), 'exit code after SIGTERM').to.equal(0);
  });

  it('S4: two processes: the one holding the calls is killed, the other adopts them once the lease has run out; its live board shows them', async () => {
    const c = await w.seed.campaign({ call_limit: 2, retry_wait_sec: 1, max_tries: 5, min_success_sec: 1 });
    const agentIds = await w.agents(2, [c], { wrapupSec: 120 });
    const numbers = await w.members(c, 2);
    for (const n of numbers) w.sim.setSubscriber(n, { outcome: 'answer', afterMs: 100, talkMs: OUTLASTS_A_RESTART_MS });
    const p1 = await w.engine('adopt-peer-1', await freePort());
    await waitFor('two calls in conversation', async () => (await talking(c)) === 2, 60_000, [p1]);
    const p2 = await w.engine('adopt-peer-2', await freePort());
    // A supervisor watches the live board of the process that will adopt the calls.
    const url = `http://127.0.0.1:${p2.httpPort}`;
    const board = await SseClient.open(url, await httpClient(url).login('admin', 'fault-admin-password'));
    try {
      await board.waitFor('a live snapshot', (e) => (e.event === 'snapshot' && e.data.live === true ? true : undefined));
      const seen = board.events.length;
      await p1.killHard();
      await waitFor('the calls adopted by the peer', () => p2.lines.filter((l) => l.includes('live call adopted')).length === 2, 40_000, [p2]);
      expect(sipLegs(numbers).filter((l) => l.hangupUs === 0), 'calls still up once adopted').to.have.length(2);
      // The adoption is news on the board, like any call: the agents shown talking, then in wrap-up.
      const rowsOf = (e: { event: string; data: any }) => (e.event === 'update' ? (e.data.agents as any[]).filter((a) => agentIds.includes(a.id)) : []);
      await board.waitFor('the adopted calls on the board', (e) => (rowsOf(e).some((a) => a.call?.state === 'talking') ? true : undefined), 20_000, seen);
      await expectSettledAsTalked(c, numbers, agentIds, 'adopt-peer-2', OUTLASTS_A_RESTART_MS);
      await board.waitFor('the agents in wrap-up on the board', (e) =>
        (rowsOf(e).some((a) => a.state === 'Wrap up' && a.call === null) ? true : undefined), 20_000, seen);
    } finally {
      board.close();
    }
    expect(await p2.stop(), 'exit code after SIGTERM').to.equal(0);
  });

  it('S4: DIALER_DRAIN_SEC=0: SIGTERM exits at once with calls up; the next process adopts them and they settle normally', async () => {
    const c = await w.seed.campaign({ call_limit: 2, retry_wait_sec: 1, max_tries: 5, min_success_sec: 1 });
    const agentIds = await w.agents(2, [c], { wrapupSec: 120 });
    const numbers = await w.members(c, 2);
    for (const n of numbers) w.sim.setSubscriber(n, { outcome: 'answer', afterMs: 100, talkMs: OUTLASTS_A_RESTART_MS });
    const port = await freePort();
    const first = await w.engine('adopt-fast', port, { drainSec: 0 });
    await waitFor('two calls in conversation', async () => (await talking(c)) === 2, 60_000, [first]);
    expect(await first.stop(), `exit code after SIGTERM; log:\n${first.tail()}`).to.equal(0);
    // It did not wait for the calls: they are still up after the exit.
    expect(sipLegs(numbers).filter((l) => l.hangupUs === 0), 'calls up after the exit').to.have.length(2);
    const next = await w.engine('adopt-fast', port, { drainSec: 0 });
    await waitFor('the calls adopted', () => next.lines.filter((l) => l.includes('live call adopted')).length === 2, 30_000, [next]);
    await expectSettledAsTalked(c, numbers, agentIds, 'adopt-fast', OUTLASTS_A_RESTART_MS);
    expect(await next.stop(), 'exit code after SIGTERM').to.equal(0);
  });
  it('S4, C6: kill -9 at random instants during 120 calls; restarted with the same id, then another id, then a peer takes over: nothing cut, talk times as on the switch, nobody charged or dialled twice, no agent stuck', async () => {
    const seed = Date.now() % 100_000;
    const rnd = prng(seed);
    const c = await w.seed.campaign({ call_limit: 8, retry_wait_sec: 1, max_tries: 5, min_success_sec: 0 });
    await w.agents(8, [c]);
    const numbers = await w.members(c, 120);
    const talkMs = new Map<string, number>();
    for (const n of numbers) {
      talkMs.set(n, 1_500 + Math.floor(rnd() * 2_500));
      w.sim.setSubscriber(n, { outcome: 'answer', afterMs: 100 + Math.floor(rnd() * 300), talkMs: talkMs.get(n)! });
    }
    const bridgedAtKill = new Set<string>();
    const killAt = async (e: EngineProcess) => {
      await sleep(1_000 + Math.floor(rnd() * 2_000));
      await e.killHard();
      for (const l of sipLegs(numbers)) if (l.answeredUs > 0 && l.hangupUs === 0) bridgedAtKill.add(l.uuid);
    };
    const port = await freePort();
    await killAt(await w.engine('adopt-rand-1', port));
    // The same instance id restarts at once; then another id, which waits for the lease.
    await killAt(await w.engine('adopt-rand-1', port));
    const other = await w.engine('adopt-rand-2', await freePort());
    // A peer runs beside it; the one killed last leaves its calls to the peer.
    const peer = await w.engine('adopt-rand-3', await freePort());
    await killAt(other);
    await allMembersDone(w.db, [c], 180_000, [peer]);
    const settle = Date.now() + 20_000;
    while (Date.now() < settle && Number((await w.db('attempts').where('campaign_id', c).whereNot('state', 'done').count({ n: '*' }).first())?.n) > 0) await sleep(100);
    await expectNothingLost(w, [c], ['NORMAL_CLEARING']);
    expect(bridgedAtKill.size, `conversations up at the kills (seed ${seed})`).to.be.at.least(3);
    const legs = w.sim.channelLog();
    for (const uuid of bridgedAtKill) {
      const leg = legs.find((l) => l.uuid === uuid)!;
      const n = /^sofia\/internal\/([0-9]+)@/.exec(leg.name)![1]!;
      // Ended by the subscriber's own script, not cut by any dialer.
      expect((leg.hangupUs - leg.answeredUs) / 1000, `talk of ${n} (seed ${seed})`).to.be.at.least(talkMs.get(n)! - 100);
    }
    const rows = await w.db('attempts').where({ campaign_id: c, outcome: 'success' }).select('id', 'number', 'answered_at', 'talk_sec');
    expect(rows, 'one success per member').to.have.length(numbers.length);
    const sip = sipLegs(numbers).filter((l) => l.answeredUs > 0);
    for (const a of rows) {
      const answeredMs = new Date(a.answered_at).getTime();
      const leg = sip.find((l) => l.name.includes(`/${a.number}@`) && Math.abs(l.answeredUs / 1000 - answeredMs) < 1_500);
      expect(leg, `the switch's record of attempt ${a.id}`).to.not.equal(undefined);
      const talk = (leg!.hangupUs - leg!.answeredUs) / 1e6;
      expect(Math.abs(a.talk_sec - talk), `attempt ${a.id}: ${a.talk_sec} s stored, ${talk} s on the switch (seed ${seed})`).to.be.at.most(1);
    }
    // Nobody charged for the crashes: each member used one try, its success.
    const tries = await w.db('members').where('campaign_id', c).pluck('tries');
    expect(new Set(tries), 'tries per member').to.deep.equal(new Set([1]));
    const adopted = w.engines.flatMap((e) => e.lines).filter((l) => l.includes('live call adopted')).length;
    expect(adopted, 'calls adopted').to.be.at.least(bridgedAtKill.size > 0 ? 1 : 0);
    expect(await peer.stop(), 'exit code after SIGTERM').to.equal(0);
  });
});
