/*
 * Q1: the attempt export (CDR) as CSV or NDJSON. A row comes from the database as an array in
 * EXPORT_COLUMNS order (no object per row: a million rows stream through here), times as the
 * database's UTC strings; this file only spells them out.
 */

/** The export's columns, in order; the CSV header and the NDJSON keys. */
export const EXPORT_COLUMNS = [
  'attempt_id', 'campaign_id', 'campaign', 'member_id', 'member_name', 'number', 'agent_id', 'agent',
  'created_at', 'agent_answered_at', 'answered_at', 'ended_at', 'cause', 'talk_sec', 'outcome',
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

const TIME_COLUMNS = new Set(['created_at', 'agent_answered_at', 'answered_at', 'ended_at']);
const TIME_AT = EXPORT_COLUMNS.flatMap((c, i) => (TIME_COLUMNS.has(c) ? [i] : []));
/** Columns holding JSON text (the R1 body, the member's variables): nested as JSON in NDJSON. */
const JSON_AT = new Set<number>([EXPORT_COLUMNS.indexOf('result_status'), EXPORT_COLUMNS.indexOf('variables')]);
const SUCCESS_AT = EXPORT_COLUMNS.indexOf('result_success');
const KEYS = EXPORT_COLUMNS.map((c) => `${JSON.stringify(c)}:`);

/** `2026-12-04 10:00:00.123` (DATETIME(3) in UTC) as ISO-8601 `2026-12-04T10:00:00.123Z`. */
export function isoFromDb(s: string): string {
  return `${s.slice(0, 10)}T${s.slice(11)}Z`;
}

/** The row with its times in ISO-8601 UTC and its JSON columns as JSON text. */
function normalise(row: ExportRow): ExportCell[] {
  const out = row.slice();
  for (const i of TIME_AT) if (typeof out[i] === 'string') out[i] = isoFromDb(out[i] as string);
  // MySQL hands JSON columns over parsed, MariaDB as text: the same text either way.
  for (const i of JSON_AT) if (out[i] !== null && typeof out[i] === 'object') out[i] = JSON.stringify(out[i]);
  return out;
}

/** RFC 4180: a cell with the separator, a quote, CR or LF is quoted, its quotes doubled. */
function csvCell(v: ExportCell, sep: string): string {
  if (v === null) return '';
  const s = typeof v === 'number' ? String(v) : v;
  if (s.includes(sep) || s.includes('"') || s.includes('\n') || s.includes('\r')) return `"${s.replaceAll('"', '""')}"`;
  return s;
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

/** One row as a CSV line (CRLF, RFC 4180) or an NDJSON line (numbers as numbers, JSON columns as JSON). */
export function exportLine(row: ExportRow, style: ExportStyle): string {
  const cells = normalise(row);
  if (style.format === 'csv') {
    let line = csvCell(cells[0]!, style.separator);
    for (let i = 1; i < cells.length; i++) line += style.separator + csvCell(cells[i]!, style.separator);
    return `${line}\r\n`;
  }
  // Built as text: the JSON columns are JSON already, parsing each just to print it again costs.
  let line = '{';
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i]!;
    const json = v === null ? 'null'
      : JSON_AT.has(i) || i === SUCCESS_AT ? String(v)
      : JSON.stringify(v);
    line += (i ? ',' : '') + KEYS[i] + json;
  }
  return `${line}}\n`;
}
