import { Router } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { buildApiDeps } from './api-deps.js';
import { startApiServer, type ApiServer } from './adapters/http/api-server.js';
import type { ExtraRouter } from './adapters/http/app.js';
import { webClient } from './adapters/http/web-routes.js';
import { PrometheusMetrics } from './adapters/metrics/prometheus.js';
import { MysqlCallStore } from './adapters/mysql/call-store.js';
import { MysqlDispatchStore } from './adapters/mysql/claim-store.js';
import { MysqlPredictiveStore } from './adapters/mysql/predictive-store.js';
import { MysqlPacerStore } from './adapters/mysql/pacer-store.js';
import { credentialsOf, openDatabase, openMigratedDatabase } from './adapters/mysql/database.js';
import { WriterHosts } from './adapters/mysql/writer-hosts.js';
import { MysqlDialFacts } from './adapters/mysql/dial-facts-store.js';
import { MysqlEngineStore } from './adapters/mysql/engine-store.js';
import { toTimer } from './app/engine/wake-up-timer.js';
import { MysqlPreviewStore } from './adapters/mysql/preview-store.js';
import { MysqlStatusStore } from './adapters/mysql/result-status-store.js';
import { statusApplier } from './app/apply-result-status.js';
import { BullmqTimers } from './adapters/queue/bullmq-timers.js';
import { MysqlAgentDeskStore } from './adapters/mysql/agent-desk-store.js';
import { RedisDeskLog } from './adapters/queue/redis-desk-log.js';
import { RedisPresence } from './adapters/queue/redis-presence.js';
import { RedisDispatchNews } from './adapters/queue/redis-dispatch-news.js';
import { RedisLiveRelay } from './adapters/queue/redis-live-relay.js';
import { RedisLoginThrottle } from './adapters/queue/redis-login-throttle.js';
import { RedisLossProbe } from './adapters/queue/redis-loss-probe.js';
import { DeskEventHub } from './app/agent-desk/desk-event-hub.js';
import { HashGate } from './app/auth/hash-gate.js';
import { DependencyHealth } from './app/dependency-health.js';
import { Engine } from './app/engine/engine.js';
import { LiveFeed, liveNewsOf } from './app/engine/live-feed.js';
import type { AuthService, FirstAdminOutcome } from './app/auth/auth-service.js';
import { announcingSignals, type EngineSignals } from './app/ports/engine-signals.js';
import type { Telephony } from './app/ports/telephony.js';
import { resultStatusFlow } from './app/result-status-flow.js';

export interface RuntimeOptions {
  cfg: Config;
  log: Logger;
  /** The FreeSWITCH adapter (real servers, or the simulator in the demo and tests). */
  telephony: Telephony;
  /** An open, migrated pool; opened from cfg.dbUrl (and cfg.dbHosts) when absent (and then closed by close()). */
  db?: Knex;
  now?: () => Date;
  extraRouters?: readonly ExtraRouter[];
  /** Safety sweep period, ms. */
  sweepMs?: number;
  /** The first admin, created when there is no user, before the REST port opens (a login at once works). */
  firstAdmin?: { user: string; password: string | undefined };
}

export interface Runtime {
  db: Knex;
  engine: Engine | null;
  api: ApiServer;
  auth: AuthService;
  /** What became of `firstAdmin` (undefined when not asked for). */
  firstAdmin: FirstAdminOutcome | undefined;
  timers: BullmqTimers;
  metrics: PrometheusMetrics;
  /** Stops in the reverse order of start; idempotent. */
  close(): Promise<void>;
}

function metricsRouter(metrics: PrometheusMetrics): ExtraRouter {
  return () => {
    const r = Router();
    r.get('/metrics', async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
    return r;
  };
}

/** REST changes of an API-only process on its own boards too (the news does not come back to it). */
function showingSignals(signals: EngineSignals, feed: LiveFeed): EngineSignals {
  return {
    campaignChanged: (id) => { signals.campaignChanged(id); feed.show({ campaigns: [id] }); },
    agentChanged: (id) => { signals.agentChanged(id); feed.show({ agents: [id] }); },
    membersAdded: (id) => { signals.membersAdded(id); feed.show({ campaigns: [id] }); },
    hangUp: (call) => signals.hangUp(call),
    previewAccepted: (attemptId) => signals.previewAccepted(attemptId),
  };
}

/** A round trip to the database, bounded: a database that hangs is down too. */
async function pingDatabase(db: Knex): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), 2_000); });
  try {
    return await Promise.race([db.raw('SELECT 1').then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Database, timers, engine and REST API, wired (DESIGN §7: the composition root's body). */
export async function startRuntime(o: RuntimeOptions): Promise<Runtime> {
  const { cfg, log } = o;
  const ownDb = !o.db;
  // DESIGN §1a: with a host list, one writer at a time, moved when it fails (writer-hosts.ts).
  const writer = ownDb && cfg.dbHosts
    ? new WriterHosts({ hosts: cfg.dbHosts, credentials: credentialsOf(cfg.dbUrl), log: log.child({ component: 'database' }) })
    : undefined;
  await writer?.start();
  const db = o.db ?? (await openMigratedDatabase(cfg.dbUrl, 10, writer));
  // Reports, exports and the live boards may read a replica; what they show may lag the writer a little.
  const readDb = cfg.dbReplicaUrl ? openDatabase(cfg.dbReplicaUrl, 5) : db;
  const metrics = new PrometheusMetrics(db);
  const timers = new BullmqTimers({ redisUrl: cfg.redisUrl, prefix: cfg.queuePrefix, log: log.child({ component: 'timers' }) });
  timers.on('fired', (f) => metrics.observeTimer(f.kind, f.firedAtMs - f.atMs));

  const lossProbe = cfg.engine ? new RedisLossProbe({ redisUrl: cfg.redisUrl, prefix: cfg.queuePrefix, log: log.child({ component: 'timers' }) }) : null;
  const news = new RedisDispatchNews({ redisUrl: cfg.redisUrl, prefix: cfg.queuePrefix, instanceId: cfg.instanceId, log: log.child({ component: 'news' }) });
  // The live boards of this process show every process's changes: its own, the dispatch news
  // (settles, REST changes) and, through the relay, what only the process that made it knows.
  const feed = new LiveFeed();
  const relay = new RedisLiveRelay({ redisUrl: cfg.redisUrl, prefix: cfg.queuePrefix, instanceId: cfg.instanceId, log: log.child({ component: 'live' }) });
  // W2: the agents' CTI connections, seen by every process (the engines offer calls by it).
  const presence = new RedisPresence({ redisUrl: cfg.redisUrl, prefix: cfg.queuePrefix, log: log.child({ component: 'agent-socket' }),
    heartbeatMs: cfg.agentClient.heartbeatMs, graceMs: cfg.agentClient.graceMs });
  const engine = cfg.engine
    ? new Engine({
        dispatchStore: new MysqlDispatchStore(db),
        calls: new MysqlCallStore(db),
        previews: new MysqlPreviewStore(db),
        resultStatus: statusApplier(new MysqlStatusStore(db)),
        engineStore: new MysqlEngineStore(db),
        dialFacts: new MysqlDialFacts(db),
        predictive: { store: new MysqlPredictiveStore(db), pacerStore: new MysqlPacerStore(db) },
        presentAgents: () => presence.present(),
        telephony: o.telephony,
        timers,
        log: log.child({ component: 'engine' }),
        instanceId: cfg.instanceId,
        leaseSec: cfg.leaseSec,
        drainMs: cfg.drainSec * 1000,
        metrics,
        news,
        live: feed,
        ...(lossProbe ? { timersLost: lossProbe.lost } : {}),
        ...(o.now ? { now: o.now } : {}),
        ...(o.sweepMs ? { sweepMs: o.sweepMs } : {}),
      })
    : null;

  // Not awaited: an API-only process serves REST while Redis is away; its boards say they are
  // not live until the relay has subscribed (an engine process waits for Redis in its start).
  void relay.start(feed).catch((err) => log.warn({ err }, 'live relay did not start'));
  // An API-only process: the engines hear of its REST changes, its boards of everyone's news.
  if (!engine) void news.listen((items) => feed.show(liveNewsOf(items))).catch((err) => log.warn({ err }, 'dispatch news did not start'));
  // Issue 13 §1: the dependencies as this process sees them, on the live board and in /metrics.
  const health = new DependencyHealth({
    database: () => pingDatabase(db),
    redis: () => relay.connected,
    ...(cfg.engine && o.telephony.nodeHealth ? { nodes: () => o.telephony.nodeHealth!() } : {}),
  });
  metrics.watchHealth(health);
  // S5: in Redis, so the failed-login limits hold across the API processes of a deployment.
  const loginThrottle = new RedisLoginThrottle({ redisUrl: cfg.redisUrl, prefix: cfg.queuePrefix, limits: cfg.login.limits, log: log.child({ component: 'http' }) });
  const deps = await buildApiDeps({
    db, readDb, log, token: cfg.token, maxJsonBytes: cfg.http.maxJsonBytes, bodyTimeouts: cfg.http.bodyTimeouts, trustProxy: cfg.http.trustProxy,
    maxImportBytes: cfg.http.maxImportBytes,
    login: { gate: new HashGate(cfg.login.hashConcurrency, cfg.login.hashQueue), throttle: loginThrottle },
    signals: engine ?? showingSignals(announcingSignals(news), feed),
    applyResultStatus: engine?.applyResultStatus ?? resultStatusFlow({
      store: statusApplier(new MysqlStatusStore(db)), timers, engineStore: new MysqlEngineStore(db), news, live: feed,
    }),
    armWakeUps: (w) => timers.scheduleMany(w.map(toTimer)),
    ...(o.now ? { now: o.now } : {}),
  });
  const firstAdmin = o.firstAdmin ? await deps.auth.ensureFirstAdmin(o.firstAdmin.user, o.firstAdmin.password) : undefined;
  // The web client, its live push and the queue dashboard; last, as its page fallback catches the rest.
  // W3: the agents' events, one sequence per agent whatever process appends or holds the socket.
  const deskLog = new RedisDeskLog({ redisUrl: cfg.redisUrl, prefix: cfg.queuePrefix, instanceId: cfg.instanceId, log: log.child({ component: 'agent-socket' }) });
  const hub = new DeskEventHub({ log: deskLog, store: new MysqlAgentDeskStore(db), feed, logger: log.child({ component: 'agent-socket' }),
    now: o.now ?? (() => new Date()) });
  void hub.start().catch((err) => log.warn({ err }, 'agent events did not start'));
  const web = webClient({ feed, queues: [timers.queue], health, agentSocket: { hub, presence, heartbeatMs: cfg.agentClient.heartbeatMs } });
  const api = await startApiServer({
    ...deps, host: cfg.http.host, port: cfg.http.port, extraRouters: [metricsRouter(metrics), ...(o.extraRouters ?? []), ...web.routers],
    ...(web.upgrade ? { upgrade: web.upgrade } : {}),
  });
  if (engine) await engine.start();
  health.start();

  let closing: Promise<void> | undefined;
  const step = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      log.error({ err, what }, 'close step failed');
    }
  };
  return {
    db, engine, api, auth: deps.auth, firstAdmin, timers, metrics,
    close: () => (closing ??= (async () => {
      web.close();
      health.close();
      hub.close();
      await step('api', () => api.close());
      await step('agent events', () => deskLog.close());
      await step('login throttle', () => loginThrottle.close());
      if (engine) await step('engine', () => engine.close());
      await step('presence', () => presence.close());
      await step('live relay', () => relay.close());
      if (lossProbe) await step('redis loss probe', () => lossProbe.close());
      await step('dispatch news', () => news.close());
      await step('telephony', () => o.telephony.close());
      await step('timers', () => timers.close());
      if (readDb !== db) await step('replica db', () => readDb.destroy());
      if (ownDb) await step('db', () => db.destroy());
      writer?.close();
    })()),
  };
}
