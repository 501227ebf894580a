import type { Logger } from 'pino';
import { z } from 'zod';
import type { LiveFeed, LiveNews } from '../../app/engine/live-feed.js';
import { RedisChannel } from './redis-channel.js';
import type { RedisTarget } from './redis-connection.js';

export interface RedisLiveRelayOptions {
  redisUrl: RedisTarget;
  /** The BullMQ prefix; the channel lives beside the queue so deployments sharing a Redis stay apart. */
  prefix: string;
  /** This process's instance id: its own messages are not shown twice. */
  instanceId: string;
  log: Logger;
  /** How long changes are gathered into one message, ms. @defaultValue 50 */
  batchMs?: number;
  /** Deadline of a publish, ms. @defaultValue 2000 */
  commandTimeoutMs?: number;
}

const id = z.number().int().positive();
const body = z.object({
  agents: z.array(id).max(100_000),
  campaigns: z.array(id).max(100_000),
});

/**
 * Carries each process's live-board changes to every other process on the same Redis (DESIGN
 * §1a: a supervisor's browser may reach any process, the call may run on another one). One
 * channel per deployment; changes are gathered for `batchMs` and sent as one message of ids.
 * Fire-and-forget like dispatch news: a lost message only makes a board late until the next
 * change of that row, or the fresh snapshot the boards get when the relay reconnects.
 *
 * The feed is marked not live while the subscription is down (the boards say so) and live again
 * once it is back.
 */
export class RedisLiveRelay {
  readonly #channel: RedisChannel<typeof body>;
  readonly #agents = new Set<number>();
  readonly #campaigns = new Set<number>();
  #timer: NodeJS.Timeout | undefined;
  #publishing: Promise<void> | null = null;
  #feed: LiveFeed | undefined;
  #subscribed = false;
  #closing: Promise<void> | undefined;

  constructor(private readonly o: RedisLiveRelayOptions) {
    this.#channel = new RedisChannel({ ...o, channel: `${o.prefix}:live`, what: 'live relay' }, body);
  }

  /** Whether the subscription to the other processes is up now (the health board's Redis). */
  get connected(): boolean {
    return this.#subscribed && this.#channel.sub.status === 'ready';
  }

  /** Relays the feed's own changes and shows the others' on it; resolves once subscribed. */
  async start(feed: LiveFeed): Promise<void> {
    this.#feed = feed;
    feed.setLive(false);
    feed.on('relay', this.#onLocal);
    // ioredis subscribes again by itself after a reconnect; 'ready' follows it.
    this.#channel.sub.on('close', () => {
      if (this.#subscribed) feed.setLive(false);
    });
    this.#channel.sub.on('ready', () => {
      if (this.#subscribed && !this.#closing) feed.setLive(true);
    });
    await this.#channel.listen((m) => feed.show(m));
    this.#subscribed = true;
    feed.setLive(true);
  }

  readonly #onLocal = (news: LiveNews): void => {
    if (this.#closing) return;
    news.agents?.forEach((a) => this.#agents.add(a));
    news.campaigns?.forEach((c) => this.#campaigns.add(c));
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#send();
    }, this.o.batchMs ?? 50);
  };

  /**
   * Starts sending unless a send is running. The flag is cleared once the loop is over, never
   * from inside it: a loop with nothing to send (its changes went out in the message before)
   * ends before `??=` stores its promise, and clearing there would leave the relay thinking a
   * send runs forever, relaying nothing again.
   */
  #send(): void {
    this.#publishing ??= this.#flush().finally(() => {
      this.#publishing = null;
    });
  }

  async #flush(): Promise<void> {
    // Changes gathered while a publish is in flight go out in the next message.
    while (this.#agents.size > 0 || this.#campaigns.size > 0) {
      const m = { agents: [...this.#agents], campaigns: [...this.#campaigns] };
      this.#agents.clear();
      this.#campaigns.clear();
      await this.#channel.publish(m);
    }
  }

  /** Sends what is still gathered, then disconnects. Idempotent. */
  close(): Promise<void> {
    return (this.#closing ??= (async () => {
      this.#feed?.off('relay', this.#onLocal);
      if (this.#timer) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#send();
      }
      await this.#publishing;
      this.#feed?.setLive(false);
      await this.#channel.close();
    })());
  }
}
