import knexFactory, { type Knex } from 'knex';
import { migrationSource } from '../../../migrations/index.js';
import { WriterHosts, type DbHost } from './writer-hosts.js';

/** Splits `mysql://user:pw@host:port/db` into the server part and the database name. */
export function parseDbUrl(url: string): { serverUrl: string; database: string } {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_$]+$/.test(database)) throw new Error(`database name "${database}" is not a plain identifier`);
  u.pathname = '/';
  return { serverUrl: u.toString(), database };
}

/** `url` pointing at another server (the database, user and password kept). */
export function urlOnHost(url: string, h: DbHost): string {
  const u = new URL(url);
  u.hostname = h.host;
  u.port = String(h.port);
  return u.toString();
}

/** The user and password of a database URL. */
export function credentialsOf(url: string): { user: string; password: string } {
  const u = new URL(url);
  return { user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/**
 * For a one-shot command (migrate, import, export): `url` on the writer of `hosts` at this moment
 * (writer-hosts.ts), or `url` itself without a host list. A move while it runs fails the command.
 */
export async function currentWriterUrl(url: string, hosts: DbHost[] | undefined): Promise<string> {
  if (!hosts) return url;
  const writer = new WriterHosts({ hosts, credentials: credentialsOf(url) });
  try {
    await writer.start();
    return urlOnHost(url, writer.current);
  } finally {
    writer.close();
  }
}

type RawConnection = {
  query: (sql: string, cb: (err: Error | null) => void) => void;
  on: (event: 'error', fn: (err: Error) => void) => void;
  config: { host: string; port: number };
};

function connection(url: string, pool: { min: number; max: number }, writer?: WriterHosts): Knex.Config {
  const settings = (uri: string) => ({
    uri,
    // Every DATETIME is UTC; the session time zone matches so NOW(3) agrees with JS dates.
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    connectTimeout: 10_000,
    // The hot path sends a transaction's BEGIN and COMMIT with its first and last statements
    // (direct-sql.ts). Every statement binds its values (no text is pasted into SQL), so a
    // second statement cannot be smuggled into one.
    multipleStatements: true,
  });
  // With a host list, each new connection goes to the writer of the moment, and a connection to
  // an earlier writer is not handed out again (writer-hosts.ts).
  const onWriter = (conn: RawConnection) => !writer || (conn.config.host === writer.current.host && conn.config.port === writer.current.port);
  return {
    client: 'mysql2',
    connection: writer
      ? () => {
          const generation = writer.generation;
          return { ...settings(urlOnHost(url, writer.current)), expirationChecker: () => writer.generation !== generation } as Knex.MySql2ConnectionConfig;
        }
      : (settings(url) as Knex.MySql2ConnectionConfig),
    pool: {
      ...pool,
      ...(writer ? { validate: onWriter } : {}),
      afterCreate: (conn: RawConnection, done: (err: Error | null, c: unknown) => void) => {
        if (writer) conn.on('error', () => writer.suspect());
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
    log: { warn: poolWarning },
  };
}

/**
 * The pool's warnings, but for a pooled connection whose server went away (a restart, a killed
 * node, a network cut): the pool drops it and makes another one, which is the expected course
 * (with a host list, on the writer of the moment), so it is not printed.
 */
function poolWarning(message: string): void {
  if (/^Connection Error: Error: Connection lost/.test(message)) return;
  console.warn(message);
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

/** A pool on `url`, or, with `writer`, on the writer of its host list (same user and database). */
export function openDatabase(url: string, poolMax = 10, writer?: WriterHosts): Knex {
  return knexFactory(connection(url, { min: 0, max: poolMax }, writer));
}

/** Creates the database when needed and brings the schema up to date. */
export async function migrate(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

/** Opens a connection pool on a database that exists and is migrated. */
export async function openMigratedDatabase(url: string, poolMax = 10, writer?: WriterHosts): Promise<Knex> {
  await ensureDatabase(writer ? urlOnHost(url, writer.current) : url);
  const db = openDatabase(url, poolMax, writer);
  await migrate(db);
  return db;
}
