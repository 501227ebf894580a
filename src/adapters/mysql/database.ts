import knexFactory, { type Knex } from 'knex';
import { migrationSource } from '../../../migrations/index.js';

/** Splits `mysql://user:pw@host:port/db` into the server part and the database name. */
export function parseDbUrl(url: string): { serverUrl: string; database: string } {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_$]+$/.test(database)) throw new Error(`database name "${database}" is not a plain identifier`);
  u.pathname = '/';
  return { serverUrl: u.toString(), database };
}

function connection(url: string, pool: { min: number; max: number }): Knex.Config {
  return {
    client: 'mysql2',
    connection: {
      uri: url,
      // Every DATETIME is UTC; the session time zone matches so NOW(3) agrees with JS dates.
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: false,
      connectTimeout: 10_000,
    } as Knex.MySql2ConnectionConfig,
    pool: {
      ...pool,
      afterCreate: (conn: { query: (sql: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, c: unknown) => void) => {
        // READ COMMITTED for every transaction (DESIGN §2: under REPEATABLE READ the claim's
        // updates of indexed state columns deadlock); set once here instead of per transaction.
        // (Standard syntax, which MariaDB and MySQL 8 share, but which cannot join another SET.)
        conn.query("SET time_zone = '+00:00'", (err) => {
          if (err) return done(err, conn);
          conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', (err2) => done(err2, conn));
        });
      },
    },
    acquireConnectionTimeout: 10_000,
  };
}

/** Creates the database when it is missing (first start on a fresh server). */
export async function ensureDatabase(url: string): Promise<void> {
  const { serverUrl, database } = parseDbUrl(url);
  const admin = knexFactory(connection(serverUrl, { min: 0, max: 1 }));
  try {
    await admin.raw(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await admin.destroy();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const { serverUrl, database } = parseDbUrl(url);
  const admin = knexFactory(connection(serverUrl, { min: 0, max: 1 }));
  try {
    await admin.raw(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await admin.destroy();
  }
}

export function openDatabase(url: string, poolMax = 10): Knex {
  return knexFactory(connection(url, { min: 0, max: poolMax }));
}

/** Creates the database when needed and brings the schema up to date. */
export async function migrate(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

/** Opens a connection pool on a database that exists and is migrated. */
export async function openMigratedDatabase(url: string, poolMax = 10): Promise<Knex> {
  await ensureDatabase(url);
  const db = openDatabase(url, poolMax);
  await migrate(db);
  return db;
}
