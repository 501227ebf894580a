import type { RejectedLine } from './member-batch.js';

/**
 * Rejected rows of an import: counts all of them, keeps the `cap` with the
 * lowest line numbers, so a file of a million bad rows costs no memory.
 */
export class RejectedList {
  count = 0;
  #items: RejectedLine[] = [];

  constructor(readonly cap: number) {}

  add(r: RejectedLine): void {
    this.count++;
    this.#items.push(r);
    // Trim in bulk: sorting on every add would cost O(n log n) per row.
    if (this.#items.length >= 2 * this.cap) this.#trim();
  }

  /** In line order. */
  list(): RejectedLine[] {
    this.#trim();
    return [...this.#items];
  }

  #trim(): void {
    this.#items.sort((a, b) => a.line - b.line);
    if (this.#items.length > this.cap) this.#items.length = this.cap;
  }
}
