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
  | { sentinels: RedisNode[]; name: string; password?: string; sentinelPassword?: string }
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
      sentinelPassword: target.sentinelPassword,
    });
  }
  // Per-node options go to each node's connection; connecting lazily is the cluster's own.
  const { lazyConnect, ...perNode } = options;
  return new Cluster(target.cluster, { lazyConnect, redisOptions: { ...perNode, password: target.password } });
}
