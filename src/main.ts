import { pino } from 'pino';
import { ConfigError, loadConfig } from './config.js';
import { FreeSwitchTelephony } from './adapters/freeswitch/telephony.js';
import { startRuntime } from './runtime.js';

/*
 * Composition root: configuration, one root logger, then the runtime (database created and
 * migrated when needed, BullMQ wake-ups, the FreeSWITCH adapter, the engine, the REST API).
 * SIGTERM/SIGINT: stop claiming, let live calls settle, close, with a forced exit after a grace.
 */
/** Beyond the calls' drain: closing connections and queues. */
const CLOSE_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const cfg = loadConfig();
  const log = pino({ level: cfg.logLevel, base: { svc: 'dialer', instance: cfg.instanceId } });
  const telephony = new FreeSwitchTelephony({
    nodes: cfg.freeswitch,
    outbound: cfg.outbound,
    sofiaProfile: cfg.sofiaProfile,
    routeContext: cfg.routeContext,
    log,
  });
  // Listened for before anything starts: a signal while starting (the engine may already be
  // dialling) is kept and acted on once started, rather than killing the process mid-call. From
  // the signal on, the process exits by itself at the latest after the drain and a grace.
  let signalled: string | undefined;
  let stop: (() => Promise<void>) | undefined;
  const onSignal = (signal: string) => {
    if (signalled) return;
    signalled = signal;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, cfg.drainSec * 1000 + CLOSE_GRACE_MS).unref();
    void stop?.();
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  const runtime = await startRuntime({ cfg, log, telephony, firstAdmin: cfg.admin });

  const first = runtime.firstAdmin;
  if (first?.kind === 'created') {
    log.info({ username: first.username }, 'first admin created');
    // Shown once, on stdout only: it is not kept anywhere in clear.
    if (first.generatedPassword) {
      process.stdout.write(`\nFirst admin: ${first.username} / ${first.generatedPassword}\n(set DIALER_ADMIN_PASSWORD to choose it; shown only once)\n\n`);
    }
  }

  stop = async () => {
    await runtime.close();
    log.info('stopped');
  };
  if (signalled) await stop();
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
