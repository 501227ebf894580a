/**
 * `npm run bench:agents` (W3): events delivered per second to N connected agent clients over the
 * CTI socket, and the latency from the engine's state change to the client's message, beside a
 * bare `ws` broadcast of messages of the same shape to as many clients, in the same run.
 *
 * The dialer side is one API process (DIALER_ENGINE=false) holding the sockets; "the engine" is
 * this bench acting as another process would: it changes the agents' rows in MySQL and announces
 * them on its live feed, relayed through Redis (RedisLiveRelay) exactly as an engine's changes
 * are. A round changes every agent's status at once (one UPDATE), then times each client's
 * `agent` event from the commit. The clients are in this process too (one event loop for server
 * and clients: both figures pay that alike).
 *
 * Options: --agents 1000 --rounds 10; its BENCHMARKS.md section is rewritten unless --no-write.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import { loadConfig } from '../src/config.js';
import { FreeSwitchTelephony } from '../src/adapters/freeswitch/telephony.js';
import { RedisLiveRelay } from '../src/adapters/queue/redis-live-relay.js';
import { LiveFeed } from '../src/app/engine/live-feed.js';
import { startRuntime } from '../src/runtime.js';
import { agents, quantile, scratchDb, sleep } from './engine-setup.js';
import { writeSection } from './write-section.js';

const { values: opt } = parseArgs({ options: {
  agents: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '10' }, 'no-write': { type: 'boolean', default: false },
} });
const N = Number(opt.agents);
const ROUNDS = Number(opt.rounds);
const ROUND_TIMEOUT_MS = 60_000;
const ADMIN = { username: 'bench-admin', password: 'bench-admin-password-1' };

interface Figures { eventsPerSec: number; p50: number; p99: number; max: number; delivered: number; expected: number }

/** Per round: the instant of the change and, per client, when its message came. */
class Rounds {
  readonly latencies: number[] = [];
  private round = -1;
  private t0 = 0;
  private got = 0;
  private done: (() => void) | undefined;
  private busyMs = 0;
  private delivered = 0;

  begin(round: number, t0: number): Promise<void> {
    this.round = round;
    this.t0 = t0;
    this.got = 0;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => resolve(), ROUND_TIMEOUT_MS);
      this.done = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  received(round: number): void {
    if (round !== this.round) return;
    const ms = performance.now() - this.t0;
    this.latencies.push(ms);
    this.delivered++;
    if (++this.got === N) {
      this.busyMs += ms;
      this.done?.();
    }
  }

  figures(): Figures {
    const xs = [...this.latencies].sort((a, b) => a - b);
    return { eventsPerSec: this.delivered / (this.busyMs / 1000), p50: quantile(xs, 0.5), p99: quantile(xs, 0.99), max: xs.at(-1) ?? NaN,
      delivered: this.delivered, expected: N * ROUNDS };
  }
}

async function openAll(urls: string[], onMessage: (i: number, text: string) => void): Promise<WebSocket[]> {
  const out: WebSocket[] = [];
  // A few at a time: the server's upgrade (ticket, agent read, snapshot) is real work.
  for (let i = 0; i < urls.length; i += 50) {
    out.push(...await Promise.all(urls.slice(i, i + 50).map((u, k) => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(u);
      ws.on('message', (d) => onMessage(i + k, String(d)));
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    }))));
  }
  return out;
}

async function dialerRun(): Promise<Figures> {
  const scratch = await scratchDb('bench_agents');
  const prefix = `{bench-agents-${randomBytes(4).toString('hex')}}`;
  const cfg = loadConfig({
    DIALER_DB_URL: scratch.url, DIALER_HTTP_PORT: '0', DIALER_HTTP_HOST: '127.0.0.1', DIALER_QUEUE_PREFIX: prefix,
    DIALER_TOKEN_SECRET: 'bench-secret-0123456789abcdef', DIALER_FREESWITCH: '127.0.0.1:1:ClueCon', DIALER_ENGINE: 'false',
  });
  const log = pino({ level: 'warn' });
  const telephony = new FreeSwitchTelephony({ nodes: cfg.freeswitch, outbound: cfg.outbound, sofiaProfile: cfg.sofiaProfile, routeContext: cfg.routeContext, log });
  const runtime = await startRuntime({ cfg, log, telephony, db: scratch.db, firstAdmin: { user: ADMIN.username, password: ADMIN.password } });
  const base = `http://127.0.0.1:${runtime.api.port}`;
  // "The engine": another process's feed, relayed through Redis.
  const engineFeed = new LiveFeed();
  const relay = new RedisLiveRelay({ redisUrl: cfg.redisUrl, prefix, instanceId: 'bench-engine', log });
  const sockets: WebSocket[] = [];
  try {
    await relay.start(engineFeed);
    const list = await agents(scratch.db, 700_000, N, [], null);
    const login = await (await fetch(`${base}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) })).json() as { key: string; token: string };
    const auth = { 'x-key': login.key, 'x-access-token': login.token };
    // A supervisor watches each agent (&agent_id=): one login for N connections, the same events.
    const urls: string[] = [];
    for (const a of list) {
      const r = await fetch(`${base}/api/v2/agent/socket/ticket`, { method: 'POST', headers: auth });
      if (!r.ok) throw new Error(`ticket: HTTP ${r.status} ${await r.text()}`);
      const { ticket } = await r.json() as { ticket: string };
      urls.push(`${base.replace('http', 'ws')}/api/v2/agent/socket?ticket=${ticket}&agent_id=${a.id}`);
    }
    const rounds = new Rounds();
    let expected = '';
    let current = -1;
    sockets.push(...await openAll(urls, (_i, text) => {
      const m = JSON.parse(text) as { type: string; event?: { type: string; status?: string } };
      if (m.type === 'event' && m.event?.type === 'agent' && m.event.status === expected) rounds.received(current);
    }));
    await sleep(1_000);
    for (let r = 0; r < ROUNDS; r++) {
      expected = r % 2 === 0 ? 'On Break' : 'Available';
      await scratch.db('agents').whereIn('id', list.map((a) => a.id)).update({ status: expected, version: scratch.db.raw('version + 1') });
      current = r;
      const done = rounds.begin(r, performance.now());
      for (const a of list) engineFeed.agent(a.id);
      await done;
      await sleep(300);
    }
    return rounds.figures();
  } finally {
    sockets.forEach((s) => s.terminate());
    await relay.close();
    await runtime.close();
    await scratch.drop();
  }
}

async function baselineRun(): Promise<Figures> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const port = (wss.address() as { port: number }).port;
  const rounds = new Rounds();
  let current = -1;
  const sockets = await openAll(Array.from({ length: N }, () => `ws://127.0.0.1:${port}/`), (_i, text) => {
    const m = JSON.parse(text) as { type: string; event?: { type: string } };
    if (m.type === 'event' && m.event?.type === 'agent') rounds.received(current);
  });
  try {
    await sleep(500);
    const peers = [...wss.clients];
    for (let r = 0; r < ROUNDS; r++) {
      current = r;
      const done = rounds.begin(r, performance.now());
      // The same message shape as the socket's `agent` event, serialised per client as there.
      peers.forEach((p, i) => p.send(JSON.stringify({ v: 1, type: 'event', seq: r + 1, agent_id: i + 1,
        event: { type: 'agent', attempt_id: null, status: r % 2 === 0 ? 'On Break' : 'Available', break_reason: null, state: 'Waiting', ready_at: null } })));
      await done;
      await sleep(300);
    }
    return rounds.figures();
  } finally {
    sockets.forEach((s) => s.terminate());
    await new Promise((r) => wss.close(r));
  }
}

const f1 = (x: number) => x.toFixed(1);
const row = (name: string, f: Figures) =>
  `| ${name} | ${Math.round(f.eventsPerSec)} | ${f1(f.p50)} | ${f1(f.p99)} | ${f1(f.max)} | ${f.delivered} / ${f.expected} |`;

const load = loadavg().map((l) => l.toFixed(1)).join(' ');
const baseline = await baselineRun();
const dialer = await dialerRun();
const table = [
  `${N} clients connected, ${ROUNDS} rounds of one change per agent (${N * ROUNDS} events); ${cpus().length} cores, load average ${load} at the start; Node ${process.version}.`,
  '',
  '| Path | events/s delivered | p50 ms | p99 ms | max ms | delivered |',
  '|---|---|---|---|---|---|',
  row('bare `ws` broadcast (baseline)', baseline),
  row('CTI socket: MySQL change → relay → read → Redis log → clients', dialer),
].join('\n');
console.log(table);
if (!opt['no-write']) {
  writeSection('CTI socket: events to 1,000 agent clients (W3)', `\`npm run bench:agents\`. ${table}\n`);
}
process.exit(dialer.delivered === dialer.expected && baseline.delivered === baseline.expected ? 0 : 1);
