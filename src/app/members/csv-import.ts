import type { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import type { CsvImportOptions } from './csv-import-options.js';
import { readCsvInto, type CsvReadOptions, type ImportReport } from './csv-reader.js';
import type { BeginMemberImport } from './member-batch.js';

export type { CsvImportProgress, ImportReport } from './csv-reader.js';

/*
 * The CSV import of SPEC M6, all or nothing for the file as a whole (S2): the
 * rows go into one import session in batches, streamed, and are committed
 * together once the whole file was read. Rows with bad values are rejected one
 * by one and the rest is imported; a file that cannot be parsed or is not in
 * the charset given is refused and nothing of it is stored.
 */

export type CsvImportOutcome =
  | { kind: 'done'; report: ImportReport }
  | { kind: 'bad-option'; field: 'charset'; message: string }
  /** Another import into the campaign is running; nothing was read. */
  | { kind: 'busy' }
  /** The campaign was deleted while the file was read; nothing is stored. */
  | { kind: 'campaign-gone' }
  /** The parser cannot tell records apart from `line` on (a quote that never closes, a stray quote); nothing is stored. */
  | { kind: 'broken-csv'; line: number; reason: string }
  /** Bytes at `line` are not in the charset given, or the file is UTF-8 named as another charset; nothing is stored. */
  | { kind: 'wrong-charset'; line: number; reason: string };

export interface CsvImportDeps extends CsvReadOptions {
  /** Opens the import's session (one transaction) in the store. */
  begin: BeginMemberImport;
}

export async function importMembersCsv(input: Readable, options: CsvImportOptions, deps: CsvImportDeps): Promise<CsvImportOutcome> {
  if (!iconv.encodingExists(options.charset)) {
    return { kind: 'bad-option', field: 'charset', message: `unknown charset "${options.charset}"` };
  }
  // While the session opens nothing listens to the input: an upload that breaks meanwhile (a cut
  // form, a body that does not inflate) must not be an uncaught error; the reader finds it in
  // `input.errored`.
  const ignore = (): void => undefined;
  input.on('error', ignore);
  const begun = await deps.begin().finally(() => input.off('error', ignore));
  if (begun.kind === 'busy') return { kind: 'busy' };
  const { session } = begun;
  try {
    const read = await readCsvInto(input, options, session.insertBatch, deps);
    if (read.kind !== 'read') {
      await session.rollback();
      return read;
    }
    if ((await session.commit()) === 'campaign-gone') return { kind: 'campaign-gone' };
    return { kind: 'done', report: read.report };
  } catch (err) {
    await session.rollback();
    throw err;
  }
}
