import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { FreeSwitchTelephony } from '../../src/adapters/freeswitch/telephony.js';
import { freePorts } from '../../src/adapters/free-port.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { Simulator, type Scenario } from '../../src/simulator/index.js';
import { httpClient, type Credentials, type HttpAnswer } from './http-client.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';

export const STACK_ADMIN = { username: 'admin', password: 'admin-password-1' };

export interface Stack {
  /** `http://127.0.0.1:<port>` of the REST API */
  url: string;
  admin: Credentials;
  sim: Simulator;
  /** A second FreeSWITCH (F3), with `secondNode`: the engine drives both. */
  sim2?: Simulator;
  runtime: Runtime;
  tdb: TestDatabase;
  cfg: Config;
  /** The engine's FreeSWITCH adapter (e.g. to end a call as uuid_kill would). */
  telephony: FreeSwitchTelephony;
  /** JSON request with the admin's credentials unless given (`null`: none). */
  call<T = any>(method: string, path: string, body?: unknown, auth?: Credentials | null): Promise<HttpAnswer<T>>;
  close(): Promise<void>;
}

export interface StackOptions {
  scenario?: Scenario;
  /** Safety sweep period, ms. */
  sweepMs?: number;
  log?: Logger;
  /** Route call_timeout of the simulated outbound route, seconds. */
  routeCallTimeoutSec?: number;
  /** DIALER_LEASE_SEC: a third of it is the engine's housekeeping beat (a dispatch pass each). @defaultValue 30 */
  leaseSec?: number;
  /** F3: a second simulated FreeSWITCH (`sim2`), configured after the first. */
  secondNode?: boolean;
}

/**
 * The whole product over TCP: a fresh database, its own BullMQ prefix, the FreeSWITCH simulator,
 * the FreeSWITCH adapter, the engine and the REST API, with an admin logged in (e2e tests).
 */
export async function startStack(label: string, o: StackOptions = {}): Promise<Stack> {
  const log = o.log ?? pino({ level: process.env.STACK_LOG ?? 'silent' });
  const tdb = await createTestDatabase(label);
  const [outboundPort, simListenPort] = await freePorts(2);
  const sim = new Simulator({ port: simListenPort!, scenario: o.scenario ?? {}, log: log.child({ component: 'simulator' }),
    agentContextSocket: `127.0.0.1:${outboundPort}`,
    ...(o.routeCallTimeoutSec ? { routeCallTimeoutSec: o.routeCallTimeoutSec } : {}) });
  const { port: simPort } = await sim.start();
  const sim2 = o.secondNode ? new Simulator({ port: 0, scenario: o.scenario ?? {}, log: log.child({ component: 'simulator-2' }),
    agentContextSocket: `127.0.0.1:${outboundPort}`,
    ...(o.routeCallTimeoutSec ? { routeCallTimeoutSec: o.routeCallTimeoutSec } : {}) }) : undefined;
  const sim2Port = sim2 ? (await sim2.start()).port : null;
  const cfg = loadConfig({
    DIALER_DB_URL: tdb.url,
    DIALER_HTTP_PORT: '0',
    DIALER_HTTP_HOST: '127.0.0.1',
    DIALER_QUEUE_PREFIX: `{dialer-t-${randomBytes(4).toString('hex')}}`,
    DIALER_TOKEN_SECRET: 'stack-secret-0123456789abcdef',
    DIALER_FREESWITCH: `127.0.0.1:${simPort}:ClueCon${sim2Port ? `,127.0.0.1:${sim2Port}:ClueCon` : ''}`,
    DIALER_OUTBOUND_LISTEN: `127.0.0.1:${outboundPort}`,
    DIALER_LEASE_SEC: String(o.leaseSec ?? 30),
  });
  const telephony = new FreeSwitchTelephony({
    nodes: cfg.freeswitch, outbound: cfg.outbound, sofiaProfile: cfg.sofiaProfile, routeContext: cfg.routeContext,
    log,
  });
  let runtime: Runtime;
  try {
    runtime = await startRuntime({ cfg, log, telephony, db: tdb.db, firstAdmin: { user: STACK_ADMIN.username, password: STACK_ADMIN.password },
      ...(o.sweepMs ? { sweepMs: o.sweepMs } : {}) });
  } catch (err) {
    await sim.close();
    await sim2?.close();
    await tdb.drop();
    throw err;
  }
  const url = `http://127.0.0.1:${runtime.api.port}`;
  const client = httpClient(url);
  const admin = await client.login(STACK_ADMIN.username, STACK_ADMIN.password);
  let closing: Promise<void> | undefined;
  return {
    url, admin, sim, ...(sim2 ? { sim2 } : {}), runtime, tdb, cfg, telephony,
    call: (method, path, body, auth = admin) =>
      client.send(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? undefined : 'application/json', auth),
    close: () => (closing ??= (async () => {
      await runtime.close();
      await sim.close();
      await sim2?.close();
      await tdb.drop();
    })()),
  };
}

/** Polls a condition until it holds (bounded); the e2e tests wait on outcomes, never on time. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
