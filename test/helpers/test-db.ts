import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { dropDatabase, openMigratedDatabase, urlOnHost } from '../../src/adapters/mysql/database.js';
import type { WriterHosts } from '../../src/adapters/mysql/writer-hosts.js';

const SERVER = process.env.DIALER_TEST_DB_SERVER ?? 'mysql://root@127.0.0.1:3306';
const created = new Set<string>();

export interface TestDatabase {
  url: string;
  db: Knex;
  /** Closes the pool and drops the database. Idempotent. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Another server than the test server (e.g. a node of a cluster). */
  server?: string;
  /** Written through the writer of a host list, as the dialer does (writer-hosts.ts). */
  writer?: WriterHosts;
}

/** A fresh, migrated database of its own for one test file (never a mock of MySQL). */
export async function createTestDatabase(label: string, o: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `dialer_t_${label.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const url = `${o.server ?? SERVER}/${name}`;
  created.add(url);
  const db = await openMigratedDatabase(url, 10, o.writer);
  let dropping: Promise<void> | undefined;
  return {
    url,
    db,
    drop: () =>
      (dropping ??= (async () => {
        await db.destroy();
        await dropDatabase(o.writer ? urlOnHost(url, o.writer.current) : url);
        created.delete(url);
      })()),
  };
}

/** Drops whatever a crashed or forgetful test file left behind. */
export async function dropLeftovers(): Promise<void> {
  for (const url of created) await dropDatabase(url).catch(() => undefined);
  created.clear();
}
