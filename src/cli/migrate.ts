import { ConfigError, loadConfig } from '../config.js';
import { currentWriterUrl, ensureDatabase, migrate, openDatabase } from '../adapters/mysql/database.js';

/** `npm run migrate`: creates the database when missing and applies pending migrations. */
async function run(): Promise<void> {
  const cfg = loadConfig();
  const url = await currentWriterUrl(cfg.dbUrl, cfg.dbHosts);
  await ensureDatabase(url);
  const db = openDatabase(url, 1);
  try {
    const applied = await migrate(db);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
  } finally {
    await db.destroy();
  }
}

run().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `migrate failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
