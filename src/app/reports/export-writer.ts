import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { exportLine, exportPreamble, type ExportRow, type ExportStyle } from './attempt-export.js';

/** Lines are gathered into chunks of about this size: one write per row costs more than the row. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Q1: writes the rows to `out` as `style` says, waiting for `out` to drain whenever it is full,
 * so a slow reader slows the database read instead of filling memory. Stops (ending the rows'
 * iteration, which ends their query) when `out` is destroyed, e.g. the client went away.
 * Returns the number of rows written, and whether every row was.
 */
export function writeExport(rows: AsyncIterable<ExportRow>, style: ExportStyle, out: Writable): Promise<WriteResult> {
  return writeLines(rows, exportPreamble(style), (row) => exportLine(row, style), out);
}

export interface WriteResult { rows: number; complete: boolean }

/** Writes `preamble`, then each row's line, in chunks, as `writeExport` says. */
export async function writeLines<T>(rows: AsyncIterable<T>, preamble: string, line: (row: T) => string, out: Writable): Promise<WriteResult> {
  let n = 0;
  let chunk = preamble;
  const flush = async (): Promise<boolean> => {
    if (out.destroyed) return false;
    const ok = out.write(chunk);
    chunk = '';
    if (!ok) await drainOrClose(out);
    return !out.destroyed;
  };
  for await (const row of rows) {
    chunk += line(row);
    n++;
    if (chunk.length >= CHUNK_CHARS && !(await flush())) return { rows: n, complete: false };
  }
  if (chunk && !(await flush())) return { rows: n, complete: false };
  return { rows: n, complete: true };
}

/** Waits until `out` drains or closes. */
export async function drainOrClose(out: Writable): Promise<void> {
  // The listener that did not fire is removed, so thousands of waits leave none behind.
  const ac = new AbortController();
  try {
    await Promise.race([once(out, 'drain', { signal: ac.signal }), once(out, 'close', { signal: ac.signal })]);
  } finally {
    ac.abort();
  }
}
