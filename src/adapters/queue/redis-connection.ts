import { Cluster, Redis, type RedisOptions } from 'ioredis';

export interface RedisNode {
  host: string;
  port: number;
}

/**
 * Where Redis is (DESIGN §1a): one node by URL, a Sentinel group (the master is asked of the
 * sentinels, again after a failover), or a Redis Cluster (seed nodes; the slots are learnt).
 */
export type RedisTarget =
  | string
  | { sentinels: RedisNode[]; name: string; password?: string; sentinelPassword?: string; db?: number }
  | { cluster: RedisNode[]; password?: string };

export type RedisConnection = Redis | Cluster;

/**
 * The one place a Redis connection is made, for every use (BullMQ, pub/sub, scripts): the same
 * per-connection options whatever the topology. On a Cluster every multi-key command or script
 * must keep its keys in one slot: every key of the dialer starts with the hash-tagged prefix.
 */
export function connectRedis(target: RedisTarget, options: RedisOptions = {}): RedisConnection {
  if (typeof target === 'string') return new Redis(target, options);
  if ('sentinels' in target) {
    return new Redis({
      ...options, sentinels: target.sentinels, name: target.name, password: target.password,
      sentinelPassword: target.sentinelPassword, db: target.db ?? 0,
      // Sentinel answers while the old master is unreachable: ask again without backing off long.
      sentinelRetryStrategy: (times) => Math.min(times * 200, 2_000),
    });
  }
  const { lazyConnect, connectionName, ...perNode } = options;
  return new Cluster(target.cluster, {
    lazyConnect,
    redisOptions: { ...perNode, connectionName, password: target.password },
    // A replica promoted after a master died: the slot map is read again at the first MOVED.
    slotsRefreshTimeout: options.connectTimeout ?? 2_000,
    clusterRetryStrategy: (times) => Math.min(times * 200, 2_000),
  });
}

/** A readable name for logs: the URL without its password, or the nodes. */
export function describeRedis(target: RedisTarget): string {
  if (typeof target === 'string') return target.replace(/\/\/[^@/]*@/, '//***@');
  const nodes = ('sentinels' in target ? target.sentinels : target.cluster).map((n) => `${n.host}:${n.port}`).join(',');
  return 'sentinels' in target ? `sentinel ${target.name}@${nodes}` : `cluster ${nodes}`;
}
