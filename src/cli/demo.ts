/*
 * `npm run demo`: a whole progressive campaign against the FreeSWITCH simulator, on this machine's
 * MariaDB and Redis, with live progress, ending with a summary. Everything goes through the real
 * paths: REST (JSON and CSV upload), the engine, the ESL adapter over TCP, BullMQ wake-ups.
 */
import { Cluster } from 'ioredis';
import { connectRedis, type RedisTarget } from '../adapters/queue/redis-connection.js';
import { pino } from 'pino';
import { loadConfig, loadDemoConfig } from '../config.js';
import { FreeSwitchTelephony } from '../adapters/freeswitch/telephony.js';
import { freePorts } from '../adapters/free-port.js';
import { dropDatabase, openMigratedDatabase, parseDbUrl } from '../adapters/mysql/database.js';
import { startRuntime } from '../runtime.js';
import { Simulator } from '../simulator/index.js';
import { buildPlan, CSV_COLUMNS, DEMO_WINDOWS, prng, redraw, toCsv } from './demo-scenario.js';
import { DemoClient } from './demo-client.js';
import { ProgressView, type ProgressFrame } from './progress-view.js';
import { printSummary } from './demo-summary.js';

const PREFIX = '{dialer-demo}';
const ADMIN = { username: 'demo', password: 'demo-password' };

async function clearQueue(target: RedisTarget): Promise<void> {
  const redis = connectRedis(target, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    // SCAN reads one node: on a Cluster, each master in turn.
    for (const node of redis instanceof Cluster ? redis.nodes('master') : [redis]) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
        if (keys.length) await node.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const demo = loadDemoConfig();
  const base = loadConfig();
  const { serverUrl } = parseDbUrl(base.dbUrl);
  const dbUrl = `${serverUrl}dialer_demo`;
  const log = pino({ level: demo.logLevel });
  const started = Date.now();

  await dropDatabase(dbUrl);
  await clearQueue(base.redisUrl);
  const db = await openMigratedDatabase(dbUrl);
  const plan = buildPlan({ members: demo.members, agents: demo.agents, now: new Date() });
  const [outboundPort, simListenPort] = await freePorts(2);
  const sim = new Simulator({ port: simListenPort!, scenario: plan.scenario, routeCallTimeoutSec: 1, log: log.child({ component: 'simulator' }),
    agentContextSocket: `127.0.0.1:${outboundPort}` });
  const { port: simPort } = await sim.start();

  // A free API port unless DIALER_HTTP_PORT names one (to watch the demo from the web client).
  const cfg = loadConfig(undefined, {
    defaults: { DIALER_HTTP_PORT: '0' },
    overrides: {
      DIALER_DB_URL: dbUrl,
      DIALER_QUEUE_PREFIX: PREFIX,
      DIALER_FREESWITCH: `127.0.0.1:${simPort}:ClueCon`,
      DIALER_OUTBOUND_LISTEN: `127.0.0.1:${outboundPort}`,
    },
  });
  const telephony = new FreeSwitchTelephony({
    nodes: cfg.freeswitch, outbound: cfg.outbound, sofiaProfile: cfg.sofiaProfile, routeContext: cfg.routeContext,
    log,
  });
  const runtime = await startRuntime({ cfg, log, telephony, db, sweepMs: 5_000, firstAdmin: { user: ADMIN.username, password: ADMIN.password } });
  const api = new DemoClient(`http://127.0.0.1:${runtime.api.port}`);
  await api.login(ADMIN.username, ADMIN.password);
  process.stdout.write(`Demo: ${demo.members} members, ${demo.agents} agents, simulator on :${simPort}, API on http://127.0.0.1:${runtime.api.port} (user ${ADMIN.username} / ${ADMIN.password})\n\n`);

  // Set-up through REST, as an operator would.
  const calendar = await api.post('/api/v2/calendars', { name: 'Working hours', timezone: 'UTC', windows: DEMO_WINDOWS });
  const trunk = await api.post('/api/v2/line-groups', { name: 'Trunk', capacity: 20 });
  const common = { calendar_id: calendar.id, line_group_id: trunk.id, max_tries: 3, retry_wait_sec: 3, min_success_sec: 1 };
  // C9: a trunk that answers 503 for a number is counted against it here instead of retried for free.
  const renewals = await api.post('/api/v2/dialer', { ...common, name: 'Renewals', priority: 10, limit: 14, wrapup_sec: 0, wait_result: false,
    variables: { campaign: 'renewals', caller_language: 'en' }, causes: { NORMAL_TEMPORARY_FAILURE: 'retry' } });
  const survey = await api.post('/api/v2/dialer', { ...common, name: 'Survey', priority: 5, limit: 14, wrapup_sec: 2, wait_result: true,
    variables: { campaign: 'survey' }, causes: { CALL_REJECTED: 'error', NORMAL_TEMPORARY_FAILURE: 'retry' } });
  const agentIds: number[] = [];
  for (const [i, sipUser] of plan.agents.entries()) {
    const a = await api.post('/api/v2/agents', { name: `Agent ${i + 1}`, sip_user: sipUser, call_timeout: 2, wrapup_sec: 0,
      max_no_answer: 2, busy_delay_sec: 3, reject_delay_sec: 3, no_answer_delay_sec: 3 });
    agentIds.push(a.id);
    for (const c of [renewals.id, survey.id]) await api.post(`/api/v2/dialer/${c}/tiers`, { agent_id: a.id, level: 1 });
  }
  // A5: two agents log in from their phones with the service number, the rest through REST.
  for (const sipUser of plan.agents.slice(0, 2)) await sim.dialServiceCode(sipUser, '*100');
  for (const id of agentIds.slice(2)) await api.put(`/api/v2/agents/${id}/status`, { status: 'Available' });

  const [first, second] = plan.campaigns;
  const imported = await api.upload(`/api/v2/dialer/${renewals.id}/members/import?separator=;&skip_header=true&columns=${CSV_COLUMNS}`, toCsv(first!.members));
  await api.post(`/api/v2/dialer/${survey.id}/members`, second!.members.map((m) => ({
    name: m.name, timezone: m.timezone, expire_at: m.expireAt, variables: { source: 'demo-json' },
    communications: m.numbers.map((number, i) => ({ number, priority: 10 - i })),
  })));
  process.stdout.write(`Loaded ${imported.inserted} members by CSV (${imported.rejected_count} rejected) and ${second!.members.length} by JSON.\n\n`);
  await api.post(`/api/v2/dialer/${renewals.id}/run`);
  await api.post(`/api/v2/dialer/${survey.id}/run`);

  // C7: the Survey agents report results by REST after their calls.
  const reported = new Set<string>();
  const draw = prng(11);
  let drawnAt = Date.now();
  const view = new ProgressView();
  const campaigns = [{ id: renewals.id, name: 'Renewals' }, { id: survey.id, name: 'Survey' }];
  for (;;) {
    const frame = await progress(api, campaigns, trunk, started);
    view.draw(frame);
    if (frame.campaigns.every((c) => c.state === 'finished')) break;
    if (Date.now() - started > demo.deadlineSec * 1000) throw new Error('the demo did not finish in time');
    await reportResults(api, survey.id, reported);
    if (Date.now() - drawnAt > 3000) {
      for (const [number, script] of redraw(plan, draw)) sim.setSubscriber(number, script);
      drawnAt = Date.now();
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await printSummary(db, campaigns, (Date.now() - started) / 1000);
  await runtime.close();
  await sim.close();
  await db.destroy();
  process.stdout.write(`\nThe demo database ${parseDbUrl(dbUrl).database} is kept for a look around.\n`);
}

async function progress(api: DemoClient, campaigns: { id: number; name: string }[], trunk: { id: number; name: string; capacity: number },
  started: number): Promise<ProgressFrame> {
  const rows = await Promise.all(campaigns.map(async (c) => {
    const [info, stats] = await Promise.all([api.get(`/api/v2/dialer/${c.id}`), api.get(`/api/v2/dialer/${c.id}/stats`)]);
    return {
      name: c.name, state: info.state as string, total: stats.members.total, done: stats.members.done,
      succeeded: stats.succeeded, failed: stats.failed, remaining: stats.members.total - stats.members.done,
      dialled: stats.dialled, live: stats.live_calls, limit: info.limit,
    };
  }));
  const agents: Record<string, number> = {};
  for (const a of await api.get('/api/v2/agents')) {
    const key = a.status === 'Available' ? a.state : a.status;
    agents[key] = (agents[key] ?? 0) + 1;
  }
  return {
    elapsedSec: (Date.now() - started) / 1000, campaigns: rows, agents,
    lineGroup: { name: trunk.name, live: rows.reduce((n, r) => n + r.live, 0), capacity: trunk.capacity },
  };
}

/**
 * Seven in ten calls waiting for a result get `success: true`; the rest ask to be called again
 * in 2 s (R1). Each call is reported once: a member is keyed with its count of tries.
 */
async function reportResults(api: DemoClient, campaignId: number, reported: Set<string>): Promise<void> {
  const page = await api.get(`/api/v2/dialer/${campaignId}/members?state=waiting_result&limit=200`);
  for (const m of page.items as { id: number; tries: number }[]) {
    const key = `${m.id}:${m.tries}`;
    if (reported.has(key)) continue;
    reported.add(key);
    const success = (m.id + m.tries) % 10 < 7;
    await api.put(`/api/v2/dialer/${campaignId}/members/${m.id}/status`,
      success ? { success: true, comment: 'sale' } : { success: false, next_after_sec: 2, comment: 'call back' }, [200, 409]);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
