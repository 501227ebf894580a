/**
 * A one-line progress bar on a TTY stream (plain ANSI): percentage of bytes
 * read, rows and rows/s. Draws at most every `intervalMs`; on a stream that is
 * not a terminal it stays silent (a log file wants no carriage returns).
 */
export class ProgressBar {
  readonly #out: NodeJS.WriteStream;
  readonly #totalBytes: number;
  readonly #startedMs = Date.now();
  #lastDrawMs = 0;

  constructor(out: NodeJS.WriteStream, totalBytes: number, readonly intervalMs = 200) {
    this.#out = out;
    this.#totalBytes = totalBytes;
  }

  update(rows: number, bytes: number, force = false): void {
    if (!this.#out.isTTY) return;
    const nowMs = Date.now();
    if (!force && nowMs - this.#lastDrawMs < this.intervalMs) return;
    this.#lastDrawMs = nowMs;
    const share = this.#totalBytes > 0 ? Math.min(1, bytes / this.#totalBytes) : 0;
    const width = 30;
    const full = Math.round(share * width);
    const elapsedSec = Math.max(0.001, (nowMs - this.#startedMs) / 1000);
    const rate = Math.round(rows / elapsedSec);
    const bar = `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(share * 100).toFixed(1).padStart(5)}%`;
    this.#out.write(`\r\x1b[K${bar}  ${rows.toLocaleString('en-US')} rows  ${rate.toLocaleString('en-US')} rows/s`);
  }

  /** Leaves the last drawing on its own line. */
  done(rows: number, bytes: number): void {
    if (!this.#out.isTTY) return;
    this.update(rows, bytes, true);
    this.#out.write('\n');
  }
}
