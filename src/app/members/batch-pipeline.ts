import type { BatchInsertResult, InsertMemberBatch, LinedMember } from './member-batch.js';

interface Pending {
  numbers: Set<string>;
  done: Promise<void>;
}

/**
 * Hands batches to the store with up to `concurrency` of them in flight, so
 * the file is read and parsed while the database writes (two cores: both
 * busy). An import session writes them one after another, in order.
 *
 * Order still decides duplicates (M2: the earlier line wins): a batch that
 * shares a number with a batch in flight waits until every batch in flight
 * has committed, and then sees those rows in its duplicate lookup.
 */
export class BatchPipeline {
  readonly #insert: InsertMemberBatch;
  readonly #concurrency: number;
  readonly #onStored: (rows: number, res: BatchInsertResult) => void;
  #pending: Pending[] = [];
  #failure: unknown;

  constructor(insert: InsertMemberBatch, concurrency: number, onStored: (rows: number, res: BatchInsertResult) => void) {
    this.#insert = insert;
    this.#concurrency = Math.max(1, concurrency);
    this.#onStored = onStored;
  }

  /** Resolves once the batch is accepted (not stored); rejects if an earlier batch failed. */
  async submit(rows: LinedMember[]): Promise<void> {
    this.#throwIfFailed();
    if (rows.length === 0) return;
    const numbers = new Set<string>();
    for (const r of rows) for (const c of r.member.communications) numbers.add(c.number);
    const overlaps = this.#pending.some((p) => [...numbers].some((n) => p.numbers.has(n)));
    if (overlaps) await this.drain();
    while (this.#pending.length >= this.#concurrency) await Promise.race(this.#pending.map((p) => p.done));
    this.#throwIfFailed();
    const entry: Pending = {
      numbers,
      done: this.#insert(rows).then(
        (res) => this.#onStored(rows.length, res),
        (err: unknown) => {
          this.#failure ??= err;
        },
      ).finally(() => {
        this.#pending = this.#pending.filter((p) => p !== entry);
      }),
    };
    this.#pending.push(entry);
  }

  /** Waits for every batch in flight; rejects with the first failure. */
  async drain(): Promise<void> {
    while (this.#pending.length > 0) await Promise.all(this.#pending.map((p) => p.done));
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
