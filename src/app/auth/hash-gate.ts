export type GateOutcome<T> = { kind: 'done'; value: T } | { kind: 'busy' };

/**
 * S5: password hashing (scrypt, about 16 MB and tens of ms of CPU each) at most `concurrency`
 * at a time, with at most `queue` more waiting; beyond that the work is refused at once. Node
 * runs scrypt on its small libuv thread pool, shared with DNS, file and zlib work (the CSV
 * import inflates there): 200 logins at once would take the pool and the cores for seconds and
 * queue without end. A refusal is cheap and tells the client to come back.
 */
export class HashGate {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly concurrency: number, private readonly queue: number) {
    if (concurrency < 1) throw new RangeError('concurrency must be at least 1');
  }

  /** Hashes running and waiting now (observable in tests). */
  get load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length };
  }

  async run<T>(work: () => Promise<T>): Promise<GateOutcome<T>> {
    if (this.#running < this.concurrency) this.#running++;
    else if (this.#waiting.length < this.queue) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else return { kind: 'busy' };
    try {
      return { kind: 'done', value: await work() };
    } finally {
      // The slot passes straight to the next in line, so `running` never exceeds the bound.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
