import type { RedisConnection } from './redis-connection.js';

/**
 * Direct access to BullMQ 6.7's delayed zset, for the near-term fast path (DESIGN §1).
 *
 * BullMQ stores a delayed job as member = job id, score = dueMs * 0x1000 + a FIFO sequence
 * (< 0x1000) — see bullmq/dist/esm/commands/includes/getDelayedScore.lua — and its Lua
 * scripts move a due job from this zset to "wait" atomically. So a job that is still in
 * the zset has not been handed to any Worker, and taking it out of the due range in one
 * atomic step is a claim that both the Worker and every other process respect.
 */
const SEQ = 0x1000;

/*
  Claims a first-time timer for the in-process fast path.
    KEYS[1] the queue's delayed zset
    ARGV[1] job id
    ARGV[2] atMs, the timer's own instant (encoded in the job id)
    ARGV[3] lease end, epoch ms
  Moves the job to the lease end inside the zset: it stays the durable record, and if the
  claimer dies before removing it, a Worker runs it when the lease ends.
  Output:
     1  claimed
     0  not delayed: a Worker already took it, or it was removed
    -1  delayed, but not due at its own instant: another process holds a lease on it or
        BullMQ is waiting to retry it; that run belongs to the Worker
*/
const claimLua = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
if math.floor(tonumber(score) / ${SEQ}) ~= tonumber(ARGV[2]) then return -1 end
redis.call('ZADD', KEYS[1], tonumber(ARGV[3]) * ${SEQ}, ARGV[1])
return 1
`;

/*
  Gives back a claim that was never run (close() between claim and instant).
    KEYS[1] the queue's delayed zset
    KEYS[2] the queue's marker zset
    ARGV[1] job id   ARGV[2] atMs   ARGV[3] the lease end the claim set
  The job moves earlier, so the marker is refreshed as BullMQ's addDelayMarkerIfNeeded.lua
  does: a Worker blocked until a later instant wakes and re-reads the next due time.
  Output: 1 back at its own instant; 0 no longer ours (removed, or taken after the lease)
*/
const releaseLua = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[3]) * ${SEQ} then return 0 end
redis.call('ZADD', KEYS[1], tonumber(ARGV[2]) * ${SEQ}, ARGV[1])
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if first[2] then redis.call('ZADD', KEYS[2], tonumber(first[2]) / ${SEQ}, '1') end
return 1
`;

export type ClaimOutcome = { kind: 'claimed' } | { kind: 'taken' } | { kind: 'not-first-run' };

export interface DelayedEntry {
  jobId: string;
  /** When BullMQ will promote it, epoch ms. */
  dueMs: number;
}

type ClaimingRedis = RedisConnection & {
  dialerClaimTimer(delayedKey: string, jobId: string, atMs: number, leaseUntilMs: number): Promise<number>;
  dialerReleaseTimer(delayedKey: string, markerKey: string, jobId: string, atMs: number, leaseUntilMs: number): Promise<number>;
};

export class DelayedSet {
  readonly #redis: ClaimingRedis;

  constructor(
    redis: RedisConnection,
    private readonly delayedKey: string,
    private readonly markerKey: string,
  ) {
    if (!('dialerClaimTimer' in redis)) redis.defineCommand('dialerClaimTimer', { numberOfKeys: 1, lua: claimLua });
    if (!('dialerReleaseTimer' in redis)) redis.defineCommand('dialerReleaseTimer', { numberOfKeys: 2, lua: releaseLua });
    this.#redis = redis as ClaimingRedis;
  }

  async claim(jobId: string, atMs: number, leaseUntilMs: number): Promise<ClaimOutcome> {
    const r = await this.#redis.dialerClaimTimer(this.delayedKey, jobId, atMs, leaseUntilMs);
    if (r === 1) return { kind: 'claimed' };
    if (r === 0) return { kind: 'taken' };
    return { kind: 'not-first-run' };
  }

  /** Puts a claimed, unrun job back at its own instant for others; false when no longer ours. */
  async release(jobId: string, atMs: number, leaseUntilMs: number): Promise<boolean> {
    return (await this.#redis.dialerReleaseTimer(this.delayedKey, this.markerKey, jobId, atMs, leaseUntilMs)) === 1;
  }

  /** Delayed jobs due up to `untilMs` (past-due ones too), at most `limit`, earliest first. */
  async dueUntil(untilMs: number, limit: number): Promise<DelayedEntry[]> {
    const flat = await this.#redis.zrangebyscore(this.delayedKey, 0, (untilMs + 1) * SEQ - 1, 'WITHSCORES', 'LIMIT', 0, limit);
    const out: DelayedEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      out.push({ jobId: flat[i]!, dueMs: Math.floor(Number(flat[i + 1]) / SEQ) });
    }
    return out;
  }
}
