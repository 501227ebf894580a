import type { Knex } from 'knex';
import type { Readable } from 'node:stream';
import type { ExportRow } from '../../app/reports/attempt-export.js';
import type { ExportScope } from '../../app/ports/report-reader.js';

/** Columns in EXPORT_COLUMNS order; JSON as text, which the export prints as it is, unparsed. */
const COLUMNS = `a.id, a.campaign_id, c.name, a.member_id, m.name, a.number, a.agent_id, g.name,
  a.created_at, a.agent_answered_at, a.answered_at, a.ended_at, COALESCE(a.hangup_cause, a.agent_cause),
  a.talk_sec, a.wrap_up_sec, a.outcome, CAST(JSON_EXTRACT(a.result_status, '$.success') AS CHAR), CAST(a.result_status AS CHAR), a.comment,
  m.result, CAST(m.variables AS CHAR)`;
const JOINS = `JOIN campaigns c FORCE INDEX (PRIMARY) ON c.id = a.campaign_id
JOIN members m ON m.id = a.member_id
LEFT JOIN agents g FORCE INDEX (PRIMARY) ON g.id = a.agent_id`;

/**
 * The export's query, in creation order, which the indexes give without a sort: attempts_report
 * (campaign_id, created_at, …; migration 009) for a campaign, attempts_created (created_at; 008)
 * for every campaign. So the first row comes at once whatever the range, and the server sorts
 * nothing. Both the index and the join order are forced: when most attempts match, MariaDB 10.11
 * estimates a scan of the whole table and a sort of every row cheaper (for the last row, not the
 * first), or joins the few campaigns through a join buffer, which loses the order: sorted again.
 * Attempts created in the same millisecond come in the index's order.
 */
export function exportQuery(scope: ExportScope): { sql: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  if (scope.campaignId !== undefined) {
    where.push('a.campaign_id = ?');
    values.push(scope.campaignId);
  }
  if (scope.from) {
    where.push('a.created_at >= ?');
    values.push(scope.from);
  }
  if (scope.to) {
    where.push('a.created_at < ?');
    values.push(scope.to);
  }
  const index = scope.campaignId !== undefined ? 'attempts_report' : 'attempts_created';
  const filter = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  return { sql: `SELECT STRAIGHT_JOIN ${COLUMNS}\nFROM attempts a FORCE INDEX (${index})\n${JOINS}${filter}\nORDER BY a.created_at`, values };
}

interface Mysql2Connection {
  threadId: number;
  query(opts: { sql: string; values: unknown[]; rowsAsArray: boolean; dateStrings: boolean }): { stream(o: { highWaterMark: number }): Readable };
  destroy(): void;
}

/**
 * Streams the rows of `sql` on a connection of its own: the driver reads from the server only as
 * fast as the caller iterates (the socket is paused while `highWaterMark` rows wait), so memory
 * stays bounded whatever the row count. Ending the iteration early (the client went away)
 * kills the query on the server instead of letting it run to its end, and the connection is
 * dropped rather than handed back half-read.
 */
export async function* streamRows(db: Knex, sql: string, values: unknown[], highWaterMark = 512): AsyncGenerator<ExportRow> {
  const client = db.client as { acquireConnection(): Promise<Mysql2Connection>; releaseConnection(c: Mysql2Connection): Promise<void> };
  const conn = await client.acquireConnection();
  let finished = false;
  try {
    const rows = conn.query({ sql, values, rowsAsArray: true, dateStrings: true }).stream({ highWaterMark });
    // The loop below sees an error while it iterates; this one catches the "interrupted" the
    // query may still report after an early end, which would otherwise be an uncaught error.
    rows.on('error', () => undefined);
    for await (const row of rows) yield row as ExportRow;
    finished = true;
  } finally {
    if (!finished) {
      // Closed first, so the driver does not report the interruption that follows as an error.
      conn.destroy();
      await db.raw('KILL QUERY ?', [conn.threadId]).catch(() => undefined);
    }
    await client.releaseConnection(conn);
  }
}

/** The attempts of `scope`, streamed (see streamRows). */
export function streamAttempts(db: Knex, scope: ExportScope): AsyncGenerator<ExportRow> {
  const q = exportQuery(scope);
  return streamRows(db, q.sql, q.values);
}
