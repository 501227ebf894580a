import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { pino } from 'pino';
import { BullmqTimers } from '../../src/adapters/queue/bullmq-timers.js';
import type { RedisTarget } from '../../src/adapters/queue/redis-connection.js';
import { RedisDeskLog } from '../../src/adapters/queue/redis-desk-log.js';
import { RedisDispatchNews } from '../../src/adapters/queue/redis-dispatch-news.js';
import { RedisLoginThrottle } from '../../src/adapters/queue/redis-login-throttle.js';
import { RedisLossProbe } from '../../src/adapters/queue/redis-loss-probe.js';
import { RedisPresence } from '../../src/adapters/queue/redis-presence.js';
import type { DispatchNewsItem } from '../../src/app/ports/dispatch-news.js';
import type { TimerRequest } from '../../src/app/ports/timers.js';
import { MASTER_NAME, startRedisCluster, startSentinelGroup } from '../helpers/ha-redis.js';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok() && Date.now() < deadline) await sleep(20);
  expect(ok(), what).to.equal(true);
}

/** Every Redis use of the dialer on one topology (DESIGN §1a), with the deployment's hash-tagged prefix. */
function everyUse(target: () => RedisTarget) {
  const prefix = () => `{dialer-ha-${randomBytes(4).toString('hex')}}`;

  it('C4, S3: a BullMQ wake-up fires once, scheduled by one process and run by another; the loss probe sees its marker', async () => {
    const p = prefix();
    const a = new BullmqTimers({ redisUrl: target(), prefix: p, log, scanIntervalMs: 100 });
    const b = new BullmqTimers({ redisUrl: target(), prefix: p, log, scanIntervalMs: 100 });
    const probe = new RedisLossProbe({ redisUrl: target(), prefix: p, log });
    const fired: string[] = [];
    const via: string[] = [];
    b.on('fired', (f) => via.push(f.via));
    try {
      await b.start(async (t) => { fired.push(`b:${t.id}`); });
      const timer: TimerRequest = { kind: 'member-ready', id: '1', atMs: Date.now() + 300 };
      await a.schedule(timer);
      await a.schedule({ kind: 'member-ready', id: '2', atMs: Date.now() + 500 });
      await until('both timers fired on b', () => fired.length === 2);
      await sleep(300);
      expect(fired.sort()).to.deep.equal(['b:1', 'b:2']);
      expect(via).to.have.length(2);
      expect(await probe.lost(), 'first look: marker missing').to.equal(true);
      expect(await probe.lost(), 'then present').to.equal(false);
    } finally {
      await Promise.all([a.close(), b.close(), probe.close()]);
    }
  });

  it('DESIGN §1a: dispatch news published by one process reaches the other (pub/sub)', async () => {
    const p = prefix();
    const a = new RedisDispatchNews({ redisUrl: target(), prefix: p, instanceId: 'a', log });
    const b = new RedisDispatchNews({ redisUrl: target(), prefix: p, instanceId: 'b', log });
    const heard: DispatchNewsItem[] = [];
    try {
      await b.listen((items) => heard.push(...items));
      a.announce({ kind: 'members-added', campaignId: 7 });
      await until('b heard', () => heard.length === 1);
      expect(heard[0]).to.deep.equal({ kind: 'members-added', campaignId: 7 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('S5: the login throttle scripts count failures over several keys and hold the next try back', async () => {
    const t = new RedisLoginThrottle({ redisUrl: target(), prefix: prefix(), log,
      limits: { windowSec: 60, perUserAddress: 2, perAddress: 100, perUser: 100 } });
    try {
      expect(await t.waitSec('ann', '10.0.0.1')).to.equal(0);
      await t.failed('ann', '10.0.0.1');
      await t.failed('ann', '10.0.0.1');
      expect(await t.waitSec('ann', '10.0.0.1')).to.be.above(0);
      await t.succeeded('ann', '10.0.0.1');
      expect(await t.waitSec('ann', '10.0.0.1')).to.equal(0);
    } finally {
      await t.close();
    }
  });

  it('W2, W3: agent presence and the per-agent event log (Lua, publish from the script) work', async () => {
    const p = prefix();
    const presence = new RedisPresence({ redisUrl: target(), prefix: p, log, heartbeatMs: 5_000, graceMs: 10_000 });
    const a = new RedisDeskLog({ redisUrl: target(), prefix: p, instanceId: 'a', log });
    const b = new RedisDeskLog({ redisUrl: target(), prefix: p, instanceId: 'b', log });
    const heard: unknown[] = [];
    try {
      await presence.alive(4, 'c1');
      expect(await presence.present()).to.deep.equal([4]);
      await b.listen((e) => heard.push(e));
      const start = await a.read(5);
      const mark = { status: 'Available', break_reason: null, state: 'Reserved', ready_at: null, delay_until: null, wrap_up_ends_at: null, attempt_id: null, steps: [], result: null };
      expect(await a.append(5, start.version, mark, [{ type: 'ringing', attempt_id: 1 }], 1000)).to.not.equal(null);
      expect((await b.read(5)).version).to.equal(start.version + 1);
      await until('b heard the event', () => heard.length === 1);
    } finally {
      await Promise.all([presence.close(), a.close(), b.close()]);
    }
  });
}

describe('HA Redis: every Redis use on a Sentinel group (3 Redis, 3 Sentinels)', function () {
  this.timeout(60_000);
  let g: Awaited<ReturnType<typeof startSentinelGroup>>;
  before(async () => { g = await startSentinelGroup(); });
  after(async () => { await g?.close(); });
  everyUse(() => ({ sentinels: g.sentinelNodes, name: MASTER_NAME }));
});

describe('HA Redis: every Redis use on a Redis Cluster (3 masters)', function () {
  this.timeout(60_000);
  let c: Awaited<ReturnType<typeof startRedisCluster>>;
  before(async () => { c = await startRedisCluster(); });
  after(async () => { await c?.close(); });
  everyUse(() => ({ cluster: c.nodes }));
});
