/**
 * In-process timers for the near future, keyed by job id: the precise half of the timer
 * adapter (DESIGN §1). Each entry has one owner (this table) and close() clears them all,
 * so no handle outlives the adapter.
 */
export class LocalTimers {
  readonly #entries = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly now: () => number,
    /** Entries kept at most; beyond it the BullMQ Worker alone runs the timer (later, never lost). */
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  has(jobId: string): boolean {
    return this.#entries.has(jobId);
  }

  /**
   * Calls `fire` once, not before `dueMs` by `now()`. Returns false when the job id is
   * already armed or the table is full.
   */
  arm(jobId: string, dueMs: number, fire: () => void): boolean {
    if (this.#entries.has(jobId) || this.#entries.size >= this.maxEntries) return false;
    this.#set(jobId, dueMs, fire);
    return true;
  }

  clear(jobId: string): void {
    const h = this.#entries.get(jobId);
    if (h === undefined) return;
    clearTimeout(h);
    this.#entries.delete(jobId);
  }

  clearAll(): void {
    for (const h of this.#entries.values()) clearTimeout(h);
    this.#entries.clear();
  }

  #set(jobId: string, dueMs: number, fire: () => void): void {
    const h = setTimeout(() => {
      // setTimeout runs on libuv's cached monotonic clock, which can run a fraction of a
      // millisecond ahead of Date.now(): never fire before the instant by our clock.
      if (this.now() < dueMs) return this.#set(jobId, dueMs, fire);
      this.#entries.delete(jobId);
      fire();
    }, Math.max(0, dueMs - this.now()));
    this.#entries.set(jobId, h);
  }
}
