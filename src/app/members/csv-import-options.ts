import iconv from 'iconv-lite';
import { z } from 'zod';
import { parseColumns, type CsvColumn } from './csv-columns.js';

/*
 * Options of a CSV upload (SPEC M6), shared by the REST route (query string)
 * and the command line, so both refuse the same things with the same words.
 */

export interface CsvImportOptions {
  /** iconv-lite encoding name. @defaultValue 'utf-8' */
  charset: string;
  /** One character between fields. @defaultValue ',' */
  separator: string;
  /** The first line is a header, not a member. @defaultValue false */
  skipHeader: boolean;
  /** Target of each CSV column, in order. @defaultValue name,number */
  columns: CsvColumn[];
}

export const DEFAULT_COLUMNS = 'name,number';
export const DEFAULT_CHARSET = 'utf-8';

const flag = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'yes', 'no', '']).transform((v) => v === 'true' || v === '1' || v === 'yes'),
]);

/** The wire form: query parameters (strings) or CLI flags. */
export const CsvImportQuery = z.object({
  charset: z
    .string()
    .optional()
    .refine((c) => c === undefined || iconv.encodingExists(c), { message: 'unknown charset (try utf-8, windows-1251, iso-8859-1, koi8-r, utf-16le)' })
    .meta({ description: 'character set of the file (default utf-8, or the charset of the Content-Type)', example: 'windows-1251' }),
  separator: z
    .string()
    .default(',')
    .transform((s) => (s === '\\t' || s === 'tab' ? '\t' : s))
    .refine((s) => s.length === 1 && !'"\r\n'.includes(s), { message: 'must be one character other than " and a line break' })
    .meta({ description: 'field separator, one character (tab: \\t)', example: ';' }),
  skip_header: flag.default(false).meta({ description: 'the first line is a header' }),
  columns: z
    .string()
    .default(DEFAULT_COLUMNS)
    .transform((s, ctx): CsvColumn[] => {
      const r = parseColumns(s.split(','));
      if (r.kind === 'ok') return r.columns;
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    })
    .meta({
      description: 'target of each CSV column in order: name, priority, expire_at, timezone, number (repeatable, earlier = higher priority), number:<priority>, var:<name>, - (skip)',
      example: 'name,number,number,var:debt,-',
    }),
});

export function toImportOptions(q: z.output<typeof CsvImportQuery>): CsvImportOptions {
  return { charset: q.charset ?? DEFAULT_CHARSET, separator: q.separator, skipHeader: q.skip_header, columns: q.columns };
}
