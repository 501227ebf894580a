import { EventEmitter } from 'node:events';
import type { TimerHandler, TimerRequest, Timers } from '../../app/ports/timers.js';
import type { TimerFired } from './bullmq-timers.js';
import { assertValidTimer, timerJobId } from './timer-job-id.js';

export interface MemoryTimersOptions {
  /** Runs after a failed first run. @defaultValue 8 */
  attempts?: number;
  /** First retry delay, ms (then doubled). @defaultValue 1_000 */
  backoffMs?: number;
  now?: () => number;
}

interface Pending {
  t: TimerRequest;
  handle: NodeJS.Timeout | undefined;
  attempt: number;
}

/**
 * The Timers port held in this process only: same ids, dedupe, retries and 'fired' events
 * as BullmqTimers, nothing durable. For use-case tests and API-only runs; it passes the
 * same contract test as the real adapter (test/integration/timers.test.ts).
 */
export class MemoryTimers extends EventEmitter<{ fired: [TimerFired] }> implements Timers {
  readonly #pending = new Map<string, Pending>();
  readonly #running = new Set<Promise<void>>();
  readonly #attempts: number;
  readonly #backoffMs: number;
  readonly #now: () => number;
  #handler: TimerHandler | undefined;
  #closing: Promise<void> | undefined;

  constructor(opts: MemoryTimersOptions = {}) {
    super();
    this.#attempts = opts.attempts ?? 8;
    this.#backoffMs = opts.backoffMs ?? 1_000;
    this.#now = opts.now ?? Date.now;
  }

  async schedule(t: TimerRequest): Promise<void> {
    assertValidTimer(t);
    const jobId = timerJobId(t);
    if (this.#pending.has(jobId) || this.#closing) return;
    const p: Pending = { t: { kind: t.kind, id: t.id, atMs: t.atMs }, handle: undefined, attempt: 1 };
    this.#pending.set(jobId, p);
    this.#arm(jobId, p, t.atMs);
  }

  async scheduleMany(ts: TimerRequest[]): Promise<void> {
    ts.forEach(assertValidTimer);
    for (const t of ts) await this.schedule(t);
  }

  async cancel(t: TimerRequest): Promise<void> {
    assertValidTimer(t);
    const jobId = timerJobId(t);
    const p = this.#pending.get(jobId);
    if (p?.handle) clearTimeout(p.handle);
    this.#pending.delete(jobId);
  }

  async start(handler: TimerHandler): Promise<void> {
    if (this.#closing) throw new Error('timers: start() after close()');
    if (this.#handler) throw new Error('timers: start() called twice');
    this.#handler = handler;
    for (const [jobId, p] of this.#pending) this.#arm(jobId, p, p.t.atMs);
  }

  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      for (const p of this.#pending.values()) if (p.handle) clearTimeout(p.handle);
      this.#pending.clear();
      await Promise.allSettled([...this.#running]);
    })());
  }

  #arm(jobId: string, p: Pending, dueMs: number): void {
    if (!this.#handler || this.#closing) return;
    if (p.handle) clearTimeout(p.handle);
    p.handle = setTimeout(() => {
      p.handle = undefined;
      // Never before the instant by our clock (libuv's clock can run slightly ahead).
      if (this.#now() < dueMs) return this.#arm(jobId, p, dueMs);
      const run = this.#run(jobId, p);
      this.#running.add(run);
      void run.finally(() => this.#running.delete(run));
    }, Math.max(0, dueMs - this.#now()));
  }

  async #run(jobId: string, p: Pending): Promise<void> {
    const firedAtMs = this.#now();
    try {
      this.emit('fired', { ...p.t, firedAtMs, via: 'local', attempt: p.attempt });
    } catch {
      // A throwing metrics listener must not cost a timer its run.
    }
    try {
      await this.#handler!(p.t);
      if (this.#pending.get(jobId) === p) this.#pending.delete(jobId);
    } catch {
      if (this.#pending.get(jobId) !== p) return;
      if (p.attempt > this.#attempts) {
        this.#pending.delete(jobId);
        return;
      }
      const backoff = this.#backoffMs * 2 ** (p.attempt - 1);
      p.attempt += 1;
      this.#arm(jobId, p, this.#now() + backoff);
    }
  }
}
