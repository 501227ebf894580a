import { connectRedis, type RedisConnection, type RedisTarget } from './redis-connection.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DeskEvent, DeskMark } from '../../app/agent-desk/desk-events.js';
import type { DeskEventLog, DeskLogEntry, NumberedDeskEvent } from '../../app/ports/desk-event-log.js';

export interface RedisDeskLogOptions {
  redisUrl: RedisTarget;
  /** The BullMQ prefix; keys and channel live beside the queue so deployments sharing a Redis stay apart. */
  prefix: string;
  instanceId: string;
  log: Logger;
  /** Deadline of a command, ms. @defaultValue 2000 */
  commandTimeoutMs?: number;
}

/** An agent's entry outlives any client's absence that matters; after it a client starts from a snapshot. */
const ENTRY_TTL_MS = 7 * 24 * 3600_000;

/*
 * One script, so numbering and publishing are one step: the events of an agent reach every
 * subscriber in the order of their numbers, whichever process appended them (Redis runs a script
 * alone, and delivers one connection's publishes in order).
 * KEYS[1] the agent's hash {seq, version, mark, at}; ARGV: version read, mark, channel, agent id,
 * now ms, ttl ms, then one JSON event each.
 */
const APPEND = `
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[1]) then return -1 end
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
for i = 7, #ARGV do
  seq = seq + 1
  redis.call('PUBLISH', ARGV[3], '{"agent_id":' .. ARGV[4] .. ',"seq":' .. seq .. ',"event":' .. ARGV[i] .. '}')
end
redis.call('HSET', KEYS[1], 'version', v + 1, 'seq', seq, 'mark', ARGV[2], 'at', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return seq
`;

const Numbered = z.object({ agent_id: z.number().int().positive(), seq: z.number().int().positive(), event: z.object({ type: z.string() }).loose() });

/**
 * W3: the per-agent event sequence in Redis (DeskEventLog). The sequence is a counter in the
 * agent's hash, raised only by the compare-and-set script above: one sequence per agent for the
 * whole deployment, without a database write per event. Redis losing the hash (a flush, the TTL
 * after a week without clients) restarts the numbers at 1: a client then takes the snapshot it
 * gets as the truth (docs/agent-protocol.md).
 */
export class RedisDeskLog implements DeskEventLog {
  readonly #cmd: RedisConnection;
  readonly #sub: RedisConnection;
  readonly #channel: string;
  #closing: Promise<void> | undefined;

  constructor(private readonly o: RedisDeskLogOptions) {
    const t = o.commandTimeoutMs ?? 2_000;
    this.#channel = `${o.prefix}:desk-events`;
    this.#cmd = connectRedis(o.redisUrl, { commandTimeout: t, connectTimeout: t, maxRetriesPerRequest: 1, lazyConnect: true });
    this.#sub = connectRedis(o.redisUrl, { connectTimeout: t, maxRetriesPerRequest: null, lazyConnect: true,
      connectionName: `${this.#channel}:${o.instanceId}`.replace(/[^\w:{}.-]/g, '_') });
    for (const r of [this.#cmd, this.#sub]) r.on('error', (err) => o.log.debug({ err }, 'desk events: redis error'));
    this.#cmd.defineCommand('deskAppend', { numberOfKeys: 1, lua: APPEND });
  }

  #key(agentId: number): string {
    return `${this.o.prefix}:desk:${agentId}`;
  }

  async read(agentId: number): Promise<DeskLogEntry> {
    const h = await this.#cmd.hgetall(this.#key(agentId));
    return {
      seq: Number(h.seq ?? 0), version: Number(h.version ?? 0), atMs: Number(h.at ?? 0),
      mark: h.mark ? (JSON.parse(h.mark) as DeskMark) : null,
    };
  }

  async append(agentId: number, version: number, mark: DeskMark, events: readonly DeskEvent[], nowMs: number): Promise<number | null> {
    const out = await (this.#cmd as unknown as { deskAppend(...a: (string | number)[]): Promise<number> }).deskAppend(
      this.#key(agentId), version, JSON.stringify(mark), this.#channel, agentId, nowMs, ENTRY_TTL_MS, ...events.map((e) => JSON.stringify(e)));
    return out < 0 ? null : out;
  }

  async touch(agentId: number, nowMs: number): Promise<void> {
    // Only an entry that exists: a fresh 'at' alone would make a missing mark look kept.
    await this.#cmd.eval("if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'at', ARGV[1]) end return 0", 1,
      this.#key(agentId), nowMs);
  }

  async listen(onEvent: (e: NumberedDeskEvent) => void): Promise<void> {
    this.#sub.on('message', (_channel: string, text: string) => {
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // reported below
      }
      const parsed = Numbered.safeParse(json);
      if (!parsed.success) {
        this.o.log.warn({ err: parsed.error }, 'desk events: unreadable message ignored');
        return;
      }
      onEvent(parsed.data as NumberedDeskEvent);
    });
    await this.#sub.subscribe(this.#channel);
  }

  close(): Promise<void> {
    return (this.#closing ??= Promise.all([this.#cmd, this.#sub].map((r) => r.quit().then(() => undefined, () => r.disconnect())))
      .then(() => undefined));
  }
}
