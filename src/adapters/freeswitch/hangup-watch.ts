/*
 * Hangups seen on the inbound connections, kept briefly by channel uuid. When an outbound socket
 * is lost mid-bridge, the subscriber leg's CHANNEL_HANGUP_COMPLETE still reaches the inbound
 * connection (a separate TCP connection) and gives the real cause and talk time.
 */
import { type EslEvent } from './event-parser.js';
import { parseChannelEvent, type ChannelEvent } from './channel-event.js';

const KEEP_MS = 120_000;
/** Every channel of the server passes here: keep a slim copy, and a bounded number of them. */
const MAX_KEPT = 20_000;

/** What a lost bridge needs of the subscriber leg's end. */
export type SeenHangup = Pick<ChannelEvent, 'uuid' | 'cause' | 'at' | 'answeredAt' | 'bridgedAt' | 'hangupAt'>;

/**
 * A copy that shares no memory with the event: header values are slices of the whole event text
 * (~12 KB for a CHANNEL_HANGUP_COMPLETE), and a kept slice keeps all of it alive.
 */
const own = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

export class HangupWatch {
  readonly #seen = new Map<string, { ev: SeenHangup; atMs: number }>();
  readonly #waiters = new Map<string, Set<(ev: SeenHangup) => void>>();

  onEvent(ev: EslEvent): void {
    if (ev.name !== 'CHANNEL_HANGUP_COMPLETE') return;
    const c = parseChannelEvent(ev);
    if (!c) return;
    this.#prune();
    const uuid = own(c.uuid);
    const slim: SeenHangup = { uuid, cause: c.cause === null ? null : own(c.cause), at: c.at,
      answeredAt: c.answeredAt, bridgedAt: c.bridgedAt, hangupAt: c.hangupAt };
    this.#seen.set(uuid, { ev: slim, atMs: Date.now() });
    if (this.#seen.size > MAX_KEPT) this.#seen.delete(this.#seen.keys().next().value!);
    for (const fn of this.#waiters.get(uuid) ?? []) fn(slim);
    this.#waiters.delete(uuid);
  }

  /** The CHANNEL_HANGUP_COMPLETE of `uuid`, waiting at most `timeoutMs` for it. */
  wait(uuid: string, timeoutMs: number): Promise<SeenHangup | null> {
    const seen = this.#seen.get(uuid);
    if (seen) return Promise.resolve(seen.ev);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        stop();
        resolve(null);
      }, timeoutMs);
      const stop = this.listen(uuid, (ev) => {
        clearTimeout(timer);
        resolve(ev);
      });
    });
  }

  /**
   * Calls `fn` once with the CHANNEL_HANGUP_COMPLETE of `uuid` (at once when already seen), for
   * as long as it takes; the returned function stops listening.
   */
  listen(uuid: string, fn: (ev: SeenHangup) => void): () => void {
    const seen = this.#seen.get(uuid);
    if (seen) {
      fn(seen.ev);
      return () => undefined;
    }
    const set = this.#waiters.get(uuid) ?? new Set();
    this.#waiters.set(uuid, set);
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0 && this.#waiters.get(uuid) === set) this.#waiters.delete(uuid);
    };
  }

  #prune(): void {
    const old = Date.now() - KEEP_MS;
    for (const [uuid, s] of this.#seen) {
      if (s.atMs >= old) break;
      this.#seen.delete(uuid);
    }
  }
}
