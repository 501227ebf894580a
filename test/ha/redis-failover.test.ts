import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { EngineProcess } from '../helpers/engine-process.js';
import { allMembersDone, expectNothingLost, freePort, sleep, startFaultWorld, type FaultWorld } from '../helpers/fault-world.js';
import { MASTER_NAME, startRedisCluster, startSentinelGroup, type RedisClusterGroup, type SentinelGroup, type RedisProcess } from '../helpers/ha-redis.js';

const redisCli = async (port: number, ...args: string[]) => (await promisify(execFile)('redis-cli', ['-p', String(port), ...args])).stdout;
const ANSWER = { outcome: 'answer', afterMs: 80, talkMs: 300 } as const;
const nodeList = (ns: { host: string; port: number }[]) => ns.map((n) => `${n.host}:${n.port}`).join(',');

/**
 * DESIGN §1a, S3: a campaign dialling on the simulator through an engine process whose Redis
 * master is killed with SIGKILL; `failover` kills it and resolves with the new master once one
 * took over. Wrap-up ends and retries are Redis wake-ups, so agents come back only once the
 * engine reached the new master. No timing assertion: the times are printed.
 */
async function campaignThroughKill(w: FaultWorld, eng: EngineProcess, what: string, failover: () => Promise<RedisProcess>): Promise<void> {
  const c = await w.seed.campaign({ call_limit: 4, retry_wait_sec: 1, max_tries: 20, min_success_sec: 0 });
  const agentIds = await w.agents(5, [c], { wrapupSec: 1 });
  await w.members(c, 40);
  // Mid-campaign: a few calls placed, most members still to dial.
  const dialling = Date.now() + 60_000;
  while (w.sim.originates().length < 6) {
    if (Date.now() > dialling) throw new Error(`no dialling before the kill\n${eng.tail(15)}`);
    await sleep(20);
  }
  const before = w.sim.originates().length;
  const killedAt = Date.now();
  const newMaster = await failover();
  const promotedAt = Date.now();
  await allMembersDone(w.db, [c], 180_000, [eng]);
  const after = w.sim.originates().slice(before).map((o) => o.at);
  const afterPromotion = after.find((at) => at >= promotedAt);
  // Longest silence between originates from the kill on: how long dialling stalled.
  const times = [killedAt, ...after];
  const gaps = times.slice(1).map((at, i) => at - times[i]!);
  console.log(`      ${what}: new master ${promotedAt - killedAt} ms after the kill; first originate after it ` +
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
  expect(afterPromotion, 'an originate after the new master took over').to.not.equal(undefined);
  // The wake-ups live on the new master (the safety sweep is always armed).
  expect(await redisCli(newMaster.port, 'ZRANGE', `${w.prefix}:timers:delayed`, '0', '-1'), 'wake-ups on the new master').to.match(/sweep:/);
}

describe('HA Redis: the Sentinel master killed under a running campaign', function () {
  this.timeout(240_000);
  let g: SentinelGroup;
  let w: FaultWorld;
  let eng: EngineProcess;
  before(async () => {
    g = await startSentinelGroup();
    w = await startFaultWorld('ha_sentinel', { defaultSubscriber: ANSWER });
    // Nothing listens at DIALER_REDIS_URL: the engine must go through the sentinels.
    eng = await w.engine('ha-sentinel', await freePort(), { env: {
      DIALER_REDIS_URL: 'redis://127.0.0.1:1', DIALER_REDIS_SENTINELS: nodeList(g.sentinelNodes), DIALER_REDIS_SENTINEL_NAME: MASTER_NAME,
    } });
  });
  after(async () => {
    await w?.close();
    await g?.close();
  });

  it('S3, C2: every member done, no member dialled twice at once, no agent stuck; dialling resumes after the failover', async () => {
    await campaignThroughKill(w, eng, 'Sentinel failover', async () => {
      const oldPort = await g.masterPort();
      const t0 = Date.now();
      await g.master.kill();
      for (;;) {
        const port = await g.masterPort().catch(() => oldPort);
        if (port !== oldPort) return [...g.replicas, g.master].find((p) => p.port === port)!;
        expect(Date.now() - t0, 'a replica promoted').to.be.below(60_000);
        await sleep(50);
      }
    });
  });
});

describe('HA Redis: the Cluster master of the deployment\'s slot killed under a running campaign', function () {
  this.timeout(240_000);
  let c: RedisClusterGroup;
  let w: FaultWorld;
  let eng: EngineProcess;
  before(async () => {
    c = await startRedisCluster({ replicas: 1 });
    w = await startFaultWorld('ha_cluster', { defaultSubscriber: ANSWER });
    eng = await w.engine('ha-cluster', await freePort(), { env: { DIALER_REDIS_URL: 'redis://127.0.0.1:1', DIALER_REDIS_CLUSTER: nodeList(c.nodes) } });
  });
  after(async () => {
    await w?.close();
    await c?.close();
  });

  it('S3, C2: every member done, no member dialled twice at once, no agent stuck; dialling resumes after the replica took over', async () => {
    await campaignThroughKill(w, eng, 'Cluster failover', async () => {
      const owner = await c.ownerOf(w.prefix);
      const t0 = Date.now();
      await owner.kill();
      for (;;) {
        const now = await c.ownerOf(w.prefix).catch(() => owner);
        if (now !== owner) return now;
        expect(Date.now() - t0, 'a replica promoted').to.be.below(60_000);
        await sleep(50);
      }
    });
  });
});
