import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DispatchNews } from '../../app/ports/dispatch-news.js';

export interface RedisDispatchNewsOptions {
  redisUrl: string;
  /** The BullMQ prefix; the channel lives beside the queue so deployments sharing a Redis stay apart. */
  prefix: string;
  /** This process's instance id: its own news is not sent back to it. */
  instanceId: string;
  log: Logger;
  /** Deadline of a publish, ms. @defaultValue 2000 */
  commandTimeoutMs?: number;
}

/**
 * DispatchNews over Redis pub/sub: one channel per deployment, the message is the sender's
 * instance id. Announcements made while one is being published are folded into the next one,
 * so a burst of settles costs one or two PUBLISHes, not one each.
 */
export class RedisDispatchNews implements DispatchNews {
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #channel: string;
  #publishing = false;
  #pending = false;
  #closing: Promise<void> | undefined;

  constructor(private readonly o: RedisDispatchNewsOptions) {
    const t = o.commandTimeoutMs ?? 2_000;
    this.#pub = new Redis(o.redisUrl, { commandTimeout: t, connectTimeout: t, maxRetriesPerRequest: 1, lazyConnect: true });
    // A subscriber connection blocks for its lifetime: no command timeout; ioredis re-subscribes on reconnect.
    this.#sub = new Redis(o.redisUrl, { connectTimeout: t, maxRetriesPerRequest: null, lazyConnect: true });
    for (const r of [this.#pub, this.#sub]) r.on('error', (err) => o.log.debug({ err }, 'dispatch news: redis error'));
    this.#channel = `${o.prefix}:dispatch-news`;
  }

  async listen(onNews: () => void): Promise<void> {
    this.#sub.on('message', (_channel: string, from: string) => {
      if (from !== this.o.instanceId) onNews();
    });
    await this.#sub.subscribe(this.#channel);
  }

  announce(): void {
    if (this.#closing) return;
    if (this.#publishing) {
      this.#pending = true;
      return;
    }
    this.#publishing = true;
    void this.#pub.publish(this.#channel, this.o.instanceId)
      .catch((err) => this.o.log.debug({ err }, 'dispatch news: publish failed'))
      .finally(() => {
        this.#publishing = false;
        if (this.#pending) {
          this.#pending = false;
          this.announce();
        }
      });
  }

  close(): Promise<void> {
    return (this.#closing ??= Promise.all([this.#pub, this.#sub].map((r) =>
      r.quit().then(() => undefined, () => r.disconnect()))).then(() => undefined));
  }
}
