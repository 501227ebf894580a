/*
 * Q1: the attempt export (CDR) as CSV or NDJSON. A row comes from the database as an array in
 * EXPORT_COLUMNS order (no object per row: a million rows stream through here), times as the
 * database's UTC strings; this file only spells them out.
 */

/** The export's columns, in order; the CSV header and the NDJSON keys. */
export const EXPORT_COLUMNS = [
  'attempt_id', 'campaign_id', 'campaign', 'member_id', 'member_name', 'number', 'agent_id', 'agent',
  'created_at', 'agent_answered_at', 'answered_at', 'message_at', 'ended_at', 'cause', 'talk_sec', 'wrap_up_sec', 'outcome',
  'result_success', 'result_status', 'comment', 'member_result', 'variables',
] as const;

export type ExportCell = string | number | null;
export type ExportRow = readonly ExportCell[];

export type ExportFormat = 'csv' | 'ndjson';
export interface ExportStyle {
  format: ExportFormat;
  /** CSV only: `,` by default, `;` for spreadsheets of locales whose decimal mark is a comma. */
  separator: ',' | ';';
}

/** How each column is spelled: times from DATETIME text, JSON text nested as it is in NDJSON. */
type Kind = 'plain' | 'time' | 'json' | 'bool';
const KIND: readonly Kind[] = EXPORT_COLUMNS.map((c): Kind =>
  c.endsWith('_at') ? 'time' : c === 'result_status' || c === 'variables' ? 'json' : c === 'result_success' ? 'bool' : 'plain');
const KEYS = EXPORT_COLUMNS.map((c, i) => `${i ? ',' : '{'}${JSON.stringify(c)}:`);
const NEEDS_QUOTES = { ',': /[",\r\n]/, ';': /[";\r\n]/ } as const;

/** `2026-12-04 10:00:00.123` (DATETIME(3) in UTC) as ISO-8601 `2026-12-04T10:00:00.123Z`. */
export function isoFromDb(s: string): string {
  return `${s.slice(0, 10)}T${s.slice(11)}Z`;
}

/**
 * Everything before the first row: `sep=;` (so Excel splits on `;` whatever its locale) and the
 * header. No byte-order mark: `sep=` must be the file's first bytes for Excel to read it.
 */
export function exportPreamble(style: ExportStyle): string {
  if (style.format === 'ndjson') return '';
  const head = EXPORT_COLUMNS.join(style.separator);
  return style.separator === ';' ? `sep=;\r\n${head}\r\n` : `${head}\r\n`;
}

/**
 * One row as a CSV line (CRLF; RFC 4180: a cell with the separator, a quote, CR or LF is quoted,
 * its quotes doubled) or an NDJSON line (numbers as numbers, the JSON columns nested). Written
 * as plain loops: this runs once per row of a million-row export.
 */
export function exportLine(row: ExportRow, style: ExportStyle): string {
  return style.format === 'csv' ? csvLine(row, style.separator) : ndjsonLine(row);
}

function csvLine(row: ExportRow, sep: ',' | ';'): string {
  const quote = NEEDS_QUOTES[sep];
  let line = '';
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (i) line += sep;
    if (v === null || v === undefined) continue;
    if (typeof v === 'number') line += v;
    else if (KIND[i] === 'time') line += isoFromDb(v);
    else line += quote.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
  }
  return `${line}\r\n`;
}

function ndjsonLine(row: ExportRow): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    line += KEYS[i];
    if (v === null || v === undefined) line += 'null';
    else if (typeof v === 'number') line += v;
    else {
      const kind = KIND[i];
      // The JSON columns are JSON text already (the query casts them): printed as they are, unparsed.
      line += kind === 'json' ? v
        : kind === 'bool' ? (v === 'true' || v === 'false' ? v : 'null')
        : JSON.stringify(kind === 'time' ? isoFromDb(v) : v);
    }
  }
  return `${line}}\n`;
}
