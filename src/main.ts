import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { buildApiDeps } from './adapters/http/api-deps.js';
import { startApiServer } from './adapters/http/api-server.js';
import { openMigratedDatabase } from './adapters/mysql/database.js';
import { noopEngineSignals } from './app/ports/engine-signals.js';

/*
 * Composition root: configuration, one root logger, the database (created and
 * migrated when needed), the first admin, the REST API. The dialing engine
 * plugs in through EngineSignals and ApplyResultStatus.
 */
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const cfg = loadConfig();
  const log = pino({ level: cfg.logLevel, base: { svc: 'dialer', instance: cfg.instanceId } });
  const db = await openMigratedDatabase(cfg.dbUrl);
  const deps = await buildApiDeps({
    db, log, token: cfg.token, maxJsonBytes: cfg.http.maxJsonBytes, signals: noopEngineSignals,
  });

  const first = await deps.auth.ensureFirstAdmin(cfg.admin.user, cfg.admin.password);
  if (first.kind === 'created') {
    log.info({ username: first.username }, 'first admin created');
    // Shown once, on stdout only: it is not kept anywhere in clear.
    if (first.generatedPassword) {
      process.stdout.write(`\nFirst admin: ${first.username} / ${first.generatedPassword}\n(set DIALER_ADMIN_PASSWORD to choose it; shown only once)\n\n`);
    }
  }

  const api = await startApiServer({ ...deps, host: cfg.http.host, port: cfg.http.port });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    try {
      await api.close();
    } catch (err) {
      log.error({ err }, 'closing the REST API failed');
    }
    try {
      await db.destroy();
    } catch (err) {
      log.error({ err }, 'closing the database pool failed');
    }
    log.info('stopped');
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
