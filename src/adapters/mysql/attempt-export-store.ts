import type { Knex } from 'knex';
import type { Readable } from 'node:stream';
import type { ExportRow } from '../../app/reports/attempt-export.js';

/** Which attempts to export (Q1): one campaign or all, created in [from, to) when given. */
export interface ExportScope {
  campaignId?: number;
  from?: Date;
  to?: Date;
}

/** Columns in EXPORT_COLUMNS order; JSON as text, which the export prints as it is, unparsed. */
const SELECT = `SELECT a.id, a.campaign_id, c.name, a.member_id, m.name, a.number, a.agent_id, g.name,
  a.created_at, a.agent_answered_at, a.answered_at, a.ended_at, COALESCE(a.hangup_cause, a.agent_cause),
  a.talk_sec, a.outcome, CAST(JSON_EXTRACT(a.result_status, '$.success') AS CHAR), CAST(a.result_status AS CHAR), a.comment,
  m.result, CAST(m.variables AS CHAR)
FROM attempts a
JOIN campaigns c ON c.id = a.campaign_id
JOIN members m ON m.id = a.member_id
LEFT JOIN agents g ON g.id = a.agent_id`;

/**
 * The export's query: in creation order, which the (campaign_id, created_at) and (created_at)
 * indexes give without a sort (migration 008), so the first row comes at once whatever the range.
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
  const filter = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  return { sql: `${SELECT}${filter} ORDER BY a.created_at, a.id`, values };
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
