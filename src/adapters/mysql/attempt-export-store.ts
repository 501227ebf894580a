import type { Knex } from 'knex';
import type { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { ExportRow } from '../../app/reports/attempt-export.js';
import type { ExportScope } from '../../app/ports/report-reader.js';

/** Columns in EXPORT_COLUMNS order; JSON as text, which the export prints as it is, unparsed. */
const COLUMNS = `a.id, a.campaign_id, c.name, a.member_id, m.name, a.number, a.agent_id, g.name,
  a.created_at, a.agent_answered_at, a.answered_at, a.message_at, a.ended_at, COALESCE(a.hangup_cause, a.agent_cause),
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

interface Mysql2Query extends EventEmitter {
  stream(o: { highWaterMark: number }): Readable;
}

interface Mysql2Connection extends EventEmitter {
  threadId: number;
  query(opts: { sql: string; values: unknown[]; rowsAsArray: boolean; dateStrings: boolean }): Mysql2Query;
  destroy(): void;
}

/** Longest wait for a killed query's last answer before its connection is dropped anyway. */
const KILLED_QUERY_WAIT_MS = 10_000;

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
  const query = conn.query({ sql, values, rowsAsArray: true, dateStrings: true });
  // The query's last answer: its end, or its error (after a kill: "interrupted"), or the
  // connection's loss. Listened to on the query itself, because the row stream stops listening
  // once it is destroyed, and the driver throws an error that no one listens to.
  let settle = (): void => undefined;
  const settled = new Promise<void>((resolve) => { settle = resolve; });
  query.on('error', () => undefined);
  query.once('end', settle);
  conn.once('end', settle);
  conn.once('error', settle);
  let finished = false;
  try {
    const rows = query.stream({ highWaterMark });
    // The loop below sees an error while it iterates; the row stream's own error event must
    // still have a listener once the loop has stopped.
    rows.on('error', () => undefined);
    for await (const row of rows) yield row as ExportRow;
    finished = true;
  } finally {
    if (!finished) await endKilled(db, conn, settled);
    // A connection handed back whole is reused: its listeners must not pile up.
    conn.removeListener('end', settle);
    conn.removeListener('error', settle);
    await client.releaseConnection(conn);
  }
}

/**
 * Ends a query whose rows are no longer wanted. The kill comes first and its answer is awaited
 * before anything else, so the "interrupted" it causes lands on the query that is listening for
 * it, not on a connection already closed and let go by the pool; and the connection, whose
 * remaining rows the driver was skipping, is then dropped rather than reused.
 */
async function endKilled(db: Knex, conn: Mysql2Connection, settled: Promise<void>): Promise<void> {
  await db.raw('KILL QUERY ?', [conn.threadId]).catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([settled, new Promise<void>((resolve) => { timer = setTimeout(resolve, KILLED_QUERY_WAIT_MS); })]);
  clearTimeout(timer);
  conn.destroy();
}

/** The attempts of `scope`, streamed (see streamRows). */
export function streamAttempts(db: Knex, scope: ExportScope): AsyncGenerator<ExportRow> {
  const q = exportQuery(scope);
  return streamRows(db, q.sql, q.values);
}
