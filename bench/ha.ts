/**
 * HA bench (issue 16): the dialer on a 3-node MariaDB Galera cluster (written through one node,
 * DIALER_DB_HOSTS) and a 3-master Redis Cluster, beside the single MariaDB and single Redis of
 * this machine, in the same run:
 *   1. agent ready → originate sent, p50/p99 (the real Engine, an originate that only timestamps);
 *   2. attempts completed per second through the whole engine against the simulator (its own process).
 * The cluster's nodes all run on this machine: what it measures is the cost of certification and
 * replication round trips on the hot path, not a gain in capacity.
 *
 *   npm run bench:ha [-- --samples 200 --window-sec 15 --no-write]
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { FreeSwitchTelephony } from '../src/adapters/freeswitch/telephony.js';
import { freePort } from '../src/adapters/free-port.js';
import { dropDatabase, openMigratedDatabase } from '../src/adapters/mysql/database.js';
import { WriterHosts } from '../src/adapters/mysql/writer-hosts.js';
import type { RedisTarget } from '../src/adapters/queue/redis-connection.js';
import { startRuntime } from '../src/runtime.js';
import { haGaleraAvailable, startGaleraCluster, type GaleraCluster } from '../test/helpers/ha-galera.js';
import { haRedisAvailable, startRedisCluster, type RedisClusterGroup } from '../test/helpers/ha-redis.js';
import { agents, campaign, members, quantile, SERVER, sleep, spawnTs } from './engine-setup.js';
import { probeEngine, readyToOriginate, waitAgentIdle } from './originate-probe.js';
import { writeSection } from './write-section.js';

const { values: args } = parseArgs({
  options: {
    samples: { type: 'string', default: '200' },
    'window-sec': { type: 'string', default: '15' },
    'no-write': { type: 'boolean', default: false },
  },
});
const SAMPLES = Number(args.samples);
const WINDOW_MS = Number(args['window-sec']) * 1000;
const MEMBERS = 50_000;
const AGENTS = 100;
const silent = pino({ level: 'silent' });
const out: string[] = [];
const say = (line: string) => { console.log(line); out.push(line); };

interface Setup {
  label: string;
  url: string;
  db: Knex;
  /** DIALER_* settings that point the engine at this setup's database and Redis. */
  env: Record<string, string>;
  redis: RedisTarget;
  campaignId: number;
  agentId: number;
}

async function prepare(label: string, url: string, env: Record<string, string>, redis: RedisTarget, writer?: WriterHosts): Promise<Setup> {
  const db = await openMigratedDatabase(url, 10, writer);
  const campaignId = await campaign(db);
  await members(db, campaignId, MEMBERS);
  const [probe] = await agents(db, 4000, 1, [campaignId], 'bench');
  await db('agents').where('id', probe!.id).update({ status: 'On Break' });
  return { label, url, db, env, redis, campaignId, agentId: probe!.id };
}

/** Samples of both setups taken in turn, so that the machine's load falls on both alike. */
async function latency(setups: Setup[]): Promise<number[][]> {
  const probes = [];
  for (const s of setups) {
    await s.db('campaigns').where('id', s.campaignId).update({ state: 'running' });
    probes.push(await probeEngine(s.db, `bench-ha-${randomBytes(2).toString('hex')}`, s.redis));
  }
  const xs: number[][] = setups.map(() => []);
  for (let i = 0; i < SAMPLES + 20; i++) {
    for (const [k, s] of setups.entries()) {
      await waitAgentIdle(s.db, s.agentId);
      const dt = await readyToOriginate(s.db, probes[k]!.engine, probes[k]!.probe, s.agentId);
      if (i >= 20 && dt !== null) xs[k]!.push(dt);
    }
  }
  for (const [k, s] of setups.entries()) {
    await probes[k]!.close();
    await s.db('campaigns').where('id', s.campaignId).update({ state: 'stopped' });
  }
  return xs;
}

async function throughput(s: Setup, simPort: number): Promise<number> {
  const cfg = loadConfig({
    DIALER_DB_URL: s.url, DIALER_HTTP_PORT: '0', DIALER_HTTP_HOST: '127.0.0.1', ...s.env,
    DIALER_QUEUE_PREFIX: `{bench-ha-${randomBytes(3).toString('hex')}}`, DIALER_TOKEN_SECRET: 'bench-secret-0123456789abcdef',
    DIALER_FREESWITCH: `127.0.0.1:${simPort}:ClueCon`, DIALER_OUTBOUND_LISTEN: `127.0.0.1:${await freePort()}`,
  });
  const telephony = new FreeSwitchTelephony({ nodes: cfg.freeswitch, outbound: cfg.outbound, sofiaProfile: cfg.sofiaProfile, routeContext: cfg.routeContext, log: silent });
  await s.db('campaigns').where('id', s.campaignId).update({ state: 'running' });
  const runtime = await startRuntime({ cfg, log: silent, telephony, db: s.db });
  const done = async () => Number((await s.db('attempts').where('campaign_id', s.campaignId).where('state', 'done').count({ n: '*' }).first())?.n);
  await sleep(5000);
  const a0 = await done();
  const t0 = performance.now();
  await sleep(WINDOW_MS);
  const a1 = await done();
  const rate = (a1 - a0) / ((performance.now() - t0) / 1000);
  await s.db('campaigns').where('id', s.campaignId).update({ state: 'stopped' });
  await runtime.close();
  return rate;
}

async function main(): Promise<void> {
  if (!(await haGaleraAvailable()) || !(await haRedisAvailable())) {
    console.log('bench:ha needs mariadbd, mariadb-install-db, rsync, galera-4 and redis-server: not all are here');
    process.exit(1);
  }
  say(`\`npm run bench:ha\` — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}.`);
  say(`Load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (the machine is shared; other work runs beside the bench).\n`);
  let galera: GaleraCluster | undefined;
  let redis: RedisClusterGroup | undefined;
  let writer: WriterHosts | undefined;
  const setups: Setup[] = [];
  const scenarioFile = join(tmpdir(), `bench-ha-scenario-${process.pid}.json`);
  const phones = Object.fromEntries(Array.from({ length: AGENTS }, (_, i) => [`${5000 + i}@127.0.0.1`, { answer: 'answer', afterMs: 1 }]));
  writeFileSync(scenarioFile, JSON.stringify({ agents: phones, defaultSubscriber: { outcome: 'answer', afterMs: 1, talkMs: 1 } }));
  const simPort = await freePort();
  const sim = spawnTs('src/simulator/cli.ts', ['--port', String(simPort), '--scenario', scenarioFile], { LOG_LEVEL: 'warn' });
  sim.stdout!.resume();
  sim.stderr!.resume();
  try {
    let t = performance.now();
    galera = await startGaleraCluster();
    redis = await startRedisCluster();
    say(`Set-up: a 3-node Galera cluster and a 3-master Redis Cluster started in ${((performance.now() - t) / 1000).toFixed(0)} s; ${MEMBERS.toLocaleString('en')} members and ${AGENTS} agents in each database.\n`);
    const name = `dialer_bench_ha_${randomBytes(3).toString('hex')}`;
    setups.push(await prepare('single MariaDB + single Redis', `${SERVER}/${name}`, {}, 'redis://127.0.0.1:6379'));
    writer = new WriterHosts({ hosts: galera.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })), credentials: { user: 'root' }, log: silent });
    await writer.start();
    const nodes = redis.nodes.map((n) => `${n.host}:${n.port}`).join(',');
    setups.push(await prepare('Galera (3 nodes, one writer) + Redis Cluster (3 masters)', `${galera.nodes[0]!.serverUrl}/${name}`,
      { DIALER_DB_HOSTS: galera.hostList, DIALER_REDIS_URL: 'redis://127.0.0.1:1', DIALER_REDIS_CLUSTER: nodes }, { cluster: redis.nodes }, writer));
    t = performance.now();
    const lat = await latency(setups);
    for (const s of setups) await agents(s.db, 5000, AGENTS, [s.campaignId], null);
    const rates: number[] = [];
    for (const s of setups) rates.push(await throughput(s, simPort));
    say(`### Agent ready → originate sent (${SAMPLES} samples each, the two setups in turn), ms; attempts completed per second (${AGENTS} agents, the simulator in its own process, ${WINDOW_MS / 1000} s window)\n`);
    say('| setup | ready → originate p50 | p99 | attempts/s |');
    say('|---|---|---|---|');
    setups.forEach((s, i) => say(`| ${s.label} | ${quantile(lat[i]!, 0.5).toFixed(1)} | ${quantile(lat[i]!, 0.99).toFixed(1)} | ${rates[i]!.toFixed(0)} |`));
    const r = (a: number, b: number) => (a / b).toFixed(2);
    say(`\nRatios HA / single: p99 ${r(quantile(lat[1]!, 0.99), quantile(lat[0]!, 0.99))}×, attempts/s ${r(rates[1]!, rates[0]!)}×. ` +
      `Measured in ${((performance.now() - t) / 1000).toFixed(0)} s; all nodes share this machine's cores with the engine and the simulator.`);
    say(`Load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}. With a load above the number of cores the absolute figures are mostly ` +
      'the machine\'s; the ratios, measured side by side, are the figure. The cluster costs each commit a round of replication to the other ' +
      'nodes (certification) and each Redis command a slot lookup; it buys surviving the loss of a node (`npm run test:ha`), not capacity.\n');
  } finally {
    sim.kill('SIGKILL');
    for (const s of setups) await s.db.destroy().catch(() => undefined);
    await dropDatabase(setups[0]?.url ?? `${SERVER}/none`).catch(() => undefined);
    writer?.close();
    await redis?.close();
    await galera?.close();
  }
  if (!args['no-write']) writeSection('HA: Galera and Redis Cluster beside single nodes', out.join('\n'));
}

await main();
process.exit(0);
