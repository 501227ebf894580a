import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { EngineProcess } from '../helpers/engine-process.js';
import { allMembersDone, expectNothingLost, freePort, sleep, startFaultWorld, type FaultWorld } from '../helpers/fault-world.js';
import { MASTER_NAME, startSentinelGroup, type SentinelGroup } from '../helpers/ha-redis.js';

const redisCli = async (port: number, ...args: string[]) => (await promisify(execFile)('redis-cli', ['-p', String(port), ...args])).stdout;
const ANSWER = { outcome: 'answer', afterMs: 80, talkMs: 300 } as const;

/*
 * DESIGN §1a, S3: the engine (its own OS process) on a Sentinel group whose master is killed
 * with SIGKILL mid-campaign. Wrap-up ends and retries are Redis wake-ups, so agents come back
 * only once the engine found the new master. No timing assertion: the times are printed.
 */
describe('HA Redis: the Sentinel master killed under a running campaign', function () {
  this.timeout(240_000);
  let g: SentinelGroup;
  let w: FaultWorld;
  let eng: EngineProcess;
  before(async () => {
    g = await startSentinelGroup();
    w = await startFaultWorld('ha_sentinel', { defaultSubscriber: ANSWER });
    eng = await w.engine('ha-sentinel', await freePort(), { env: {
      // Nothing listens there: the engine must go through the sentinels.
      DIALER_REDIS_URL: 'redis://127.0.0.1:1',
      DIALER_REDIS_SENTINELS: g.sentinelNodes.map((n) => `${n.host}:${n.port}`).join(','),
      DIALER_REDIS_SENTINEL_NAME: MASTER_NAME,
    } });
  });
  after(async () => {
    await w?.close();
    await g?.close();
  });

  it('S3, C2: every member done, no member dialled twice at once, no agent stuck; dialling resumes after the failover', async () => {
    const c = await w.seed.campaign({ call_limit: 4, retry_wait_sec: 1, max_tries: 20, min_success_sec: 0 });
    const agentIds = await w.agents(5, [c], { wrapupSec: 1 });
    await w.members(c, 40);
    // Mid-campaign: a few calls placed, most members still to dial.
    while (w.sim.originates().length < 6) await sleep(20);
    const oldPort = await g.masterPort();
    const before = w.sim.originates().length;
    const killedAt = Date.now();
    await g.master.kill();
    let promotedAt = 0;
    while (!promotedAt) {
      if ((await g.masterPort().catch(() => oldPort)) !== oldPort) promotedAt = Date.now();
      else await sleep(50);
      expect(Date.now() - killedAt, 'a replica promoted').to.be.below(60_000);
    }
    await allMembersDone(w.db, [c], 180_000, [eng]);
    const after = w.sim.originates().slice(before).map((o) => o.at);
    const afterPromotion = after.find((at) => at >= promotedAt);
    // Longest silence between originates from the kill on: how long dialling stalled.
    const gaps = [killedAt, ...after].slice(1).map((at, i) => at - ([killedAt, ...after][i] ?? at));
    console.log(`      Sentinel failover: replica promoted ${promotedAt - killedAt} ms after the kill; first originate after it ` +
      `${afterPromotion === undefined ? 'none' : `${afterPromotion - promotedAt} ms later`}; longest gap between originates ${Math.max(0, ...gaps)} ms`);
    const settleBy = Date.now() + 20_000;
    while (Date.now() < settleBy && Number((await w.db('attempts').whereNot('state', 'done').whereNot('state', 'waiting_result').count({ n: '*' }).first())?.n) > 0) await sleep(100);
    await expectNothingLost(w, [c], ['NORMAL_CLEARING']);
    // Wrap-up ends are Redis wake-ups: every agent gets back to Waiting on the new master.
    const back = Date.now() + 20_000;
    let states: string[] = [];
    while (Date.now() < back) {
      states = (await w.db('agents').whereIn('id', agentIds).select('state')).map((r) => r.state as string);
      if (states.every((s) => s === 'Waiting')) break;
      await sleep(100);
    }
    expect(states).to.deep.equal(agentIds.map(() => 'Waiting'));
    expect(afterPromotion, 'an originate after the promotion').to.not.equal(undefined);
    // The wake-ups live on the promoted master (the safety sweep is always armed).
    const delayed = await redisCli(await g.masterPort(), 'ZRANGE', `${w.prefix}:timers:delayed`, '0', '-1');
    expect(delayed, 'wake-ups on the new master').to.match(/sweep:/);
  });
});
