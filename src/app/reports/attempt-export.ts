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
 * its quotes doubled) or an NDJSON line (numbers as numbers, the JSON columns nested).
 */
export function exportLine(row: ExportRow, style: ExportStyle): string {
  return exportLiner(style)(row);
}

/**
 * The line maker of one export. It runs once per row of a million-row export, so: plain loops,
 * a character scan instead of a regular expression, and each column's last cell kept with its
 * spelling: the campaign, the agent, a member's name or an instant often repeat the row before.
 */
export function exportLiner(style: ExportStyle): (row: ExportRow) => string {
  const lastIn: ExportCell[] = [];
  const lastOut: string[] = [];
  const spell = style.format === 'csv' ? csvCell(style.separator.charCodeAt(0)) : ndjsonCell;
  const cell = (v: string, i: number): string => {
    if (v === lastIn[i]) return lastOut[i]!;
    const out = spell(v, i);
    lastIn[i] = v;
    lastOut[i] = out;
    return out;
  };
  if (style.format === 'csv') {
    const sep = style.separator;
    return (row) => {
      let line = '';
      for (let i = 0; i < row.length; i++) {
        const v = row[i];
        if (i) line += sep;
        if (v === null || v === undefined) continue;
        line += typeof v === 'number' ? v : cell(v, i);
      }
      return `${line}\r\n`;
    };
  }
  return (row) => {
    let line = '';
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      line += KEYS[i];
      line += v === null || v === undefined ? 'null' : typeof v === 'number' ? v : cell(v, i);
    }
    return `${line}}\n`;
  };
}

function csvCell(sep: number): (v: string, i: number) => string {
  return (v, i) => {
    if (KIND[i] === 'time') return isoFromDb(v);
    for (let k = 0; k < v.length; k++) {
      const c = v.charCodeAt(k);
      if (c === sep || c === 34 || c === 10 || c === 13) return `"${v.replaceAll('"', '""')}"`;
    }
    return v;
  };
}

function ndjsonCell(v: string, i: number): string {
  const kind = KIND[i];
  // The JSON columns are JSON text already (the query casts them): printed as they are, unparsed.
  return kind === 'json' ? v
    : kind === 'bool' ? (v === 'true' || v === 'false' ? v : 'null')
    : JSON.stringify(kind === 'time' ? isoFromDb(v) : v);
}
