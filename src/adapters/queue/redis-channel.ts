import { connectRedis, type RedisConnection, type RedisTarget } from './redis-connection.js';
import type { Logger } from 'pino';
import { z } from 'zod';

export interface RedisChannelOptions {
  redisUrl: RedisTarget;
  /** The whole channel name (`<prefix>:<name>`, beside the BullMQ queue). */
  channel: string;
  /** This process's instance id: sent as `from`, and its own messages are not handed back. */
  instanceId: string;
  log: Logger;
  /** Names the channel in log lines. */
  what: string;
  /** Deadline of a publish, ms. @defaultValue 2000 */
  commandTimeoutMs?: number;
}

/**
 * One pub/sub channel between the processes of a deployment: a connection that publishes, one
 * that subscribes (named after the channel and the instance, so CLIENT LIST shows whose it is),
 * each message `{from, …body}` checked against `body` and a process's own left out.
 * Fire-and-forget: a failed publish is logged and dropped, whoever uses it tolerates a lost message.
 */
export class RedisChannel<S extends z.ZodObject> {
  /** The subscribing connection; its 'close' and 'ready' say whether messages can arrive. */
  readonly sub: RedisConnection;
  readonly #pub: RedisConnection;
  readonly #message: z.ZodObject;
  #closing: Promise<void> | undefined;

  constructor(private readonly o: RedisChannelOptions, body: S) {
    const t = o.commandTimeoutMs ?? 2_000;
    this.#pub = connectRedis(o.redisUrl, { commandTimeout: t, connectTimeout: t, maxRetriesPerRequest: 1, lazyConnect: true });
    // A subscriber connection blocks for its lifetime: no command timeout; ioredis re-subscribes on reconnect.
    this.sub = connectRedis(o.redisUrl, { connectTimeout: t, maxRetriesPerRequest: null, lazyConnect: true,
      connectionName: `${o.channel}:${o.instanceId}`.replace(/[^\w:{}.-]/g, '_') });
    for (const r of [this.#pub, this.sub]) r.on('error', (err) => o.log.debug({ err }, `${o.what}: redis error`));
    this.#message = body.extend({ from: z.string() });
  }

  /** Hands every other process's valid message to `onMessage`; resolves once subscribed. */
  async listen(onMessage: (body: z.output<S>) => void): Promise<void> {
    // Redis hands a subscriber its own publishes too (one a settle, for dispatch news): they are
    // known by the start publish() gives them, and dropped before they are parsed and checked.
    const own = `{"from":${JSON.stringify(this.o.instanceId)}`;
    this.sub.on('message', (_channel: string, text: string) => {
      if (text.startsWith(own) && (text[own.length] === ',' || text[own.length] === '}')) return;
      let parsed: { from: string };
      try {
        parsed = this.#message.parse(JSON.parse(text)) as { from: string };
      } catch (err) {
        this.o.log.warn({ err }, `${this.o.what}: unreadable message ignored`);
        return;
      }
      if (parsed.from !== this.o.instanceId) onMessage(parsed as z.output<S>);
    });
    await this.sub.subscribe(this.o.channel);
  }

  async publish(body: z.input<S>): Promise<void> {
    try {
      await this.#pub.publish(this.o.channel, JSON.stringify({ from: this.o.instanceId, ...body }));
    } catch (err) {
      this.o.log.debug({ err }, `${this.o.what}: publish failed`);
    }
  }

  /** Disconnects both connections. Idempotent. */
  close(): Promise<void> {
    return (this.#closing ??= Promise.all([this.#pub, this.sub].map((r) => r.quit().then(() => undefined, () => r.disconnect())))
      .then(() => undefined));
  }
}
