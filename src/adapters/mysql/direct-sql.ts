import type { Knex } from 'knex';

/** Runs one written-out statement with its bindings; resolves to mysql2's result (rows, or the write's header). */
export type Sql = <T = unknown>(sql: string, values?: readonly unknown[]) => Promise<T>;

interface Connection {
  query(sql: string, values: readonly unknown[] | undefined, cb: (err: Error | null, result: unknown) => void): void;
}

interface PoolClient {
  acquireConnection(): Promise<Connection>;
  releaseConnection(c: Connection): Promise<void>;
  emit(event: 'query', q: { sql: string; bindings: readonly unknown[] | undefined }): boolean;
}

/** Statements of a knex transaction (pacer-store.ts) in the form the written-out helpers take. */
export function sqlOf(trx: Knex.Transaction): Sql {
  return async <T>(sql: string, values?: readonly unknown[]) =>
    ((await trx.raw(sql, (values ?? []) as Knex.RawBinding[])) as unknown as [T])[0];
}

/**
 * The hot path's statements (claim, ringing, bridge, answer, settle) sent with mysql2 on a
 * connection of the knex pool, without knex's runner: measured on this machine, the runner and
 * its transaction machinery cost two to three times the driver's own CPU per statement, and these
 * run about eleven times per call. The pool is knex's (its connections' session settings, its
 * writer check on a host list, its disposal of a broken connection), and each statement is
 * announced as knex's `query` event, as the query builder's are.
 */
export class DirectSql {
  readonly #client: PoolClient;

  constructor(db: Knex) {
    this.#client = db.client as unknown as PoolClient;
  }

  /** One statement on its own (autocommit). */
  async run<T = unknown>(sql: string, values?: readonly unknown[]): Promise<T> {
    const conn = await this.#client.acquireConnection();
    try {
      return await this.#query<T>(conn, sql, values);
    } finally {
      await this.#client.releaseConnection(conn);
    }
  }

  /** `fn`'s statements in one transaction on one connection: committed, or rolled back when `fn` throws. */
  async transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const conn = await this.#client.acquireConnection();
    try {
      await this.#query(conn, 'BEGIN;');
      let out: T;
      try {
        out = await fn((sql, values) => this.#query(conn, sql, values));
      } catch (err) {
        // A lost connection cannot roll back; the server did when it lost it.
        await this.#query(conn, 'ROLLBACK').catch(() => undefined);
        throw err;
      }
      await this.#query(conn, 'COMMIT;');
      return out;
    } finally {
      await this.#client.releaseConnection(conn);
    }
  }

  #query<T>(conn: Connection, sql: string, values?: readonly unknown[]): Promise<T> {
    this.#client.emit('query', { sql, bindings: values });
    return new Promise<T>((resolve, reject) => conn.query(sql, values, (err, result) => (err ? reject(err) : resolve(result as T))));
  }
}
