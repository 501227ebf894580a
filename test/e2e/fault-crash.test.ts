import { expect } from 'chai';
import { allMembersDone, expectNothingLost, freePort, sleep, startFaultWorld, type FaultWorld } from '../helpers/fault-world.js';
import type { EngineProcess } from '../helpers/engine-process.js';

/*
 * S3 against a real crash: the engine runs as its own OS process (`tsx src/main.ts`) against
 * the simulator, and is killed with SIGKILL at random instants while calls are live, then
 * started again with the same instance id and outbound port (so answered legs of the dead
 * process may reach the new one, which must hang them up: DESIGN §1a).
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
    const recovered = await w.db('attempts').where({ campaign_id: c, outcome: 'agent_failed' }).count({ n: '*' }).first();
    expect(Number(recovered?.n), 'attempts recovered with no charge').to.be.at.least(1);
    const tries = await w.db('members').where('campaign_id', c).max({ t: 'tries' }).first();
    // A recovered attempt is never charged: one success each, nothing else counted.
    expect(Number(tries?.t)).to.equal(1);
    expect(await eng.stop(), 'exit code after SIGTERM').to.equal(0);
  });
});
