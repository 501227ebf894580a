import { randomBytes } from 'node:crypto';

/** The credentials a ticket stands for; checked again when it is used (logout revokes them). */
export interface HeldCredentials {
  key: string;
  token: string;
}

interface Held {
  creds: HeldCredentials;
  untilMs: number;
}

export interface TicketStoreOptions {
  /** How long a handle is valid, ms. */
  ttlMs: number;
  /** Handles kept at most; the oldest goes first beyond it, so a flood cannot grow memory. @defaultValue 10_000 */
  maxEntries?: number;
  /** Epoch ms. */
  now?: () => number;
}

/**
 * Short-lived, single-use random handles that stand for an X-Key + X-Access-Token pair, for where a browser
 * cannot send headers and the session cookie is not read: EventSource (GET
 * /api/v2/live?ticket=…). The access token itself never appears in a URL; a handle is random,
 * expires quickly, and is useless once the key is logged out.
 *
 * Held in process memory: the ticket must be redeemed on the process that issued it, which
 * holds for one API process or a load balancer with sticky sessions.
 */
export class TicketStore {
  readonly #o: Required<Omit<TicketStoreOptions, 'now'>>;
  readonly #now: () => number;
  // Insertion order = age order, which makes the eviction below cheap.
  readonly #held = new Map<string, Held>();

  constructor(o: TicketStoreOptions) {
    this.#o = { ttlMs: o.ttlMs, maxEntries: o.maxEntries ?? 10_000 };
    this.#now = o.now ?? Date.now;
  }

  get ttlMs(): number {
    return this.#o.ttlMs;
  }

  issue(creds: HeldCredentials): string {
    this.#prune();
    const handle = randomBytes(24).toString('base64url');
    this.#held.set(handle, { creds: { key: creds.key, token: creds.token }, untilMs: this.#now() + this.#o.ttlMs });
    while (this.#held.size > this.#o.maxEntries) this.#held.delete(this.#held.keys().next().value!);
    return handle;
  }

  /** The credentials behind a live handle, once; undefined when unknown, used or expired. */
  redeem(handle: string | undefined): HeldCredentials | undefined {
    if (!handle) return undefined;
    const h = this.#held.get(handle);
    if (!h) return undefined;
    this.#held.delete(handle);
    return h.untilMs > this.#now() ? h.creds : undefined;
  }

  revoke(handle: string | undefined): void {
    if (handle) this.#held.delete(handle);
  }

  #prune(): void {
    const now = this.#now();
    for (const [k, h] of this.#held) {
      // Not strictly in expiry order (equal TTLs make it so), so stop at the first live one.
      if (h.untilMs > now) break;
      this.#held.delete(k);
    }
  }
}
