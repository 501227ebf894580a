import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { pino, type Logger } from 'pino';
import { RedisLoginThrottle } from '../../src/adapters/queue/redis-login-throttle.js';
import { HashGate } from '../../src/app/auth/hash-gate.js';
import { buildApiDeps } from '../../src/api-deps.js';
import { MysqlStatusStore } from '../../src/adapters/mysql/result-status-store.js';
import { statusApplier } from '../../src/app/apply-result-status.js';
import { startApiServer, type ApiServer, type UpgradeHandler } from '../../src/adapters/http/api-server.js';
import type { ExtraRouter } from '../../src/adapters/http/app.js';
import { hashPassword } from '../../src/app/auth/password.js';
import type { Role } from '../../src/app/auth/roles.js';
import { loadConfig, type Config } from '../../src/config.js';
import { noopEngineSignals, type EngineSignals } from '../../src/app/ports/engine-signals.js';
import type { ApplyResultStatus } from '../../src/app/ports/result-status.js';
import { httpClient, type Credentials, type HttpAnswer } from './http-client.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';

export type { Credentials, HttpAnswer };

export const TEST_ADMIN = { username: 'admin', password: 'admin-password-1' };
export const TEST_TOKEN_SECRET = 'test-secret-0123456789abcdef';

export interface TestApi {
  /** `http://127.0.0.1:<port>` */
  url: string;
  tdb: TestDatabase;
  admin: Credentials;
  /** JSON request; `auth` defaults to the admin's credentials, `null` sends none. */
  call<T = any>(method: string, path: string, body?: unknown, auth?: Credentials | null, headers?: Record<string, string>): Promise<HttpAnswer<T>>;
  /** A raw body (malformed JSON, CSV, …) with the admin's credentials unless given. */
  raw<T = any>(method: string, path: string, body: string | Uint8Array, contentType: string, auth?: Credentials | null): Promise<HttpAnswer<T>>;
  /** Creates a user with that role and logs it in. */
  loginAs(role: Role, username?: string): Promise<Credentials>;
  close(): Promise<void>;
}

export interface TestApiOptions {
  signals?: EngineSignals;
  applyResultStatus?: ApplyResultStatus;
  maxJsonBytes?: number;
  /** @defaultValue the product's */
  bodyTimeouts?: { idleMs: number; deadlineMs: number };
  maxImportBytes?: number;
  ttlSec?: number;
  now?: () => Date;
  extraRouters?: readonly ExtraRouter[];
  /** WebSocket upgrades (the agents' CTI socket). */
  upgrade?: UpgradeHandler;
  /** The API's root logger; silent when absent. */
  log?: Logger;
  /** Express's `trust proxy` (e.g. true, to send a client address in X-Forwarded-For). */
  trustProxy?: boolean;
  /** S5: the login bounds; the product's defaults where not given. */
  login?: Partial<Config['login']>;
  /** Where reports, exports and the live boards read (a replica); the test database when absent. */
  readDb?: Knex;
}

/**
 * The REST API on a free port over a fresh database, with an admin logged in.
 * Used by the HTTP tests and the engine end-to-end tests.
 */
export async function startTestApi(label: string, o: TestApiOptions = {}): Promise<TestApi> {
  const tdb = await createTestDatabase(label);
  const defaults = loadConfig({});
  const bounds = { ...defaults.login, ...o.login };
  // A Redis prefix of its own, so parallel test files do not share failed-login counters.
  const throttle = new RedisLoginThrottle({ redisUrl: 'redis://127.0.0.1:6379', prefix: `{dialer-h-${randomBytes(4).toString('hex')}}`,
    limits: bounds.limits, log: pino({ level: 'silent' }) });
  let server: ApiServer | undefined;
  try {
    const deps = await buildApiDeps({
      db: tdb.db,
      ...(o.readDb ? { readDb: o.readDb } : {}),
      log: o.log ?? pino({ level: 'silent' }),
      token: { secret: TEST_TOKEN_SECRET, ttlSec: o.ttlSec ?? 3600 },
      maxJsonBytes: o.maxJsonBytes ?? 1024 * 1024,
      ...(o.trustProxy !== undefined ? { trustProxy: o.trustProxy } : {}),
      login: { gate: new HashGate(bounds.hashConcurrency, bounds.hashQueue), throttle },
      bodyTimeouts: o.bodyTimeouts ?? defaults.http.bodyTimeouts,
      maxImportBytes: o.maxImportBytes ?? defaults.http.maxImportBytes,
      signals: o.signals ?? noopEngineSignals,
      // The status rule without its wake-up timer: these tests run no engine to wake.
      applyResultStatus: o.applyResultStatus ?? (async (c, m, st, now, attemptId) => (await statusApplier(new MysqlStatusStore(tdb.db))(c, m, st, now, attemptId)).outcome),
      // No engine here to wake.
      armWakeUps: async () => undefined,
      ...(o.now ? { now: o.now } : {}),
    });
    await deps.auth.ensureFirstAdmin(TEST_ADMIN.username, TEST_ADMIN.password);
    server = await startApiServer({ ...deps, host: '127.0.0.1', port: 0, extraRouters: o.extraRouters ?? [], ...(o.upgrade ? { upgrade: o.upgrade } : {}) });
  } catch (err) {
    await throttle.close();
    await tdb.drop();
    throw err;
  }
  const url = `http://127.0.0.1:${server.port}`;

  const { send, login } = httpClient(url);
  const admin = await login(TEST_ADMIN.username, TEST_ADMIN.password);
  let users = 0;

  return {
    url,
    tdb,
    admin,
    call: (method, path, body, auth = admin, headers) =>
      send(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? undefined : 'application/json', auth, headers),
    raw: (method, path, body, contentType, auth = admin) => send(method, path, body as BodyInit, contentType, auth),
    loginAs: async (role, username = `${role}${++users}`) => {
      const password = `${role}-password-${users}`;
      await tdb.db('users').insert({ username, role, password_hash: await hashPassword(password) });
      return login(username, password);
    },
    close: async () => {
      await server!.close();
      await throttle.close();
      await tdb.drop();
    },
  };
}
