import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DispatchNews, DispatchNewsItem } from '../../app/ports/dispatch-news.js';

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

const id = z.number().int().positive();
const message = z.object({
  from: z.string(),
  items: z.array(z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('settled'), campaignId: id, agentId: id.nullable() }),
    z.object({ kind: z.literal('campaign-changed'), campaignId: id }),
    z.object({ kind: z.literal('agent-changed'), agentId: id }),
    z.object({ kind: z.literal('members-added'), campaignId: id }),
  ])),
});

/**
 * DispatchNews over Redis pub/sub, one channel per deployment. News announced while a publish is
 * in flight waits for it and goes out in the next message, the same item once: a burst of
 * settles costs a few PUBLISHes, not one each.
 */
export class RedisDispatchNews implements DispatchNews {
  readonly #pub: Redis;
  readonly #sub: Redis;
  readonly #channel: string;
  readonly #pending = new Map<string, DispatchNewsItem>();
  #publishing: Promise<void> | null = null;
  #closing: Promise<void> | undefined;

  constructor(private readonly o: RedisDispatchNewsOptions) {
    const t = o.commandTimeoutMs ?? 2_000;
    this.#pub = new Redis(o.redisUrl, { commandTimeout: t, connectTimeout: t, maxRetriesPerRequest: 1, lazyConnect: true });
    // A subscriber connection blocks for its lifetime: no command timeout; ioredis re-subscribes on reconnect.
    this.#sub = new Redis(o.redisUrl, { connectTimeout: t, maxRetriesPerRequest: null, lazyConnect: true });
    for (const r of [this.#pub, this.#sub]) r.on('error', (err) => o.log.debug({ err }, 'dispatch news: redis error'));
    this.#channel = `${o.prefix}:dispatch-news`;
  }

  async listen(onNews: (items: DispatchNewsItem[]) => void): Promise<void> {
    this.#sub.on('message', (_channel: string, text: string) => {
      let parsed: z.infer<typeof message>;
      try {
        parsed = message.parse(JSON.parse(text));
      } catch (err) {
        this.o.log.warn({ err }, 'dispatch news: unreadable message ignored');
        return;
      }
      if (parsed.from !== this.o.instanceId) onNews(parsed.items);
    });
    await this.#sub.subscribe(this.#channel);
  }

  announce(item: DispatchNewsItem): void {
    if (this.#closing) return;
    this.#pending.set(JSON.stringify(item), item);
    this.#publishing ??= this.#flush();
  }

  async #flush(): Promise<void> {
    while (this.#pending.size > 0) {
      const items = [...this.#pending.values()];
      this.#pending.clear();
      try {
        await this.#pub.publish(this.#channel, JSON.stringify({ from: this.o.instanceId, items }));
      } catch (err) {
        this.o.log.debug({ err }, 'dispatch news: publish failed');
      }
    }
    this.#publishing = null;
  }

  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      await this.#publishing;
      await Promise.all([this.#pub, this.#sub].map((r) => r.quit().then(() => undefined, () => r.disconnect())));
    })());
  }
}
