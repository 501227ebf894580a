/**
 * Timer lateness (issue 6, goal p99 <= 25 ms): the Timers adapter beside bare BullMQ delayed
 * jobs, measured in the same run on the running Redis. Lateness = handler start - due instant.
 *
 *   npm run bench:timers [-- --n 2000 --spread-ms 10000 --no-write]
 *
 * Appends or replaces the "Timer lateness" section of BENCHMARKS.md (nothing else in it).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { BullmqTimers } from '../src/adapters/queue/bullmq-timers.js';
import type { TimerRequest } from '../src/app/ports/timers.js';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '2000' },
    'spread-ms': { type: 'string', default: '10000' },
    'no-write': { type: 'boolean', default: false },
  },
});
const N = Number(args.n);
const SPREAD_MS = Number(args['spread-ms']);
// First instant this far ahead: scheduling is done, and a scan (every 2 s) has seen every timer.
const LEAD_MS = 4_000;
const REDIS_URL = process.env.DIALER_REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = pino({ level: 'warn' });

interface Stats {
  n: number;
  p50: number;
  p99: number;
  max: number;
  /** p99 of a bare setTimeout armed in the same process for the same instants, during the same run. */
  floorP99?: number;
}

function stats(lateMs: number[]): Stats {
  const s = [...lateMs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1]! };
}

/**
 * N timers at random instants, and a bare setTimeout for each instant in this process: its
 * lateness, measured at the same moments, is the floor set by the event loop and the CPU share.
 */
function plan(floorLate: number[]): TimerRequest[] {
  const start = Date.now() + LEAD_MS;
  const ts = Array.from({ length: N }, (_, i) => ({
    kind: 'member-ready' as const,
    id: `b${i}`,
    atMs: start + Math.floor(Math.random() * SPREAD_MS),
  }));
  for (const t of ts) setTimeout(() => floorLate.push(Date.now() - t.atMs), t.atMs - Date.now());
  return ts;
}

async function waitAll(late: number[], boundMs: number): Promise<void> {
  const end = Date.now() + boundMs;
  while (late.length < N && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  if (late.length < N) throw new Error(`only ${late.length} of ${N} timers ran`);
}

async function dropKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
}

/** Baseline: Queue.add with a delay and a Worker, nothing else. */
async function bareBullmq(redis: Redis): Promise<Stats> {
  const prefix = `{bench-bare-${randomUUID()}}`;
  const late: number[] = [];
  const floor: number[] = [];
  const worker = new Worker(
    'timers',
    async (job) => {
      late.push(Date.now() - (job.data as TimerRequest).atMs);
    },
    { connection: { url: REDIS_URL }, prefix, concurrency: 16 },
  );
  const queue = new Queue('timers', { connection: { url: REDIS_URL }, prefix });
  try {
    await worker.waitUntilReady();
    const ts = plan(floor);
    const now = Date.now();
    for (let i = 0; i < ts.length; i += 1000) {
      await queue.addBulk(
        ts.slice(i, i + 1000).map((t) => ({
          name: t.kind,
          data: t,
          opts: { jobId: `${t.kind}:${t.id}:${t.atMs}`, timestamp: now, delay: t.atMs - now, removeOnComplete: true },
        })),
      );
    }
    await waitAll(late, SPREAD_MS + LEAD_MS + 30_000);
    return { ...stats(late), floorP99: stats(floor).p99 };
  } finally {
    await worker.close();
    await queue.close();
    await dropKeys(redis, prefix);
  }
}

/**
 * The adapter. `viaScan`: timers are armed by a second, never-started instance (as another
 * engine process would), so the running one finds them only through its delayed-set scan.
 */
async function adapter(redis: Redis, viaScan: boolean): Promise<Stats> {
  const prefix = `{bench-timers-${randomUUID()}}`;
  const late: number[] = [];
  const floor: number[] = [];
  const runner = new BullmqTimers({ redisUrl: REDIS_URL, prefix, log });
  const producer = viaScan ? new BullmqTimers({ redisUrl: REDIS_URL, prefix, log }) : runner;
  try {
    await runner.start(async (t) => {
      late.push(Date.now() - t.atMs);
    });
    await producer.scheduleMany(plan(floor));
    await waitAll(late, SPREAD_MS + LEAD_MS + 30_000);
    return { ...stats(late), floorP99: stats(floor).p99 };
  } finally {
    await producer.close();
    await runner.close();
    await dropKeys(redis, prefix);
  }
}

const redis = new Redis(REDIS_URL);
const hz = ((await redis.config('GET', 'hz')) as string[])[1] ?? '?';
const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';

const load = loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`timer lateness: ${N} timers over ${SPREAD_MS} ms, Redis ${redisVersion} hz ${hz}, load average ${load}`);
const bare = await bareBullmq(redis);
console.log('bare BullMQ delayed jobs      ', bare);
const local = await adapter(redis, false);
console.log('Timers (armed here)           ', local);
const scanned = await adapter(redis, true);
console.log('Timers (armed by another one) ', scanned);
const ratio = (a: Stats, b: Stats) => (b.p99 > 0 ? (a.p99 / b.p99).toFixed(1) : 'inf');
console.log(`p99 ratio bare/Timers: ${ratio(bare, local)}x (armed here), ${ratio(bare, scanned)}x (armed elsewhere)`);
redis.disconnect();

if (!args['no-write']) {
  const row = (name: string, s: Stats) => `| ${name} | ${s.n} | ${s.p50} | ${s.p99} | ${s.max} | ${s.floorP99} |`;
  const goal = Math.max(local.p99, scanned.p99) <= 25 ? 'met' : 'missed';
  const section = [
    '## Timer lateness',
    '',
    `\`npm run bench:timers\` — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}),` +
      ` Node ${process.version}, Redis ${redisVersion} at its own \`hz ${hz}\` (\`CONFIG GET hz\`; config untouched).`,
    `Load average at start: ${load} (the machine is shared; other work runs beside the bench).`,
    `${N} timers due at random instants over ${SPREAD_MS / 1000} s, each path in turn in the same run;`,
    'lateness = handler start − due instant, in ms. Floor: a bare `setTimeout` armed in the same process for',
    'the same instants during the same run (what the event loop and this shared CPU allow).',
    '',
    '| path | timers | p50 | p99 | max | floor p99 |',
    '|---|---|---|---|---|---|',
    row('bare BullMQ: `Queue.add` with `delay` + `Worker` (baseline)', bare),
    row('`BullmqTimers`, armed by this process (in-process timer)', local),
    row('`BullmqTimers`, armed by another instance (found by the delayed-set scan)', scanned),
    '',
    `p99 ratio bare / ours: ${ratio(bare, local)}× (armed here), ${ratio(bare, scanned)}× (armed elsewhere).` +
      ` Goal p99 ≤ 25 ms: ${goal}.`,
    `Ours above the floor at p99: ${local.p99 - (local.floorP99 ?? 0)} ms (armed here),` +
      ` ${scanned.p99 - (scanned.floorP99 ?? 0)} ms (armed elsewhere); the rest is what the event loop gets of`,
    'this shared CPU at those instants, so on a loaded machine the goal is bounded by the floor, not by Redis.',
    'Each timer is claimed in Redis 200 ms ahead of its instant, so no round trip sits on the critical path.',
    'A timer armed by another process less than one scan interval (2 s) ahead is run by the next scan or by',
    'the Worker, whichever comes first (the bench arms every timer at least 4 s ahead).',
    'Why bare is late: the Worker blocks on `BZPOPMIN` until the next due instant, and Redis checks',
    'blocked-client timeouts once per server tick (1000/hz ms), so a delayed job runs up to a tick late.',
    '',
  ].join('\n');
  const file = new URL('../BENCHMARKS.md', import.meta.url);
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\n';
  const re = /## Timer lateness\n[\s\S]*?(?=\n## |$)/;
  const next = re.test(old) ? old.replace(re, section.trimEnd() + '\n') : `${old.trimEnd()}\n\n${section}`;
  writeFileSync(file, next);
  console.log('BENCHMARKS.md: "Timer lateness" section written');
}
