import { EventEmitter } from 'node:events';
import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { TimerHandler, TimerRequest, Timers } from '../../app/ports/timers.js';
import { DelayedSet } from './delayed-set.js';
import { connectRedis, type RedisConnection, type RedisTarget } from './redis-connection.js';
import { NearTimers, withDeadline } from './near-timers.js';
import { assertValidTimer, parseTimerJobId, timerJobId } from './timer-job-id.js';

export interface BullmqTimersOptions {
  /** Redis: a URL (`redis://host:port/db`), a Sentinel group or a Cluster. */
  redisUrl: RedisTarget;
  /** BullMQ key prefix, hash-tagged so a queue's keys share one Cluster slot (DESIGN §1a). */
  prefix: string;
  /** @defaultValue 'timers' */
  queueName?: string;
  log: Logger;
  /** Timers due within this many ms also get an in-process timer. @defaultValue 45_000 */
  horizonMs?: number;
  /** How often the delayed set is read for near-due timers of other processes, ms. @defaultValue 2_000 */
  scanIntervalMs?: number;
  /** How long a local run holds its job before a Worker may run it again, ms. @defaultValue 30_000 */
  leaseMs?: number;
  /** Worker runs after a failed first run, with exponential backoff (8: about 2 min of retries). @defaultValue 8 */
  attempts?: number;
  /** First retry delay, ms (then doubled each time). @defaultValue 1_000 */
  backoffMs?: number;
  /** The near path claims a job this long before its instant, ms. @defaultValue 200 */
  claimLeadMs?: number;
  /** Jobs the BullMQ Worker runs at once. @defaultValue 16 */
  concurrency?: number;
  /** Local runs at once; a timer beyond it is left to the Worker. @defaultValue 64 */
  maxLocalInFlight?: number;
  /** In-process timers kept at most. @defaultValue 50_000 */
  maxLocalTimers?: number;
  /** Deadline on each Redis command of the producer side, ms. @defaultValue 5_000 */
  commandTimeoutMs?: number;
  /** How long close() waits for running handlers, ms. @defaultValue 10_000 */
  closeTimeoutMs?: number;
  /** Clock, epoch ms. Must advance with Date.now(): BullMQ promotes jobs by Date.now(). */
  now?: () => number;
}

/** One handler run, for the lateness histogram (`firedAtMs - atMs`). */
export interface TimerFired extends TimerRequest {
  firedAtMs: number;
  /** 'local': the in-process timer; 'worker': BullMQ's delayed job (other process, retry, fallback). */
  via: 'local' | 'worker';
  /** 1 for a first run; retries count up. */
  attempt: number;
}

interface Events {
  fired: [TimerFired];
}

const BULK_CHUNK = 1000;

/**
 * Durable, precise wake-ups (DESIGN §1). A BullMQ delayed job is the durable record; a
 * timer due within `horizonMs` also gets an in-process timer (near-timers.ts: armed by
 * schedule() or found by a scan of the delayed set, so other processes' timers are covered)
 * that claims the job atomically just before its instant, runs the handler at the instant and
 * removes the job. Whatever that path misses — a process that died, a full table, a failed
 * run — the Worker runs when BullMQ promotes it, about one Redis tick late. Each job runs on
 * one process. Emits 'fired' before each handler run.
 */
export class BullmqTimers extends EventEmitter<Events> implements Timers {
  readonly #o: Required<Omit<BullmqTimersOptions, 'redisUrl' | 'log' | 'now'>>;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #target: RedisTarget;
  readonly #queue: Queue;
  /** The queue's and the claims' connection (with command deadlines). */
  readonly #redis: RedisConnection;
  /** The Worker's, which BullMQ duplicates for its blocking wait; made by start(). */
  #workerRedis: RedisConnection | undefined;
  readonly #delayed: DelayedSet;
  #near: NearTimers | undefined;
  #worker: Worker | undefined;
  #handler: TimerHandler | undefined;
  #closing: Promise<void> | undefined;

  constructor(opts: BullmqTimersOptions) {
    super();
    this.#o = {
      prefix: opts.prefix,
      queueName: opts.queueName ?? 'timers',
      horizonMs: opts.horizonMs ?? 45_000,
      scanIntervalMs: opts.scanIntervalMs ?? 2_000,
      leaseMs: opts.leaseMs ?? 30_000,
      attempts: opts.attempts ?? 8,
      backoffMs: opts.backoffMs ?? 1_000,
      claimLeadMs: opts.claimLeadMs ?? 200,
      concurrency: opts.concurrency ?? 16,
      maxLocalInFlight: opts.maxLocalInFlight ?? 64,
      maxLocalTimers: opts.maxLocalTimers ?? 50_000,
      commandTimeoutMs: opts.commandTimeoutMs ?? 5_000,
      closeTimeoutMs: opts.closeTimeoutMs ?? 10_000,
    };
    if (this.#o.scanIntervalMs >= this.#o.horizonMs) throw new RangeError('scanIntervalMs must be below horizonMs');
    // setTimeout turns a longer delay into 1 ms.
    if (this.#o.horizonMs > 2 ** 31 - 1) throw new RangeError('horizonMs must fit a setTimeout delay');
    // The caller names the component (STYLE 6: children are made where the adapter is wired).
    this.#log = opts.log.child({ queue: this.#o.queueName });
    this.#now = opts.now ?? Date.now;
    this.#target = opts.redisUrl;
    // Connections made here (one Redis node, a Sentinel group or a Cluster alike) and handed to
    // BullMQ, which then leaves closing them to us. On a Cluster BullMQ's scripts need the queue's
    // keys in one slot: the prefix carries a {hash tag} (config.ts checks it).
    this.#redis = connectRedis(this.#target, { commandTimeout: this.#o.commandTimeoutMs, connectTimeout: this.#o.commandTimeoutMs });
    this.#redis.on('error', (err) => this.#log.warn({ err }, 'timer claims: redis error'));
    this.#queue = new Queue(this.#o.queueName, { connection: this.#redis, prefix: this.#o.prefix, defaultJobOptions: this.#jobOptions() });
    this.#queue.on('error', (err) => this.#log.warn({ err }, 'timer queue: redis error'));
    this.#delayed = new DelayedSet(this.#redis, this.#queue.keys.delayed!, this.#queue.keys.marker!);
  }

  async schedule(t: TimerRequest): Promise<void> {
    assertValidTimer(t);
    const now = this.#now();
    await this.#queue.add(t.kind, toData(t), this.#addOptions(t, now));
    this.#armIfDelayed(toData(t), now);
  }

  async scheduleMany(ts: TimerRequest[]): Promise<void> {
    ts.forEach(assertValidTimer);
    for (let i = 0; i < ts.length; i += BULK_CHUNK) {
      const chunk = ts.slice(i, i + BULK_CHUNK);
      const now = this.#now();
      await this.#queue.addBulk(chunk.map((t) => ({ name: t.kind, data: toData(t), opts: this.#addOptions(t, now) })));
      for (const t of chunk) this.#armIfDelayed(toData(t), now);
    }
  }

  async cancel(t: TimerRequest): Promise<void> {
    assertValidTimer(t);
    const jobId = timerJobId(t);
    this.#near?.cancel(jobId);
    // 0 when a Worker is running it right now: too late to cancel, and harmless (STYLE 9).
    await this.#queue.remove(jobId);
  }

  async start(handler: TimerHandler): Promise<void> {
    if (this.#closing) throw new Error('timers: start() after close()');
    if (this.#handler) throw new Error('timers: start() called twice');
    this.#handler = handler;
    // The Worker's connections must have no command timeout (BZPOPMIN blocks) and retry without end.
    this.#workerRedis = connectRedis(this.#target, { connectTimeout: this.#o.commandTimeoutMs, maxRetriesPerRequest: null });
    this.#workerRedis.on('error', (err) => this.#log.warn({ err }, 'timer worker: redis error'));
    this.#worker = new Worker(this.#o.queueName, (job) => this.#runFromWorker(job), {
      connection: this.#workerRedis,
      prefix: this.#o.prefix,
      concurrency: this.#o.concurrency,
    });
    this.#worker.on('error', (err) => this.#log.warn({ err }, 'timer worker: redis error'));
    this.#worker.on('failed', (job, err) => this.#onWorkerFailed(job, err));
    await this.#worker.waitUntilReady();
    this.#near = new NearTimers(this.#o, {
      delayed: this.#delayed,
      handler,
      remove: (jobId) => this.#queue.remove(jobId),
      retrySoon: (jobId) => this.#queue.getBackend().changeDelay(jobId, this.#o.backoffMs),
      onFired: (f, firedAtMs) => this.#emitFired({ ...f, firedAtMs, via: 'local', attempt: 1 }),
      now: this.#now,
      log: this.#log,
    });
    await this.#near.startScan();
  }

  close(): Promise<void> {
    return (this.#closing ??= this.#shutdown());
  }

  /** Timers armed in this process (for tests and metrics). */
  get localCount(): number {
    return this.#near?.size ?? 0;
  }

  /** The BullMQ queue, for the admin dashboard (bull-board) only; closed by close(). */
  get queue(): Queue {
    return this.#queue;
  }

  #jobOptions(): JobsOptions {
    return {
      // Removed when done, so a deterministic id can be armed again (DESIGN §1).
      removeOnComplete: true,
      removeOnFail: true,
      attempts: this.#o.attempts,
      backoff: { type: 'exponential', delay: this.#o.backoffMs },
    };
  }

  #addOptions(t: TimerRequest, now: number): JobsOptions {
    // timestamp + delay = atMs exactly, so the delayed score names the timer's own instant
    // and a scan can tell a first run from a lease or a retry (delayed-set.ts).
    return { jobId: timerJobId(t), timestamp: now, delay: Math.max(0, t.atMs - now) };
  }

  /** A job added with a delay sits in the delayed set: the near path may take it. */
  #armIfDelayed(t: TimerRequest, addedAtMs: number): void {
    if (this.#near && !this.#closing && t.atMs > addedAtMs) this.#near.arm(timerJobId(t), t);
  }

  async #runFromWorker(job: Job): Promise<void> {
    const t = job.id ? parseTimerJobId(job.id) : null;
    if (!t) {
      this.#log.error({ jobId: job.id }, 'timer job with a foreign id dropped');
      return;
    }
    this.#emitFired({ ...t, firedAtMs: this.#now(), via: 'worker', attempt: job.attemptsMade + 1 });
    // A rejection makes BullMQ retry with backoff (attempts): a MySQL hiccup loses no timer.
    await this.#handler!(t);
  }

  /** A throwing metrics listener must not cost a timer its run. */
  #emitFired(f: TimerFired): void {
    try {
      this.emit('fired', f);
    } catch (err) {
      this.#log.warn({ err }, "timers: a 'fired' listener threw");
    }
  }

  #onWorkerFailed(job: Job | undefined, err: Error): void {
    const attempts = job?.opts.attempts ?? 1;
    if (job && job.attemptsMade < attempts) {
      this.#log.warn({ err, jobId: job.id, attemptsMade: job.attemptsMade }, 'timer handler failed; will retry');
    } else {
      this.#log.error({ err, jobId: job?.id, attemptsMade: job?.attemptsMade }, 'timer dropped after its last attempt');
    }
  }

  async #shutdown(): Promise<void> {
    // Reverse order of start(): the near path first (its runs use the queue), then the Worker,
    // then unrun claims go back (once our Worker cannot take the wake-up meant for others).
    const steps: [string, () => Promise<unknown>][] = [
      ['near timers', () => this.#near?.close(this.#o.closeTimeoutMs) ?? Promise.resolve()],
      ['worker', () => (this.#worker ? withDeadline(this.#worker.close(), this.#o.closeTimeoutMs) : Promise.resolve())],
      ['claims', () => this.#near?.releaseClaims() ?? Promise.resolve()],
      ['queue', () => this.#queue.close()],
      ...[this.#workerRedis, this.#redis].map((r): [string, () => Promise<unknown>] =>
        ['redis', () => r?.quit().catch(() => r.disconnect()) ?? Promise.resolve()]),
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (err) {
        this.#log.warn({ err, step: name }, 'timers: close step failed');
      }
    }
  }
}

function toData(t: TimerRequest): TimerRequest {
  return { kind: t.kind, id: t.id, atMs: t.atMs };
}
