import type { Knex } from 'knex';

/** Runs one written-out statement with its bindings; resolves to mysql2's result (rows, or the write's header). */
export type Sql = <T = unknown>(sql: string, values?: readonly unknown[]) => Promise<T>;

/** One statement and its bindings. */
export type Statement = readonly [sql: string, values: readonly unknown[]];

/** The statements of one transaction (DirectSql.transaction). */
export interface TxSql extends Sql {
  /**
   * The transaction's last statements, sent with its COMMIT in one round trip; resolves to each
   * statement's result, in order. Nothing may be sent after it.
   */
  commitWith<T extends unknown[]>(statements: readonly Statement[]): Promise<T>;
}

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
 * writer check on a host list, its disposal of a broken connection), and each round trip is
 * announced as knex's `query` event, as the query builder's are.
 *
 * A transaction's BEGIN travels with its first statement and its COMMIT with its last ones
 * (commitWith), as one multi-statement packet each (the pool's connections allow them,
 * database.ts): a round trip costs the engine a socket write, a read and a promise, and the
 * claim would otherwise spend two of its five on BEGIN and COMMIT alone.
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
  async transaction<T>(fn: (sql: TxSql) => Promise<T>): Promise<T> {
    const conn = await this.#client.acquireConnection();
    // 'idle': nothing sent yet (BEGIN goes with the first statement); 'open'; 'committed'.
    const tx: { state: 'idle' | 'open' | 'committed' } = { state: 'idle' };
    const send = async (sqls: string[], values: readonly unknown[] | undefined): Promise<unknown[]> => {
      if (tx.state === 'committed') throw new Error('a statement after the transaction committed');
      const begin = tx.state === 'idle';
      tx.state = 'open';
      const text = (begin ? ['BEGIN', ...sqls] : sqls).join(';\n');
      const out = await this.#query<unknown>(conn, text, values);
      const results = begin || sqls.length > 1 ? (out as unknown[]) : [out];
      return begin ? results.slice(1) : results;
    };
    const sql = (async <R>(text: string, values?: readonly unknown[]) =>
      (await send([text], values))[0] as R) as TxSql;
    sql.commitWith = async <R extends unknown[]>(statements: readonly Statement[]) => {
      const results = await send([...statements.map(([s]) => s), 'COMMIT'], statements.flatMap(([, v]) => v));
      tx.state = 'committed';
      return results.slice(0, -1) as R;
    };
    try {
      let out: T;
      try {
        out = await fn(sql);
      } catch (err) {
        // A lost connection cannot roll back; the server did when it lost it.
        if (tx.state === 'open') await this.#query(conn, 'ROLLBACK').catch(() => undefined);
        throw err;
      }
      if (tx.state === 'open') await this.#query(conn, 'COMMIT');
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
