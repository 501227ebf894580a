/**
 * MariaDB error codes after which the whole transaction may simply run again: a deadlock
 * victim, and a connection lost or killed mid-transaction (S3: the server rolled it back; the
 * pool hands the retry a fresh connection).
 */
const RETRYABLE = new Set([
  'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT',
  'PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE', 'ER_CONNECTION_KILLED', 'ER_QUERY_INTERRUPTED', 'ER_SERVER_SHUTDOWN',
]);

/** Runs a transaction again when the server chose it as a deadlock victim or the connection was lost (bounded). */
export async function withRetry<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (err) {
      if (i >= attempts || !retryable(err)) throw err;
      await new Promise((r) => setTimeout(r, 2 * i + Math.random() * 5));
    }
  }
}

function retryable(err: unknown): boolean {
  const { code, message } = err as { code?: string; message?: string };
  if (code && RETRYABLE.has(code)) return true;
  // A connection killed mid-transaction: knex's ROLLBACK on it fails and that error (no code) is what we get.
  return typeof message === 'string' && /connection is in closed state|Connection lost/i.test(message);
}
