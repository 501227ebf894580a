import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { BullmqTimers, type BullmqTimersOptions, type TimerFired } from '../../src/adapters/queue/bullmq-timers.js';
import { MemoryTimers } from '../../src/adapters/queue/memory-timers.js';
import type { TimerRequest, Timers } from '../../src/app/ports/timers.js';

const REDIS_URL = process.env.DIALER_REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = pino({ level: 'silent' });

/** Polls until `cond` holds; the bound only keeps a broken build from hanging the suite. */
async function waitFor(cond: () => boolean, what: string, boundMs = 15_000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run extends TimerRequest {
  ranAtMs: number;
  by: string;
}

type Observable = Timers & { on(event: 'fired', listener: (f: TimerFired) => void): unknown };

/** What every Timers implementation must do; the fake and the real adapter both pass it (STYLE §4). */
function contract(name: string, factory: (prefix: string, o: { backoffMs: number }) => Observable): void {
  describe(`Timers contract: ${name}`, () => {
    let prefix: string;
    let open: Observable[];
    let runs: Run[];
    const make = (backoffMs = 1_000) => {
      const t = factory(prefix, { backoffMs });
      open.push(t);
      return t;
    };
    const record = async (t: TimerRequest) => {
      runs.push({ ...t, ranAtMs: Date.now(), by: name });
    };
    const key = (t: TimerRequest) => `${t.kind}:${t.id}:${t.atMs}`;

    beforeEach(() => {
      prefix = `{timers-contract-${randomUUID()}}`;
      open = [];
      runs = [];
    });

    afterEach(async () => {
      await Promise.all(open.map((t) => t.close()));
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    });

    it('C4: fires once, not before its instant', async () => {
      const timers = make();
      await timers.start(record);
      const t: TimerRequest = { kind: 'member-ready', id: '1', atMs: Date.now() + 200 };
      await timers.schedule(t);
      await waitFor(() => runs.length > 0, 'the run');
      await sleep(300);
      expect(runs.map(key)).to.deep.equal([key(t)]);
      expect(runs[0]!.ranAtMs).to.be.at.least(t.atMs);
    });

    it('C4: an instant already past fires at once; one armed before start() runs after it', async () => {
      const timers = make();
      const early: TimerRequest = { kind: 'agent-ready', id: '2', atMs: Date.now() + 100 };
      await timers.schedule(early);
      await timers.start(record);
      const past: TimerRequest = { kind: 'result-deadline', id: '9', atMs: Date.now() - 60_000 };
      await timers.schedule(past);
      await waitFor(() => runs.length === 2, 'both runs');
      expect(runs.map(key).sort()).to.deep.equal([key(early), key(past)].sort());
    });

    it('S3: the same (kind, id, atMs) twice runs once; another atMs is another timer', async () => {
      const timers = make();
      await timers.start(record);
      const atMs = Date.now() + 200;
      const t: TimerRequest = { kind: 'calendar-open', id: '3:Asia/Tokyo', atMs };
      await timers.schedule(t);
      await timers.scheduleMany([t, { ...t }, { ...t, atMs: atMs + 100 }]);
      await waitFor(() => runs.length >= 2, 'the runs');
      await sleep(300);
      expect(runs.map(key).sort()).to.deep.equal([key(t), key({ ...t, atMs: atMs + 100 })].sort());
      expect(runs[0]!.id).to.equal('3:Asia/Tokyo');
    });

    it('C4: a cancelled timer never runs', async () => {
      const timers = make();
      await timers.start(record);
      const gone: TimerRequest = { kind: 'wrapup-end', id: '5', atMs: Date.now() + 200 };
      const kept: TimerRequest = { kind: 'wrapup-end', id: '6', atMs: Date.now() + 400 };
      await timers.scheduleMany([gone, kept]);
      await timers.cancel(gone);
      await waitFor(() => runs.length > 0, 'the kept timer');
      await sleep(200);
      expect(runs.map(key)).to.deep.equal([key(kept)]);
    });

    it('S3: a failing handler is retried until it succeeds', async () => {
      const timers = make(50);
      let calls = 0;
      await timers.start(async (t) => {
        calls += 1;
        if (calls <= 2) throw new Error('database hiccup');
        await record(t);
      });
      await timers.schedule({ kind: 'member-expire', id: '7', atMs: Date.now() + 100 });
      await waitFor(() => runs.length === 1, 'the successful run');
      expect(calls).to.equal(3);
    });

    it('S3: close() is idempotent and stops every run', async () => {
      const timers = make();
      await timers.start(record);
      await timers.schedule({ kind: 'sweep', id: 'all', atMs: Date.now() + 200 });
      const first = timers.close();
      expect(timers.close()).to.equal(first);
      await first;
      await sleep(400);
      expect(runs).to.have.length(0);
    });
  });
}

contract('BullmqTimers', (prefix, o) => new BullmqTimers({ redisUrl: REDIS_URL, prefix, log, scanIntervalMs: 100, ...o }));
contract('MemoryTimers', (_prefix, o) => new MemoryTimers(o));

describe('timers (BullMQ + in-process, real Redis)', () => {
  let prefix: string;
  let redis: Redis;
  let open: BullmqTimers[];
  let runs: Run[];

  function make(opts: Partial<BullmqTimersOptions> = {}): BullmqTimers {
    const t = new BullmqTimers({ redisUrl: REDIS_URL, prefix, log, scanIntervalMs: 100, ...opts });
    open.push(t);
    return t;
  }

  /** A handler that records each run, tagged with the process it ran on. */
  const recorder = (by: string) => async (t: TimerRequest) => {
    runs.push({ ...t, ranAtMs: Date.now(), by });
  };

  const delayedCount = () => redis.zcard(`${prefix}:timers:delayed`);
  const key = (t: TimerRequest) => `${t.kind}:${t.id}:${t.atMs}`;

  beforeEach(() => {
    prefix = `{timers-test-${randomUUID()}}`;
    redis = new Redis(REDIS_URL);
    open = [];
    runs = [];
  });

  afterEach(async () => {
    await Promise.all(open.map((t) => t.close()));
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('C4: a timer fires once, at and not before its instant, and leaves no job behind', async () => {
    const timers = make();
    await timers.start(recorder('a'));
    const t: TimerRequest = { kind: 'member-ready', id: '42', atMs: Date.now() + 300 };
    await timers.schedule(t);
    await waitFor(() => runs.length > 0, 'the run');
    await sleep(500); // room for a wrong second run by the Worker
    expect(runs).to.have.length(1);
    expect(runs[0]).to.include({ kind: 'member-ready', id: '42', atMs: t.atMs });
    expect(runs[0]!.ranAtMs).to.be.at.least(t.atMs);
    expect(await redis.exists(`${prefix}:timers:${key(t)}`)).to.equal(0);
  });

  it('S3: arming the same (kind, id, atMs) twice keeps one job and runs once; ids with ":" survive', async () => {
    const timers = make();
    const atMs = Date.now() + 400;
    const t: TimerRequest = { kind: 'calendar-open', id: '7:America/New_York', atMs };
    await timers.schedule(t);
    await timers.schedule(t);
    await timers.scheduleMany([t, { ...t }]);
    expect(await delayedCount()).to.equal(1);
    await timers.start(recorder('a'));
    await waitFor(() => runs.length > 0, 'the run');
    await sleep(400);
    expect(runs).to.have.length(1);
    expect(runs[0]).to.include({ kind: 'calendar-open', id: '7:America/New_York', atMs });
  });

  it('C4: a cancelled timer never runs, locally armed or not', async () => {
    const timers = make({ horizonMs: 1_000, scanIntervalMs: 100 });
    await timers.start(recorder('a'));
    const near: TimerRequest = { kind: 'wrapup-end', id: '5', atMs: Date.now() + 300 };
    const far: TimerRequest = { kind: 'wrapup-end', id: '6', atMs: Date.now() + 1_500 };
    const keep: TimerRequest = { kind: 'wrapup-end', id: '7', atMs: Date.now() + 1_600 };
    await timers.scheduleMany([near, far, keep]);
    expect(timers.localCount).to.equal(1);
    await timers.cancel(near);
    await timers.cancel(far);
    expect(timers.localCount).to.equal(0);
    await waitFor(() => runs.length > 0, 'the kept timer');
    await sleep(300);
    expect(runs.map(key)).to.deep.equal([key(keep)]);
  });

  it('C4: cancelling a timer already claimed ahead of its instant still stops it', async () => {
    const timers = make({ claimLeadMs: 1_000 });
    await timers.start(recorder('a'));
    const t: TimerRequest = { kind: 'wrapup-end', id: '9', atMs: Date.now() + 1_500 };
    await timers.schedule(t);
    const score = () => redis.zscore(`${prefix}:timers:delayed`, key(t));
    let claimed = false;
    while (!claimed && Date.now() < t.atMs) {
      claimed = Number(await score()) !== t.atMs * 0x1000;
      await sleep(10);
    }
    expect(claimed).to.equal(true);
    await timers.cancel(t);
    await sleep(Math.max(0, t.atMs - Date.now()) + 300);
    expect(runs).to.have.length(0);
    expect(await score()).to.equal(null);
  });

  it('S3: close() gives a claimed, unrun timer back at its own instant', async () => {
    const a = make({ claimLeadMs: 1_500 });
    await a.start(recorder('a'));
    const t: TimerRequest = { kind: 'agent-ready', id: '12', atMs: Date.now() + 2_500 };
    await a.schedule(t);
    const score = async () => Number(await redis.zscore(`${prefix}:timers:delayed`, key(t)));
    while ((await score()) === t.atMs * 0x1000 && Date.now() < t.atMs) await sleep(10);
    expect(await score()).to.be.above(t.atMs * 0x1000); // leased by A
    await a.close();
    expect(await score()).to.equal(t.atMs * 0x1000);
    // A's Worker closed first, so the wake-up is left for another process's Worker.
    expect(Number(await redis.zscore(`${prefix}:timers:marker`, '1'))).to.equal(t.atMs);
    const b = make();
    await b.start(recorder('b'));
    await waitFor(() => runs.length > 0, 'the run on B');
    expect(runs.map((r) => r.by)).to.deep.equal(['b']);
  });

  it('S3: a timer armed by process A runs on process B after A closed', async () => {
    const a = make();
    await a.start(recorder('a'));
    const t: TimerRequest = { kind: 'member-expire', id: '11', atMs: Date.now() + 600 };
    await a.schedule(t);
    expect(a.localCount).to.equal(1);
    await a.close();
    const b = make();
    await b.start(recorder('b'));
    await waitFor(() => runs.length > 0, 'the run on B');
    await sleep(300);
    expect(runs.map((r) => [key(r), r.by])).to.deep.equal([[key(t), 'b']]);
  });

  it('S3: a run that never finished (process died mid-handler) runs again on another process after the lease', async () => {
    let release: () => void = () => undefined;
    const a = make({ leaseMs: 700, closeTimeoutMs: 50 });
    await a.start(async (t) => {
      runs.push({ ...t, ranAtMs: Date.now(), by: 'a' });
      await new Promise<void>((r) => (release = r)); // hangs like a process frozen mid-handler
    });
    const t: TimerRequest = { kind: 'agent-ready', id: '8', atMs: Date.now() + 200 };
    await a.schedule(t);
    await waitFor(() => runs.length === 1, 'the run on A');
    await a.close();
    const b = make({ leaseMs: 700 });
    await b.start(recorder('b'));
    await waitFor(() => runs.length === 2, 'the second run on B');
    release();
    expect(runs.map((r) => r.by)).to.deep.equal(['a', 'b']);
    expect(runs[1]!.ranAtMs).to.be.at.least(t.atMs + 700); // not before A's lease ended
  });

  it('S3: with two processes running, each timer runs exactly once', async () => {
    const a = make();
    const b = make();
    await a.start(recorder('a'));
    await b.start(recorder('b'));
    const base = Date.now() + 300;
    const ts: TimerRequest[] = Array.from({ length: 300 }, (_, i) => ({
      kind: 'member-ready' as const,
      id: String(i),
      atMs: base + (i % 60) * 20,
    }));
    // Half armed by each process; the other one sees them only through its scan or Worker.
    await a.scheduleMany(ts.slice(0, 150));
    await b.scheduleMany(ts.slice(150));
    await waitFor(() => runs.length >= ts.length, 'all runs');
    await sleep(500);
    const perTimer = new Map<string, number>();
    for (const r of runs) perTimer.set(key(r), (perTimer.get(key(r)) ?? 0) + 1);
    expect(perTimer.size).to.equal(ts.length);
    expect([...perTimer.values()].every((n) => n === 1)).to.equal(true);
    expect(runs.every((r) => r.ranAtMs >= r.atMs)).to.equal(true);
    expect(await delayedCount()).to.equal(0);
  });

  it('S3: scheduleMany of 5,000 timers runs each once, none early', async () => {
    const timers = make();
    await timers.start(recorder('a'));
    const base = Date.now() + 1_000;
    const ts: TimerRequest[] = Array.from({ length: 5_000 }, (_, i) => ({
      kind: 'member-ready' as const,
      id: `m${i}`,
      atMs: base + (i % 2_000),
    }));
    await timers.scheduleMany(ts);
    await waitFor(() => runs.length >= ts.length, '5,000 runs', 30_000);
    await sleep(300);
    expect(new Set(runs.map(key)).size).to.equal(ts.length);
    expect(runs).to.have.length(ts.length);
    expect(runs.every((r) => r.ranAtMs >= r.atMs)).to.equal(true);
  });

  it('S3: a failing handler is retried with backoff until it succeeds (local first run)', async () => {
    const fired: TimerFired[] = [];
    const timers = make({ backoffMs: 100 });
    timers.on('fired', (f) => fired.push(f));
    let calls = 0;
    await timers.start(async (t) => {
      calls += 1;
      if (calls <= 2) throw new Error('database hiccup');
      runs.push({ ...t, ranAtMs: Date.now(), by: 'a' });
    });
    await timers.schedule({ kind: 'result-deadline', id: '1', atMs: Date.now() + 200 });
    await waitFor(() => runs.length === 1, 'the successful run');
    expect(calls).to.equal(3);
    expect(fired.map((f) => [f.via, f.attempt])).to.deep.equal([['local', 1], ['worker', 1], ['worker', 2]]);
  });

  it('S3: a failing handler is retried with backoff until it succeeds (worker run)', async () => {
    const timers = make({ backoffMs: 100 });
    let calls = 0;
    await timers.start(async (t) => {
      calls += 1;
      if (calls <= 2) throw new Error('database hiccup');
      runs.push({ ...t, ranAtMs: Date.now(), by: 'a' });
    });
    await timers.schedule({ kind: 'campaign-end', id: '4', atMs: Date.now() - 1_000 });
    await waitFor(() => runs.length === 1, 'the successful run');
    expect(calls).to.equal(3);
  });

  it('S3: close() is idempotent and leaves pending timers in Redis', async () => {
    const timers = make();
    await timers.start(recorder('a'));
    await timers.schedule({ kind: 'sweep', id: 'all', atMs: Date.now() + 60_000 });
    const first = timers.close();
    expect(timers.close()).to.equal(first);
    await first;
    expect(await delayedCount()).to.equal(1);
    expect(runs).to.have.length(0);
  });

  it('S3: close() releases every timer and socket it created', async () => {
    const count = () => {
      const r = process.getActiveResourcesInfo();
      return { timeouts: r.filter((x) => x === 'Timeout').length, sockets: r.filter((x) => x === 'TCPSocketWrap').length };
    };
    // The baseline is read once this test's own handles exist: mocha arms its per-test timeout
    // timer when the test body first yields, and the fixture's client connects asynchronously.
    await redis.ping();
    const before = count();
    const timers = make({ claimLeadMs: 300 });
    await timers.start(recorder('a'));
    await timers.scheduleMany([
      { kind: 'sweep', id: 'x', atMs: Date.now() + 100 },
      { kind: 'sweep', id: 'y', atMs: Date.now() + 400 },
      { kind: 'sweep', id: 'z', atMs: Date.now() + 30_000 },
    ]);
    await waitFor(() => runs.length > 0, 'the first run');
    expect(count().sockets).to.be.above(before.sockets);
    await timers.close();
    // Give sockets a moment to finish closing; a handle still there after the bound is a leak.
    await waitFor(() => count().timeouts <= before.timeouts && count().sockets <= before.sockets, 'handles to close', 2_000).catch(
      () => undefined,
    );
    const after = count();
    expect(after.timeouts).to.be.at.most(before.timeouts);
    expect(after.sockets).to.be.at.most(before.sockets);
  });

  describe('another OS process killed with SIGKILL', () => {
    let child: ChildProcess | undefined;
    afterEach(() => {
      child?.kill('SIGKILL');
      child = undefined;
    });

    /** Starts timers-child.ts; resolves with its stdout lines as they come. */
    function spawnChild(delayMs: number, mode: 'hang' | 'idle'): string[] {
      const lines: string[] = [];
      const script = fileURLToPath(new URL('./timers-child.ts', import.meta.url));
      child = spawn(process.execPath, ['--import', 'tsx', script, REDIS_URL, prefix, String(delayMs), mode], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child.stdout!.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
      return lines;
    }

    it('S3: a timer armed by a process killed before its instant runs on another process', async () => {
      const lines = spawnChild(2_000, 'idle');
      await waitFor(() => lines.some((l) => l.startsWith('scheduled')), 'the child to arm its timer', 20_000);
      child!.kill('SIGKILL');
      const atMs = Number(lines.find((l) => l.startsWith('scheduled'))!.split(' ')[1]);
      const b = make();
      await b.start(recorder('b'));
      await waitFor(() => runs.length > 0, 'the run on B', 20_000);
      expect(lines.filter((l) => l.startsWith('ran'))).to.deep.equal([]);
      expect(runs.map((r) => [r.id, r.atMs, r.by])).to.deep.equal([['crash', atMs, 'b']]);
    });

    it('S3: a timer whose process was killed mid-handler runs again on another process after the lease', async () => {
      const lines = spawnChild(300, 'hang');
      await waitFor(() => lines.some((l) => l.startsWith('ran')), 'the run on the child', 30_000);
      child!.kill('SIGKILL');
      const b = make();
      await b.start(recorder('b'));
      await waitFor(() => runs.length > 0, 'the second run on B', 20_000);
      expect(runs.map((r) => `ran ${key(r)}`)).to.deep.equal(lines.filter((l) => l.startsWith('ran')));
    });
  });
});
