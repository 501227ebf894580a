import { Transform, pipeline, type Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import iconv from 'iconv-lite';
import { BatchPipeline } from './batch-pipeline.js';
import { RowMapper } from './csv-columns.js';
import type { CsvImportOptions } from './csv-import-options.js';
import type { InsertMemberBatch, LinedMember, RejectedLine } from './member-batch.js';
import { RejectedList } from './rejected-list.js';

/*
 * Streaming CSV import (SPEC M6): bytes → iconv decoder → csv-parse → MemberInput
 * → batches → store. Only `concurrency` + 1 batches are ever in memory (being
 * stored, being filled); the async iterator gives backpressure to the input.
 */

export interface ImportReport {
  inserted: number;
  rejected_count: number;
  /** The rejected rows with the lowest line numbers, at most `maxRejected`. */
  rejected: RejectedLine[];
}

export type CsvImportOutcome =
  | { kind: 'done'; report: ImportReport }
  | { kind: 'bad-option'; field: 'charset'; message: string }
  /** The parser cannot go on (a quote never closes); rows before `line` are stored. */
  | { kind: 'stopped'; line: number; reason: string; report: ImportReport };

export interface CsvImportProgress {
  /** Rows seen so far (stored, rejected or in the batch being stored). */
  rows: number;
  /** Bytes read from the input. */
  bytes: number;
}

export interface CsvImportDeps {
  insertBatch: InsertMemberBatch;
  onProgress?: (p: CsvImportProgress) => void;
  /** Rows per store call (one transaction). @defaultValue 5000 */
  batchRows?: number;
  /** Batches stored at once. @defaultValue 2 */
  concurrency?: number;
  /** Length of the rejected list in the report; counting goes on past it. @defaultValue 1000 */
  maxRejected?: number;
}

// A member row is well under 1 KB; a "record" this long means a quote that
// never closed is swallowing the rest of the file, so the import stops there.
const MAX_RECORD_CHARS = 64 * 1024;
// csv-parse cannot find the next record after these: it stays inside the quote.
const FATAL_CODES = new Set(['CSV_INVALID_CLOSING_QUOTE', 'CSV_MAX_RECORD_SIZE']);

type ParsedRow = { line: number; member: LinedMember['member'] | null; reason: string };


export async function importMembersCsv(input: Readable, options: CsvImportOptions, deps: CsvImportDeps): Promise<CsvImportOutcome> {
  if (!iconv.encodingExists(options.charset)) {
    return { kind: 'bad-option', field: 'charset', message: `unknown charset "${options.charset}"` };
  }
  const batchRows = deps.batchRows ?? 5000;
  const rejected = new RejectedList(deps.maxRejected ?? 1000);
  const mapper = new RowMapper(options.columns);
  let bytes = 0;
  let rows = 0;
  let inserted = 0;
  let lastEnd = options.skipHeader ? 1 : 0;
  let stop: { line: number; reason: string } | undefined;

  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const parser = parse({
    delimiter: options.separator,
    columns: options.columns.map((_, i) => `c${i}`),
    relax_column_count: false,
    relax_quotes: false,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_CHARS,
    from_line: options.skipHeader ? 2 : 1,
    on_skip: (err: CsvError | undefined) => {
      if (!err || stop) return;
      rows++;
      const errLine = Number(err.lines);
      const reason = describeCsvError(err, options.columns.length);
      if (FATAL_CODES.has(err.code) || err.code === 'CSV_QUOTE_NOT_CLOSED') {
        // The record began after the last one that ended; err.lines is where the parser gave up.
        const start = lastEnd + 1;
        if (FATAL_CODES.has(err.code)) {
          stop = { line: err.code === 'CSV_INVALID_CLOSING_QUOTE' ? errLine : start, reason };
          // Read no more: what the parser still holds is ignored, the records before are delivered.
          input.unpipe(counter);
          counter.end();
          return;
        }
        rejected.add({ line: start, reason });
      } else {
        rejected.add({ line: errLine, reason });
      }
      lastEnd = errLine;
    },
    on_record: (rec: Record<string, string>, ctx: { lines: number }): ParsedRow | null => {
      if (stop) return null;
      const cells = Object.values(rec);
      let newlines = 0;
      let badBytes = -1;
      for (let i = 0; i < cells.length; i++) {
        const c = cells[i]!;
        if (c.includes('\n')) newlines += c.split('\n').length - 1;
        if (badBytes < 0 && c.includes('\uFFFD')) badBytes = i;
      }
      const line = ctx.lines - newlines;
      lastEnd = ctx.lines;
      if (badBytes >= 0) {
        return { line, member: null, reason: `column ${badBytes + 1}: bytes that are not valid ${options.charset}` };
      }
      const r = mapper.toMember(cells);
      return r.kind === 'ok' ? { line, member: r.member, reason: '' } : { line, member: null, reason: r.reason };
    },
  });

  const decoder = iconv.decodeStream(options.charset);
  // The caller owns `input`: it is unpiped, never destroyed, so an HTTP answer can still be sent.
  const onInputError = (err: Error) => counter.destroy(err);
  input.on('error', onInputError);
  input.pipe(counter);
  pipeline(counter, decoder, parser, () => undefined); // errors surface through the iterator below

  let batch: LinedMember[] = [];
  const pipe = new BatchPipeline(deps.insertBatch, deps.concurrency ?? 2, (_n, res) => {
    inserted += res.inserted;
    for (const r of res.rejected) rejected.add(r);
    deps.onProgress?.({ rows, bytes });
  });
  const store = async (): Promise<void> => {
    const rowsOfBatch = batch;
    batch = [];
    await pipe.submit(rowsOfBatch);
  };
  const report = (): ImportReport => ({ inserted, rejected_count: rejected.count, rejected: rejected.list() });

  try {
    for await (const row of parser as AsyncIterable<ParsedRow>) {
      rows++;
      if (row.member === null) rejected.add({ line: row.line, reason: row.reason });
      else batch.push({ line: row.line, member: row.member });
      if (batch.length >= batchRows) await store();
    }
    await store();
    await pipe.drain();
    deps.onProgress?.({ rows, bytes });
    // Rows before a fatal error are stored: the file is read in order, so they are all valid lines.
    if (stop) return { kind: 'stopped', line: stop.line, reason: stop.reason, report: report() };
    return { kind: 'done', report: report() };
  } catch (err) {
    await pipe.drain().catch(() => undefined);
    throw err;
  } finally {
    input.unpipe(counter);
    input.off('error', onInputError);
    counter.destroy();
  }
}

function describeCsvError(err: CsvError, width: number): string {
  switch (err.code) {
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const got = Array.isArray(err.record) ? err.record.length : '?';
      return `expected ${width} columns, found ${got}`;
    }
    case 'CSV_QUOTE_NOT_CLOSED':
      return `unbalanced quotes: a quoted field is not closed before the end of the file (line ${String(err.lines)})`;
    case 'CSV_MAX_RECORD_SIZE':
      return `unbalanced quotes: a quoted field is still open at line ${String(err.lines)} (over ${MAX_RECORD_CHARS} characters)`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'unbalanced quotes: a closing quote is followed by a character other than the separator';
    case 'INVALID_OPENING_QUOTE':
      return 'unbalanced quotes: a quote inside a field that does not start with one';
    default:
      return err.message;
  }
}
