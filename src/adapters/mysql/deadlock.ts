/**
 * MariaDB error codes after which the whole transaction may simply run again: a deadlock
 * victim (on Galera also a transaction that lost certification or was aborted by a replicated
 * one: 1213 "Deadlock: wsrep aborted transaction"), and a connection lost or killed
 * mid-transaction (S3: the server rolled it back; the pool hands the retry a fresh connection).
 */
const CONFLICTS = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/**
 * The server went away or cannot serve yet: a Galera node out of the primary component answers
 * 1047 (ER_UNKNOWN_COM_ERROR, "WSREP has not yet prepared node for application use"). With a
 * host list the writer moves meanwhile (writer-hosts.ts), so these wait longer between runs.
 */
const UNAVAILABLE = new Set([
  'PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ER_CONNECTION_KILLED', 'ER_QUERY_INTERRUPTED', 'ER_SERVER_SHUTDOWN',
  'ER_UNKNOWN_COM_ERROR',
]);

/**
 * How long a transaction keeps being tried while the server is away, ms: a Galera cluster
 * stalls commits until it has evicted a dead node (evs.suspect_timeout, 5 s by default), and
 * the writer moves only then (writer-hosts.ts).
 */
const UNAVAILABLE_BUDGET_MS = 15_000;

/**
 * Runs a transaction again when the server chose it as a deadlock victim (`attempts` runs), or
 * when the connection was lost or the server is away (for UNAVAILABLE_BUDGET_MS, backing off).
 */
export async function withRetry<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  const started = Date.now();
  let conflicts = 0;
  let outages = 0;
  for (;;) {
    try {
      return await run();
    } catch (err) {
      const kind = retryable(err);
      if (kind === undefined) throw err;
      let ms: number;
      if (kind === 'conflict') {
        if (++conflicts >= attempts) throw err;
        ms = 2 * conflicts;
      } else {
        ms = Math.min(100 * 2 ** outages++, 2000);
        if (Date.now() - started + ms > UNAVAILABLE_BUDGET_MS) throw err;
      }
      await new Promise((r) => setTimeout(r, ms + Math.random() * 5));
    }
  }
}

function retryable(err: unknown): 'conflict' | 'unavailable' | undefined {
  const { code, message } = err as { code?: string; message?: string };
  if (code && CONFLICTS.has(code)) return 'conflict';
  if (code && UNAVAILABLE.has(code)) return 'unavailable';
  // A connection killed mid-transaction: knex's ROLLBACK on it fails and that error (no code) is what we get.
  if (typeof message === 'string' && /connection is in closed state|Connection lost|WSREP has not yet prepared/i.test(message)) return 'unavailable';
  return undefined;
}
