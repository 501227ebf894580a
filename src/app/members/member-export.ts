import type { Writable } from 'node:stream';
import type { MemberExportRow } from '../ports/member-bulk-store.js';
import { writeLines, type WriteResult } from '../reports/export-writer.js';

/*
 * Issue 13 §3: the members a filter matches as CSV (RFC 4180, CRLF, UTF-8): one line per member,
 * its numbers in dialling order separated by spaces, its variables as JSON text.
 */

export const MEMBER_EXPORT_COLUMNS = [
  'member_id', 'name', 'priority', 'state', 'ready_at', 'tries', 'minus_tries', 'result', 'ended_at', 'expire_at',
  'timezone', 'numbers', 'variables', 'created_at',
] as const;

export function memberCsvLine(row: MemberExportRow, sep: ',' | ';'): string {
  const quote = sep === ',' ? /[",\r\n]/ : /[";\r\n]/;
  return `${row.map((v) => (v === null ? '' : typeof v === 'number' ? String(v) : quote.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(sep)}\r\n`;
}

/**
 * Writes the header and the rows to `out`, waiting whenever it is full (a slow reader slows the
 * reads); stops when `out` is destroyed (the client went away). Returns the rows written and
 * whether every row was.
 */
export function writeMemberExport(rows: AsyncIterable<MemberExportRow>, sep: ',' | ';', out: Writable): Promise<WriteResult> {
  const preamble = `${sep === ';' ? 'sep=;\r\n' : ''}${MEMBER_EXPORT_COLUMNS.join(sep)}\r\n`;
  return writeLines(rows, preamble, (row) => memberCsvLine(row, sep), out);
}
