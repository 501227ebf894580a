import { connectRedis, type RedisConnection, type RedisTarget } from './redis-connection.js';
import type { Logger } from 'pino';
import type { AgentPresence } from '../../app/ports/agent-presence.js';

export interface RedisPresenceOptions {
  redisUrl: RedisTarget;
  /** The BullMQ prefix; the key lives beside the queue so deployments sharing a Redis stay apart. */
  prefix: string;
  log: Logger;
  /** The CTI socket's ping period, ms. */
  heartbeatMs: number;
  /** How long an agent stays present after its last connection went, ms. */
  graceMs: number;
  /** Epoch ms (the processes' clocks are assumed in step, as for the leases). */
  now?: () => number;
  /** Deadline of a command, ms. @defaultValue 2000 */
  commandTimeoutMs?: number;
}

/**
 * W2 presence in one Redis sorted set per deployment: a member `<agent id>:<connection id>` per
 * CTI connection, scored with the instant it stops counting. A heartbeat answered pushes it to
 * a heartbeat plus the grace ahead, a close to the grace ahead; nothing needs to remove it, so a
 * process that dies holding sockets leaves entries that expire by themselves. The present agents
 * are one ZRANGEBYSCORE from now on (the expired entries are swept in the same round trip).
 */
export class RedisPresence implements AgentPresence {
  readonly #redis: RedisConnection;
  readonly #key: string;
  readonly #now: () => number;

  constructor(private readonly o: RedisPresenceOptions) {
    const t = o.commandTimeoutMs ?? 2_000;
    this.#redis = connectRedis(o.redisUrl, { commandTimeout: t, connectTimeout: t, maxRetriesPerRequest: 1, lazyConnect: true });
    this.#redis.on('error', (err) => o.log.debug({ err }, 'presence: redis error'));
    this.#key = `${o.prefix}:agent-presence`;
    this.#now = o.now ?? Date.now;
  }

  get graceMs(): number {
    return this.o.graceMs;
  }

  async alive(agentId: number, connectionId: string): Promise<void> {
    await this.#redis.zadd(this.#key, this.#now() + this.o.heartbeatMs + this.o.graceMs, `${agentId}:${connectionId}`);
  }

  async gone(agentId: number, connectionId: string): Promise<void> {
    // XX: a connection already swept is not brought back.
    await this.#redis.zadd(this.#key, 'XX', this.#now() + this.o.graceMs, `${agentId}:${connectionId}`);
  }

  async present(): Promise<number[]> {
    const now = this.#now();
    const replies = await this.#redis.multi()
      .zremrangebyscore(this.#key, '-inf', now)
      .zrangebyscore(this.#key, `(${now}`, '+inf')
      .exec();
    const [err, members] = (replies?.[1] ?? [new Error('presence: no reply'), []]) as [Error | null, string[]];
    if (err) throw err;
    return [...new Set(members.map((m) => Number(m.slice(0, m.indexOf(':')))))];
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
