import type { Logger } from 'pino';
import { z } from 'zod';
import type { DispatchNews, DispatchNewsItem } from '../../app/ports/dispatch-news.js';
import { RedisChannel } from './redis-channel.js';
import type { RedisTarget } from './redis-connection.js';

export interface RedisDispatchNewsOptions {
  redisUrl: RedisTarget;
  /** The BullMQ prefix; the channel lives beside the queue so deployments sharing a Redis stay apart. */
  prefix: string;
  /** This process's instance id: its own news is not sent back to it. */
  instanceId: string;
  log: Logger;
  /** Deadline of a publish, ms. @defaultValue 2000 */
  commandTimeoutMs?: number;
}

const id = z.number().int().positive();
const body = z.object({
  items: z.array(z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('settled'), campaignId: id, agentId: id.nullable() }),
    z.object({ kind: z.literal('campaign-changed'), campaignId: id }),
    z.object({ kind: z.literal('agent-changed'), agentId: id }),
    z.object({ kind: z.literal('members-added'), campaignId: id }),
    z.object({ kind: z.literal('hang-up'), attemptId: id, node: z.string().min(1).max(128), uuid: z.string().min(1).max(64) }),
    z.object({ kind: z.literal('preview-accepted'), attemptId: id }),
  ])),
});

/**
 * DispatchNews over Redis pub/sub, one channel per deployment. News announced while a publish is
 * in flight waits for it and goes out in the next message, the same item once: a burst of
 * settles costs a few PUBLISHes, not one each.
 */
export class RedisDispatchNews implements DispatchNews {
  readonly #channel: RedisChannel<typeof body>;
  readonly #pending = new Map<string, DispatchNewsItem>();
  #publishing: Promise<void> | null = null;
  #closing: Promise<void> | undefined;

  constructor(o: RedisDispatchNewsOptions) {
    this.#channel = new RedisChannel({ ...o, channel: `${o.prefix}:dispatch-news`, what: 'dispatch news' }, body);
  }

  listen(onNews: (items: DispatchNewsItem[]) => void): Promise<void> {
    return this.#channel.listen((m) => onNews(m.items));
  }

  announce(item: DispatchNewsItem): void {
    if (this.#closing) return;
    this.#pending.set(JSON.stringify(item), item);
    // Cleared when the loop is over, never from inside it (as in redis-live-relay.ts).
    this.#publishing ??= this.#flush().finally(() => {
      this.#publishing = null;
    });
  }

  async #flush(): Promise<void> {
    while (this.#pending.size > 0) {
      const items = [...this.#pending.values()];
      this.#pending.clear();
      await this.#channel.publish({ items });
    }
  }

  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      await this.#publishing;
      await this.#channel.close();
    })());
  }
}
