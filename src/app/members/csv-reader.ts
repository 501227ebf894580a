import { Transform, pipeline, type Readable } from 'node:stream';
import { parse, type CsvError, type Options } from 'csv-parse';
import iconv from 'iconv-lite';
import { BatchPipeline } from './batch-pipeline.js';
import { charsetFamily, Utf8Sniffer } from './charset-sniffer.js';
import { RowMapper } from './csv-columns.js';
import type { CsvImportOptions } from './csv-import-options.js';
import { CSV_LIMITS } from './csv-limits.js';
import type { InsertMemberBatch, LinedMember, RejectedLine } from './member-batch.js';
import { RejectedList } from './rejected-list.js';

/*
 * Reads a CSV stream into batches (SPEC M6): bytes → charset check → iconv
 * decoder → csv-parse → MemberInput → batches → store. Only `concurrency` + 1
 * batches are ever in memory (being stored, being filled); the async iterator
 * gives backpressure to the input.
 *
 * Two kinds of trouble: a row with bad values (a bad number or priority, the
 * wrong number of columns, a duplicate number) is rejected with its line and
 * the rest goes on; a file whose records cannot be told apart (a quote that
 * never closes, a stray quote), that has a record over the limits of
 * csv-limits.ts (S5) or whose bytes are not in the charset given is refused as
 * a whole, and the caller undoes what was stored (S2).
 */

export interface ImportReport {
  inserted: number;
  rejected_count: number;
  /** The rejected rows with the lowest line numbers, at most `maxRejected`. */
  rejected: RejectedLine[];
}

export type CsvReadResult =
  | { kind: 'read'; report: ImportReport }
  /** The parser cannot tell records apart from `line` on. */
  | { kind: 'broken-csv'; line: number; reason: string }
  /** The bytes at `line` are not in the charset given, or the whole file is UTF-8 named as another charset. */
  | { kind: 'wrong-charset'; line: number; reason: string };

export interface CsvImportProgress {
  /** Rows seen so far (stored, rejected or in the batch being stored). */
  rows: number;
  /** Bytes read from the input. */
  bytes: number;
}

export interface CsvReadOptions {
  onProgress?: (p: CsvImportProgress) => void;
  /** Rows per store call. @defaultValue 5000 */
  batchRows?: number;
  /** Batches handed to the store at once. @defaultValue 2 */
  concurrency?: number;
  /** Length of the rejected list in the report; counting goes on past it. @defaultValue 1000 */
  maxRejected?: number;
}

// S5: the parser checks every row as it parses (on_record); a 64 KiB chunk is ~1400 rows, tens of
// ms in which nothing else of the process (dialling, other requests) would run.
const SLICE_CHARS = 1024;

type ParsedRow = { line: number; member: LinedMember['member'] | null; reason: string };
type Refusal = Exclude<CsvReadResult, { kind: 'read' }>;

/** Reads the whole of `input` (the caller owns it: it is unpiped, never destroyed) into `insertBatch`. */
export async function readCsvInto(input: Readable, options: CsvImportOptions, insertBatch: InsertMemberBatch, o: CsvReadOptions = {}): Promise<CsvReadResult> {
  if (input.errored) throw input.errored;
  const batchRows = o.batchRows ?? 5000;
  const rejected = new RejectedList(o.maxRejected ?? 1000);
  const mapper = new RowMapper(options.columns);
  const family = charsetFamily(options.charset);
  const sniffer = family === 'other' ? undefined : new Utf8Sniffer();
  let bytes = 0;
  let rows = 0;
  let inserted = 0;
  let lastEnd = options.skipHeader ? 1 : 0;
  let refusal: Refusal | undefined;

  const refuse = (r: Refusal): void => {
    if (refusal) return;
    refusal = r;
    // Read no more: the file is refused whatever follows.
    input.unpipe(bytesIn);
    bytesIn.end();
  };
  const bytesIn = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      sniffer?.push(chunk);
      if (family === 'utf-8' && sniffer?.firstInvalidLine !== undefined) {
        cb();
        refuse(notInCharset(sniffer.firstInvalidLine, options.charset));
        return;
      }
      cb(null, chunk);
    },
    flush(cb) {
      sniffer?.end();
      if (family === 'utf-8' && sniffer?.firstInvalidLine !== undefined) refusal ??= notInCharset(sniffer.firstInvalidLine, options.charset);
      cb();
    },
  });
  const width = options.columns.length;
  const settings: Options<ParsedRow, string[]> = {
    delimiter: options.separator,
    // Rows are arrays and their width is checked here: a row with the wrong number of fields is a
    // row with bad values, and a parser error per such row would cost ~20 µs (a stack trace) each.
    relax_column_count: true,
    relax_quotes: false,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: CSV_LIMITS.recordChars,
    // S5: past the last allowed field, separators are characters of one more field, so a record
    // of a million empty fields is cut by the record size instead of growing an array of them.
    ignore_last_delimiters: CSV_LIMITS.fieldsPerRecord + 1,
    from_line: options.skipHeader ? 2 : 1,
    on_skip: (err: CsvError | undefined) => {
      if (!err || refusal) return;
      // A quote the parser cannot get past, or a record over a limit: a record began after the
      // last one that ended, and err.lines is where the parser gave up.
      const line = err.code === 'CSV_INVALID_CLOSING_QUOTE' || err.code === 'INVALID_OPENING_QUOTE' ? Number(err.lines) : lastEnd + 1;
      refuse({ kind: 'broken-csv', line, reason: describeCsvError(err, inQuotedField()) });
    },
    on_record: (cells: string[], ctx: { lines: number }): ParsedRow | null => {
      if (refusal) return null;
      let newlines = 0;
      let badChars = -1;
      for (let i = 0; i < cells.length; i++) {
        const c = cells[i]!;
        if (c.includes('\n')) newlines += c.split('\n').length - 1;
        if (badChars < 0 && c.includes('\uFFFD')) badChars = i;
      }
      const line = ctx.lines - newlines;
      lastEnd = ctx.lines;
      if (cells.length > CSV_LIMITS.fieldsPerRecord) {
        refuse({ kind: 'broken-csv', line, reason: tooManyFields() });
        return null;
      }
      // UTF-8 is checked byte by byte (a U+FFFD written in a UTF-8 file is a character like any
      // other); other decoders turn bytes they do not know into U+FFFD.
      if (badChars >= 0 && family !== 'utf-8') {
        refuse(notInCharset(line, options.charset));
        return null;
      }
      if (cells.length !== width) return { line, member: null, reason: `expected ${width} columns, found ${cells.length}` };
      const r = mapper.toMember(cells);
      return r.kind === 'ok' ? { line, member: r.member, reason: '' } : { line, member: null, reason: r.reason };
    },
  };
  // The typings tie what on_record returns to the columns option; without columns it is still what comes out.
  const parser = parse(settings as unknown as Options);
  // Whether the parser is inside a quoted field: csv-parse keeps it on the stream, outside its typings.
  const inQuotedField = (): boolean => (parser as unknown as { state: { quoting: boolean } }).state.quoting;

  const onInputError = (err: Error) => bytesIn.destroy(err);
  input.on('error', onInputError);
  input.pipe(bytesIn);
  // errors surface through the iterator below
  pipeline(bytesIn, iconv.decodeStream(options.charset), inTurns(SLICE_CHARS), parser, () => undefined);

  let batch: LinedMember[] = [];
  const pipe = new BatchPipeline(insertBatch, o.concurrency ?? 2, (_n, res) => {
    inserted += res.inserted;
    for (const r of res.rejected) rejected.add(r);
    o.onProgress?.({ rows, bytes });
  });
  const store = async (): Promise<void> => {
    const rowsOfBatch = batch;
    batch = [];
    await pipe.submit(rowsOfBatch);
  };

  try {
    for await (const row of parser as AsyncIterable<ParsedRow>) {
      if (refusal) break;
      rows++;
      if (row.member === null) rejected.add({ line: row.line, reason: row.reason });
      else batch.push({ line: row.line, member: row.member });
      if (batch.length >= batchRows) await store();
    }
    if (!refusal) await store();
    await pipe.drain();
    o.onProgress?.({ rows, bytes });
    if (refusal) return refusal;
    if (family === 'ascii-based' && sniffer?.looksUtf8) {
      return { kind: 'wrong-charset', line: sniffer.firstMultibyteLine!, reason: `the file is UTF-8, not ${options.charset}: every byte is valid UTF-8 and line ${sniffer.firstMultibyteLine} has characters beyond ASCII` };
    }
    return { kind: 'read', report: { inserted, rejected_count: rejected.count, rejected: rejected.list() } };
  } catch (err) {
    await pipe.drain().catch(() => undefined);
    throw err;
  } finally {
    input.unpipe(bytesIn);
    input.off('error', onInputError);
    bytesIn.destroy();
  }
}

/** Passes text on in slices of at most `size` characters, one slice per turn of the event loop. */
function inTurns(size: number): Transform {
  return new Transform({
    decodeStrings: false,
    encoding: 'utf8',
    transform(chunk: string, _enc, cb) {
      let at = 0;
      const next = (): void => {
        if (this.destroyed) return;
        let end = Math.min(at + size, chunk.length);
        // A character beyond the BMP is two UTF-16 units: cut between them, each would become U+FFFD.
        if (end < chunk.length && isHighSurrogate(chunk.charCodeAt(end - 1))) end++;
        this.push(chunk.slice(at, end));
        at = end;
        if (at >= chunk.length) cb();
        else setImmediate(next);
      };
      next();
    },
  });
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function notInCharset(line: number, charset: string): Refusal {
  return { kind: 'wrong-charset', line, reason: `bytes that are not valid ${charset}` };
}

function tooManyFields(): string {
  return `the record has more than ${CSV_LIMITS.fieldsPerRecord} fields (the limit of fields in a record)`;
}

function describeCsvError(err: CsvError, inQuotes: boolean): string {
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'unbalanced quotes: a quoted field that opens on this line is not closed before the end of the file';
    case 'CSV_MAX_RECORD_SIZE': {
      const limit = `the limit of a record, ${CSV_LIMITS.recordChars} characters`;
      // Past the last allowed field the separators are counted as characters (see ignore_last_delimiters).
      if (Number(err.index) >= CSV_LIMITS.fieldsPerRecord) return tooManyFields();
      if (inQuotes) return `unbalanced quotes: a quoted field is still open at line ${String(err.lines)}, past ${limit}`;
      return `the record is longer than ${limit}`;
    }
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'unbalanced quotes: a closing quote is followed by a character other than the separator';
    case 'INVALID_OPENING_QUOTE':
      return Number(err.index) >= CSV_LIMITS.fieldsPerRecord ? tooManyFields() : 'unbalanced quotes: a quote inside a field that does not start with one';
    default:
      return err.message;
  }
}
