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
      const code = (err as { code?: string }).code;
      if (i >= attempts || !code || !RETRYABLE.has(code)) throw err;
      await new Promise((r) => setTimeout(r, 2 * i + Math.random() * 5));
    }
  }
}
