import { connectRedis, type RedisConnection, type RedisTarget } from './redis-connection.js';
import type { Logger } from 'pino';

export interface RedisLossProbeOptions {
  redisUrl: RedisTarget;
  /** The BullMQ prefix of the wake-ups; the marker key lives beside them. */
  prefix: string;
  log: Logger;
  /** Deadline of each Redis command, ms. @defaultValue 2000 */
  commandTimeoutMs?: number;
}

/**
 * Tells when Redis lost the wake-ups (S3: FLUSHALL, FLUSHDB, a restart of a Redis that keeps
 * nothing on disk). A marker key is set beside the queue with NX: when the set succeeds, the
 * key was missing, so everything beside it may be gone too and the caller rebuilds the timers
 * from MySQL. With several processes one of them sees the loss, which is enough: the rebuild
 * is global. The first call after start always says "lost" (the caller rebuilds at start anyway).
 */
export class RedisLossProbe {
  readonly #redis: RedisConnection;
  readonly #key: string;
  #closing: Promise<void> | undefined;

  constructor(o: RedisLossProbeOptions) {
    const t = o.commandTimeoutMs ?? 2_000;
    this.#redis = connectRedis(o.redisUrl, { commandTimeout: t, connectTimeout: t, maxRetriesPerRequest: 1, lazyConnect: true });
    this.#redis.on('error', (err) => o.log.debug({ err }, 'redis loss probe: redis error'));
    this.#key = `${o.prefix}:timers:present`;
  }

  /** True when the marker was missing (and is now set again). */
  readonly lost = async (): Promise<boolean> => {
    if (this.#closing) return false;
    return (await this.#redis.set(this.#key, String(Date.now()), 'NX')) === 'OK';
  };

  close(): Promise<void> {
    return (this.#closing ??= this.#redis.quit().then(() => undefined, () => this.#redis.disconnect()));
  }
}
