// Every simulator timer has one owner: close()/restart() clears them all, so mocha can exit.
export class TimerSet {
  readonly #timers = new Set<NodeJS.Timeout>();

  /** `onError`: a bug in a scripted step is reported, never thrown into the event loop. */
  constructor(private readonly onError: (err: unknown) => void = () => undefined) {}

  after(ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      try {
        fn();
      } catch (err) {
        this.onError(err);
      }
    }, Math.max(0, ms));
    this.#timers.add(t);
    return t;
  }

  cancel(t: NodeJS.Timeout | null | undefined): void {
    if (!t) return;
    clearTimeout(t);
    this.#timers.delete(t);
  }

  clear(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}
