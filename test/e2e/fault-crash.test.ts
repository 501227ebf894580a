import { expect } from 'chai';
import { allMembersDone, expectNothingLost, freePort, sleep, startFaultWorld, type FaultWorld } from '../helpers/fault-world.js';
import type { EngineProcess } from '../helpers/engine-process.js';

/*
 * S3 against a real crash: the engine runs as its own OS process (`tsx src/main.ts`) against
 * the simulator, and is killed with SIGKILL at random instants while calls are live, then
 * started again with the same instance id and outbound port (so answered legs of the dead
 * process may reach the new one, which must hang them up: DESIGN §1a). Calls in conversation at
 * the kill are adopted by the restart (S4, fault-adopt.test.ts).
 */
describe('fault: kill -9 of the engine process during live calls', function () {
  this.timeout(300_000);
  let w: FaultWorld;
  before(async () => {
    w = await startFaultWorld('fault_crash', { defaultSubscriber: { outcome: 'answer', afterMs: 150, talkMs: 700 } });
  });
  after(async () => { await w?.close(); });

  it('S3: killed 4 times at random instants and restarted: no member lost, none dialled twice at once, no agent stuck, every attempt settled', async () => {
    const c = await w.seed.campaign({ call_limit: 4, retry_wait_sec: 1, max_tries: 20, min_success_sec: 0 });
    await w.agents(6, [c]);
    await w.members(c, 40);
    const port = await freePort();
    let eng: EngineProcess = await w.engine('fault-crash', port);
    let killedWithLiveLegs = 0;
    for (let k = 0; k < 4; k++) {
      const legsBefore = w.watch.legs;
      // Wait for calls to be under way, then kill at a random instant among them.
      const deadline = Date.now() + 60_000;
      while (w.watch.legs === legsBefore && Date.now() < deadline) await sleep(20);
      await sleep(Math.floor(Math.random() * 1200));
      if (w.watch.live > 0) killedWithLiveLegs++;
      await eng.killHard();
      await sleep(Math.floor(Math.random() * 500));
      eng = await w.engine('fault-crash', port);
    }
    await allMembersDone(w.db, [c], 120_000, [eng]);
    // Calls still ending are settled before the checks.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && Number((await w.db('attempts').whereNot('state', 'done').count({ n: '*' }).first())?.n) > 0) await sleep(100);
    await expectNothingLost(w, [c], ['NORMAL_CLEARING']);
    // The crashes really hit calls (else this proves nothing).
    expect(killedWithLiveLegs, 'kills while subscriber legs were live').to.be.at.least(1);
    // S4: the restarts took the dead incarnations' calls over: adopted if in conversation, else ended uncharged.
    const taken = w.engines.flatMap((e) => e.lines).filter((l) => l.includes('live call adopted') || l.includes('orphaned attempt ended'));
    expect(taken.length, 'attempts taken over by a restart').to.be.at.least(1);
    const tries = await w.db('members').where('campaign_id', c).max({ t: 'tries' }).first();
    // An attempt ended by recovery is never charged: one success each, nothing else counted.
    expect(Number(tries?.t)).to.equal(1);
    expect(await eng.stop(), 'exit code after SIGTERM').to.equal(0);
  });

  it('S3: SIGTERM stops claiming, lets the live calls finish and settle, then exits', async () => {
    const c = await w.seed.campaign({ call_limit: 3, retry_wait_sec: 1, max_tries: 20, min_success_sec: 0 });
    await w.agents(3, [c]);
    const numbers = await w.members(c, 20);
    for (const n of numbers) w.sim.setSubscriber(n, { outcome: 'answer', afterMs: 100, talkMs: 2500 });
    const eng = await w.engine('fault-term', await freePort());
    const deadline = Date.now() + 60_000;
    while (w.watch.live === 0 && Date.now() < deadline) await sleep(20);
    await sleep(300);
    const signalledAt = Date.now();
    expect(await eng.stop(), 'exit code after SIGTERM').to.equal(0);
    const mine = await w.db('attempts').where({ campaign_id: c, instance_id: 'fault-term' }).select('id', 'state', 'outcome', 'created_at');
    expect(mine.length, 'calls live at the signal').to.be.at.least(1);
    for (const a of mine) {
      expect(a.state, `attempt ${a.id}`).to.equal('done');
      // Drained: the call ran to its end and was decided, not abandoned to recovery.
      expect(a.outcome, `attempt ${a.id}`).to.equal('success');
    }
    // Nothing new was claimed once the signal was in (a claim already under way may finish).
    expect(mine.filter((a) => new Date(a.created_at).getTime() > signalledAt + 1000)).to.deep.equal([]);
    const agents = await w.db('agents').whereIn('id', (await w.db('tiers').where('campaign_id', c).select('agent_id')).map((t) => t.agent_id)).select('state', 'attempt_id');
    for (const a of agents) expect(a.attempt_id).to.equal(null);
    const left = await w.db('members').where({ campaign_id: c, state: 'ready' }).count({ n: '*' }).first();
    expect(Number(left?.n), 'members left ready for the next start').to.be.above(0);
  });

  it('S3, S4: SIGTERM with calls longer than DIALER_DRAIN_SEC: the outbound sockets close after the drain, the process exits 0, the bridged calls stay up, a restart adopts them and they settle at their own end', async () => {
    // Only this campaign's calls are watched: the earlier tests' campaigns (members left ready)
    // would dial on in both processes and be adopted too.
    await w.db('campaigns').where('state', 'running').update({ state: 'stopped' });
    const c = await w.seed.campaign({ call_limit: 2, retry_wait_sec: 1, max_tries: 20, min_success_sec: 0 });
    await w.agents(2, [c]);
    const numbers = await w.members(c, 2);
    // Longer than the drain, the exit and the restart together take on a loaded machine: a call
    // that ends before the restart looks is settled as one whose end nobody saw.
    for (const n of numbers) w.sim.setSubscriber(n, { outcome: 'answer', afterMs: 100, talkMs: 20_000 });
    const port = await freePort();
    const eng = await w.engine('fault-long', port, { drainSec: 1 });
    const deadline = Date.now() + 60_000;
    while (w.watch.live < 2 && Date.now() < deadline) await sleep(20);
    expect(w.watch.live, 'calls live at the signal').to.be.at.least(2);
    // A forced exit (the drain's grace run out) would be exit code 1.
    expect(await eng.stop(), `exit code after SIGTERM; log:\n${eng.tail()}`).to.equal(0);
    // Real 1.10.12: a bridged call outlives its outbound socket (fixtures README), so the calls
    // cut off from the process are still up after it exited.
    expect(w.watch.live, 'bridged calls still up after the exit').to.be.at.least(2);
    // The next start of this instance adopts the calls its previous incarnation left (S4): they
    // are not hung up, and settle as any call when the subscribers hang up.
    const again = await w.engine('fault-long', port, { drainSec: 1 });
    const adoptedBy = Date.now() + 30_000;
    while (again.lines.filter((l) => l.includes('live call adopted')).length < 2 && Date.now() < adoptedBy) await sleep(50);
    expect(w.watch.live, 'the adopted calls are still up').to.equal(2);
    const settledBy = Date.now() + 45_000;
    let open: unknown[] = [];
    while (Date.now() < settledBy) {
      open = await w.db('attempts').where({ campaign_id: c, instance_id: 'fault-long' }).whereNot('state', 'done').select('id', 'state');
      if (open.length === 0) break;
      await sleep(100);
    }
    expect(open, 'attempts left open').to.deep.equal([]);
    const outcomes = await w.db('attempts').where({ campaign_id: c }).pluck('outcome');
    expect(outcomes, 'settled by the ordinary rules').to.deep.equal(['success', 'success']);
    expect(w.watch.live, 'the calls ended by themselves').to.equal(0);
    expect(await again.stop(), 'exit code of the restart').to.equal(0);
  });
});
