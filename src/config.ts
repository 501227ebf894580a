import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import type { DbHost } from './adapters/mysql/writer-hosts.js';
import type { RedisNode, RedisTarget } from './adapters/queue/redis-connection.js';

/** One FreeSWITCH server the engine keeps an inbound event socket to (F2, F3). */
export interface FreeSwitchNode {
  /** Stable name of the server, `host:port`; stored on attempts. */
  name: string;
  host: string;
  port: number;
  password: string;
}

const hostPort = z
  .string()
  .regex(/^[^:\s]+:\d{1,5}$/, 'expected host:port');

const freeSwitchList = z
  .string()
  .transform((s, ctx): FreeSwitchNode[] => {
    const nodes: FreeSwitchNode[] = [];
    for (const item of s.split(',').map((x) => x.trim()).filter(Boolean)) {
      const m = /^([^:\s]+):(\d{1,5}):(.+)$/.exec(item);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `"${item}" is not host:port:password` });
        return z.NEVER;
      }
      nodes.push({ name: `${m[1]}:${m[2]}`, host: m[1]!, port: Number(m[2]), password: m[3]! });
    }
    if (nodes.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'at least one host:port:password is needed' });
      return z.NEVER;
    }
    return nodes;
  });

/**
 * A MariaDB/MySQL URL. Its one parameter, `socketPath`, reaches a server on this machine by its
 * Unix socket instead of TCP (the host is then ignored): a deployment choice that costs the
 * dialer's process less CPU per statement than loopback TCP. Other parameters are refused, as the
 * driver would take each one as an option.
 */
const dbUrl = z
  .string()
  .url()
  .superRefine((s, ctx) => {
    if (!URL.canParse(s)) return; // .url() said so
    const u = new URL(s);
    for (const key of u.searchParams.keys()) {
      if (key !== 'socketPath') ctx.addIssue({ code: 'custom', message: `"${key}" is not a parameter read here (only socketPath)` });
    }
    const socket = u.searchParams.get('socketPath');
    if (socket !== null && !socket.startsWith('/')) ctx.addIssue({ code: 'custom', message: 'socketPath must be an absolute path' });
  });

/** host:port,… (Redis sentinels or cluster seeds, database hosts). */
const hostList = z
  .string()
  .transform((s, ctx): RedisNode[] => {
    const items = s.split(',').map((x) => x.trim()).filter(Boolean);
    const bad = items.find((x) => !/^[^:\s]+:\d{1,5}$/.test(x));
    if (bad !== undefined || items.length === 0) {
      ctx.addIssue({ code: 'custom', message: bad !== undefined ? `"${bad}" is not host:port` : 'at least one host:port is needed' });
      return z.NEVER;
    }
    return items.map((x) => ({ host: x.slice(0, x.lastIndexOf(':')), port: Number(x.slice(x.lastIndexOf(':') + 1)) }));
  });

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const schema = z.object({
  /** MySQL/MariaDB URL; the database is created when missing. `?socketPath=/run/mysqld/mysqld.sock`: by the Unix socket. */
  DIALER_DB_URL: dbUrl.default('mysql://root@127.0.0.1:3306/dialer'),
  /**
   * A Galera cluster written through one node at a time: its nodes (host:port,…) in the order
   * they are tried; they replace the URL's host, the URL gives user, password and database.
   */
  DIALER_DB_HOSTS: hostList.optional(),
  /** Where reports, exports and the live boards read; the primary when unset. */
  DIALER_DB_REPLICA_URL: dbUrl.optional(),
  /** Redis URL (one node) for wake-ups, pub/sub and the small shared state; unused with sentinels or a cluster. */
  DIALER_REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** A Sentinel group instead: the sentinels (host:port,…) and the master's name (DESIGN §1a). */
  DIALER_REDIS_SENTINELS: hostList.optional(),
  DIALER_REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
  DIALER_REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /** A Redis Cluster instead: seed nodes (host:port,…); the rest of the cluster is learnt from them. */
  DIALER_REDIS_CLUSTER: hostList.optional(),
  /** Password of the Redis nodes behind sentinels or of the cluster's nodes (a URL carries its own). */
  DIALER_REDIS_PASSWORD: z.string().min(1).optional(),
  /** Prefix of every BullMQ key; hash-tagged so a queue's keys share one Redis Cluster slot. */
  DIALER_QUEUE_PREFIX: z.string().min(1).default('{dialer}'),
  DIALER_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DIALER_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  /** First admin, created when the users table is empty. */
  DIALER_ADMIN_USER: z.string().min(1).default('admin'),
  /** When unset, a password is generated and printed once at first start. */
  DIALER_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  /** HMAC secret for access tokens; when unset one is kept in the database. */
  DIALER_TOKEN_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Access token lifetime, seconds. */
  DIALER_TOKEN_TTL_SEC: z.coerce.number().int().min(60).max(31 * 86400).default(86400),
  /** S5: proxies whose X-Forwarded-For names the client: false, true, a hop count or addresses/subnets (Express's `trust proxy`). */
  DIALER_HTTP_TRUST_PROXY: z.string().min(1).default('false')
    .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v)),
  /** S5: password checks at once, and waiting beyond them (503 with Retry-After above). */
  DIALER_LOGIN_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  DIALER_LOGIN_HASH_QUEUE: z.coerce.number().int().min(0).max(10_000).default(32),
  /** S5: failed logins allowed per window (429 with Retry-After above); the window starts at the first failure. */
  DIALER_LOGIN_FAIL_WINDOW_SEC: z.coerce.number().int().min(1).max(86_400).default(300),
  DIALER_LOGIN_FAILS_PER_USER_ADDRESS: z.coerce.number().int().min(1).default(5),
  DIALER_LOGIN_FAILS_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
  DIALER_LOGIN_FAILS_PER_USER: z.coerce.number().int().min(1).default(50),
  /** Largest JSON body accepted, bytes. */
  DIALER_MAX_JSON_BYTES: z.coerce.number().int().min(1024).default(5 * 1024 * 1024),
  /** S5: a request body silent this long is cut off (408), seconds. */
  DIALER_HTTP_BODY_IDLE_SEC: z.coerce.number().int().min(1).max(3600).default(10),
  /** S5: a whole request body (but a CSV import's) must arrive within this, seconds. */
  DIALER_HTTP_BODY_SEC: z.coerce.number().int().min(1).max(3600).default(60),
  /** Largest CSV import body, bytes once inflated (S5); a million members of the bench are 45 MB. */
  DIALER_MAX_IMPORT_BYTES: z.coerce.number().int().min(1024).default(128 * 1024 * 1024),
  DIALER_FREESWITCH: freeSwitchList.default([{ name: '127.0.0.1:8021', host: '127.0.0.1', port: 8021, password: 'ClueCon' }]),
  /** Where the outbound socket server listens (DESIGN §2 step 3). */
  DIALER_OUTBOUND_LISTEN: hostPort.default('127.0.0.1:8084'),
  /** Address FreeSWITCH uses to reach the outbound server; defaults to DIALER_OUTBOUND_LISTEN. */
  DIALER_OUTBOUND_ADVERTISE: hostPort.optional(),
  /** Sofia profile whose registrations are read (`sofia status profile <p> reg`). */
  DIALER_SOFIA_PROFILE: z.string().min(1).default('internal'),
  /** Dialplan context of the outbound route the subscriber leg goes through (A4). */
  DIALER_ROUTE_CONTEXT: z.string().min(1).default('dialer-out'),
  /** Engine instance id; stored on the attempts it owns (DESIGN §1a). */
  DIALER_INSTANCE_ID: z.string().min(1).optional(),
  /** Lease on live attempts, seconds (S3). */
  DIALER_LEASE_SEC: z.coerce.number().int().min(5).max(3600).default(30),
  /** On SIGTERM, how long live calls may take to finish before the process exits, seconds (S3). */
  DIALER_DRAIN_SEC: z.coerce.number().int().min(0).max(86_400).default(20),
  /** W2: how long an agent that requires a client stays online after its last connection went, seconds. */
  DIALER_AGENT_CLIENT_GRACE_SEC: z.coerce.number().int().min(0).max(3600).default(10),
  /** W2: the CTI socket's ping period, seconds; a client that misses one pong is closed. */
  DIALER_AGENT_HEARTBEAT_SEC: z.coerce.number().int().min(1).max(300).default(5),
  DIALER_LOG_LEVEL: logLevel.default('info'),
  /** Start the dialing engine with the API (false: API only). */
  DIALER_ENGINE: bool.default(true),
});

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Values a program sets around the environment (the demo runs on its own database and port). */
export interface ConfigLayers {
  /** Used where the environment has no value. */
  defaults?: NodeJS.ProcessEnv;
  /** Win over the environment. */
  overrides?: NodeJS.ProcessEnv;
}

function parseEnv<S extends z.ZodType>(s: S, env: NodeJS.ProcessEnv): z.output<S> {
  const parsed = s.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Reads and checks the environment once; fails with the names of the bad fields. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, layers: ConfigLayers = {}) {
  const c = parseEnv(schema, { ...layers.defaults, ...env, ...layers.overrides });
  if (c.DIALER_DB_HOSTS && new URL(c.DIALER_DB_URL).searchParams.has('socketPath')) {
    throw new ConfigError('invalid configuration:\n  DIALER_DB_HOSTS: cannot be set together with a socketPath in DIALER_DB_URL');
  }
  return {
    dbUrl: c.DIALER_DB_URL,
    /** Writer candidates in order (writer-hosts.ts); undefined: DIALER_DB_URL's host alone. */
    dbHosts: c.DIALER_DB_HOSTS satisfies DbHost[] | undefined,
    dbReplicaUrl: c.DIALER_DB_REPLICA_URL,
    /** The Redis URL, or the Sentinel group or Cluster that replaces it. */
    redisUrl: redisTarget(c),
    queuePrefix: c.DIALER_QUEUE_PREFIX,
    http: {
      port: c.DIALER_HTTP_PORT, host: c.DIALER_HTTP_HOST, maxJsonBytes: c.DIALER_MAX_JSON_BYTES,
      maxImportBytes: c.DIALER_MAX_IMPORT_BYTES,
      trustProxy: c.DIALER_HTTP_TRUST_PROXY,
      bodyTimeouts: { idleMs: c.DIALER_HTTP_BODY_IDLE_SEC * 1000, deadlineMs: c.DIALER_HTTP_BODY_SEC * 1000 },
    },
    admin: { user: c.DIALER_ADMIN_USER, password: c.DIALER_ADMIN_PASSWORD },
    login: {
      hashConcurrency: c.DIALER_LOGIN_HASH_CONCURRENCY,
      hashQueue: c.DIALER_LOGIN_HASH_QUEUE,
      limits: {
        windowSec: c.DIALER_LOGIN_FAIL_WINDOW_SEC,
        perUserAddress: c.DIALER_LOGIN_FAILS_PER_USER_ADDRESS,
        perAddress: c.DIALER_LOGIN_FAILS_PER_ADDRESS,
        perUser: c.DIALER_LOGIN_FAILS_PER_USER,
      },
    },
    token: { secret: c.DIALER_TOKEN_SECRET, ttlSec: c.DIALER_TOKEN_TTL_SEC },
    freeswitch: c.DIALER_FREESWITCH,
    outbound: { listen: c.DIALER_OUTBOUND_LISTEN, advertise: c.DIALER_OUTBOUND_ADVERTISE ?? c.DIALER_OUTBOUND_LISTEN },
    sofiaProfile: c.DIALER_SOFIA_PROFILE,
    routeContext: c.DIALER_ROUTE_CONTEXT,
    instanceId: c.DIALER_INSTANCE_ID ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    leaseSec: c.DIALER_LEASE_SEC,
    drainSec: c.DIALER_DRAIN_SEC,
    agentClient: { graceMs: c.DIALER_AGENT_CLIENT_GRACE_SEC * 1000, heartbeatMs: c.DIALER_AGENT_HEARTBEAT_SEC * 1000 },
    logLevel: c.DIALER_LOG_LEVEL,
    engine: c.DIALER_ENGINE,
  };
}

/** DESIGN §1a: one Redis node, a Sentinel group or a Cluster; on a Cluster every key must share the prefix's slot. */
function redisTarget(c: z.output<typeof schema>): RedisTarget {
  const password = c.DIALER_REDIS_PASSWORD;
  if (c.DIALER_REDIS_SENTINELS && c.DIALER_REDIS_CLUSTER) {
    throw new ConfigError('invalid configuration:\n  DIALER_REDIS_CLUSTER: cannot be set together with DIALER_REDIS_SENTINELS');
  }
  if (c.DIALER_REDIS_SENTINELS) {
    return { sentinels: c.DIALER_REDIS_SENTINELS, name: c.DIALER_REDIS_SENTINEL_NAME, password, sentinelPassword: c.DIALER_REDIS_SENTINEL_PASSWORD };
  }
  if (c.DIALER_REDIS_CLUSTER) {
    // BullMQ's scripts and ours touch several keys at once: they must hash to one slot.
    if (!/\{[^}]+\}/.test(c.DIALER_QUEUE_PREFIX)) {
      throw new ConfigError('invalid configuration:\n  DIALER_QUEUE_PREFIX: must contain a {hash tag} (e.g. {dialer}) with DIALER_REDIS_CLUSTER');
    }
    return { cluster: c.DIALER_REDIS_CLUSTER, password };
  }
  return c.DIALER_REDIS_URL;
}

const demoSchema = z.object({
  /** Members loaded, half per campaign. */
  DEMO_MEMBERS: z.coerce.number().int().min(2).max(1_000_000).default(2000),
  /** Agents; the first two log in by phone, the last two never answer and reject. */
  DEMO_AGENTS: z.coerce.number().int().min(4).max(10_000).default(20),
  /** The demo fails when its campaigns have not finished by then, seconds. */
  DEMO_DEADLINE_SEC: z.coerce.number().int().min(10).default(600),
  DEMO_LOG: logLevel.default('warn'),
});

/** `npm run demo`'s own settings (the dialer's come from loadConfig). */
export function loadDemoConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv(demoSchema, env);
  return { members: c.DEMO_MEMBERS, agents: c.DEMO_AGENTS, deadlineSec: c.DEMO_DEADLINE_SEC, logLevel: c.DEMO_LOG };
}

/** `npm run simulator`'s settings besides its command-line options. */
export function loadSimulatorConfig(env: NodeJS.ProcessEnv = process.env) {
  const c = parseEnv(z.object({ LOG_LEVEL: logLevel.default('info') }), env);
  return { logLevel: c.LOG_LEVEL };
}
