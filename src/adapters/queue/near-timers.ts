import type { Logger } from 'pino';
import type { TimerHandler, TimerRequest } from '../../app/ports/timers.js';
import type { DelayedSet } from './delayed-set.js';
import { LocalTimers } from './local-timers.js';
import { parseTimerJobId } from './timer-job-id.js';

export interface NearTimersOptions {
  horizonMs: number;
  scanIntervalMs: number;
  leaseMs: number;
  claimLeadMs: number;
  maxLocalInFlight: number;
  maxLocalTimers: number;
}

/** What the fast path needs from the queue side. */
export interface NearTimersDeps {
  delayed: DelayedSet;
  handler: TimerHandler;
  /** Removes a job that ran. */
  remove(jobId: string): Promise<unknown>;
  /** Moves a claimed job that failed back to the queue, due soon, for the Worker's retries. */
  retrySoon(jobId: string): Promise<unknown>;
  onFired(t: TimerRequest, firedAtMs: number): void;
  now(): number;
  log: Logger;
}

/**
 * The precise half of the timer adapter (DESIGN §1): an in-process timer for each job due
 * within the horizon, whoever armed it. `claimLeadMs` before the instant it claims the job
 * (delayed-set.ts), so the Redis round trip is off the critical path; at the instant it runs
 * the handler and removes the job. Anything it cannot do is left in BullMQ for the Worker.
 */
export class NearTimers {
  /** Timers waiting to claim their job. */
  readonly #toClaim: LocalTimers;
  /** Claimed jobs waiting for their instant. */
  readonly #toRun: LocalTimers;
  readonly #claimed = new Map<string, { t: TimerRequest; leaseUntilMs: number }>();
  readonly #inFlight = new Set<Promise<void>>();
  #scanTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** close() stopped waiting for runs; the queue is being closed under them. */
  #queueGone = false;

  constructor(
    private readonly o: NearTimersOptions,
    private readonly d: NearTimersDeps,
  ) {
    this.#toClaim = new LocalTimers(d.now, o.maxLocalTimers);
    this.#toRun = new LocalTimers(d.now, o.maxLocalTimers);
  }

  get size(): number {
    return this.#toClaim.size + this.#toRun.size;
  }

  /** Arms a timer whose job is in the delayed set, if due within the horizon. */
  arm(jobId: string, t: TimerRequest): void {
    if (this.#closed || t.atMs - this.d.now() > this.o.horizonMs) return;
    if (this.#toRun.has(jobId)) return;
    this.#toClaim.arm(jobId, t.atMs - this.o.claimLeadMs, () => this.#track(this.#claim(jobId, t)));
  }

  cancel(jobId: string): void {
    this.#toClaim.clear(jobId);
    this.#toRun.clear(jobId);
    this.#claimed.delete(jobId);
  }

  /** Reads the delayed set now and then every scanIntervalMs, for other processes' timers. */
  async startScan(): Promise<void> {
    this.#scanTimer = undefined;
    if (this.#closed) return;
    try {
      const limit = Math.max(0, this.o.maxLocalTimers - this.#toClaim.size);
      const due = limit > 0 ? await this.d.delayed.dueUntil(this.d.now() + this.o.horizonMs, limit) : [];
      for (const e of due) {
        if (this.#toClaim.has(e.jobId) || this.#toRun.has(e.jobId)) continue;
        const t = parseTimerJobId(e.jobId);
        // Only first runs: a job moved off its own instant is leased or awaiting a retry.
        if (t && t.atMs === e.dueMs) this.arm(e.jobId, t);
      }
    } catch (err) {
      this.d.log.warn({ err }, 'timer scan failed; the worker still runs due timers');
    }
    if (!this.#closed) this.#scanTimer = setTimeout(() => void this.startScan(), this.o.scanIntervalMs);
  }

  /** Stops arming and waits (bounded) for running handlers. */
  async close(deadlineMs: number): Promise<void> {
    this.#closed = true;
    if (this.#scanTimer) clearTimeout(this.#scanTimer);
    this.#toClaim.clearAll();
    this.#toRun.clearAll();
    await withDeadline(Promise.allSettled([...this.#inFlight]), deadlineMs).catch((err: unknown) =>
      this.d.log.warn({ err, running: this.#inFlight.size }, 'timers: handlers still running at close; their jobs rerun after the lease'),
    );
    this.#queueGone = true;
  }

  /**
   * Gives claimed, unrun jobs back at their own instant. Call after this process's Worker is
   * closed: the release wakes one blocked Worker, and it must be another process's.
   */
  async releaseClaims(): Promise<void> {
    const unrun = [...this.#claimed];
    this.#claimed.clear();
    await Promise.allSettled(
      unrun.map(([jobId, c]) =>
        this.d.delayed.release(jobId, c.t.atMs, c.leaseUntilMs).catch((err: unknown) => {
          this.d.log.warn({ err, jobId }, 'timer claim not given back; it runs when the lease ends');
        }),
      ),
    );
  }

  #track(p: Promise<void>): void {
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  async #claim(jobId: string, t: TimerRequest): Promise<void> {
    // Saturated: leave it to the Worker, about one Redis tick later, rather than queue here.
    if (this.#closed || this.#inFlight.size >= this.o.maxLocalInFlight) return;
    const leaseUntilMs = Math.max(this.d.now(), t.atMs) + this.o.leaseMs;
    try {
      const claim = await this.d.delayed.claim(jobId, t.atMs, leaseUntilMs);
      if (claim.kind !== 'claimed') return;
    } catch (err) {
      this.d.log.warn({ err, jobId }, 'timer claim failed; left to the worker');
      return;
    }
    this.#claimed.set(jobId, { t, leaseUntilMs });
    if (this.#closed) return; // releaseClaims() gives it back
    const armed = this.#toRun.arm(jobId, t.atMs, () => {
      // Cancelled meanwhile: cancel() dropped the entry and removed the job.
      if (this.#claimed.delete(jobId)) this.#track(this.#run(jobId, t));
    });
    if (!armed) {
      // Table full: give the job back rather than leave it idle until the lease ends.
      this.#claimed.delete(jobId);
      await this.d.delayed.release(jobId, t.atMs, leaseUntilMs).catch((err: unknown) => {
        this.d.log.warn({ err, jobId }, 'timer claim not given back; it runs when the lease ends');
      });
    }
  }

  async #run(jobId: string, t: TimerRequest): Promise<void> {
    this.d.onFired(t, this.d.now());
    let failed: unknown;
    try {
      await this.d.handler(t);
    } catch (err) {
      failed = err ?? new Error('handler rejected');
    }
    if (this.#queueGone) {
      // Outlived close()'s deadline: the queue is closed; the job reruns after the lease.
      return;
    }
    if (failed !== undefined) {
      const err = failed;
      this.d.log.warn({ err, jobId }, 'timer handler failed; the worker retries it');
      // Still delayed under our lease: bring it back soon, for the Worker and its attempts.
      await this.d.retrySoon(jobId).catch((e: unknown) => {
        this.d.log.warn({ err: e, jobId }, 'timer retry not armed; it runs when the lease ends');
      });
      return;
    }
    try {
      await this.d.remove(jobId);
    } catch (err) {
      this.d.log.warn({ err, jobId }, 'timer ran but its job was not removed; it runs again when the lease ends');
    }
  }
}

export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

export async function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let h: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_r, reject) => {
    h = setTimeout(() => reject(new DeadlineError(`not done within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(h);
  }
}
