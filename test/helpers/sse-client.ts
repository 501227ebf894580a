import type { Credentials } from './http-client.js';

export interface SseEvent {
  event: string;
  data: any;
}

/** Moves the complete `event:`/`data:` blocks of `buf` into `into`; returns the unfinished rest. */
export function takeSseEvents(buf: string, into: SseEvent[]): string {
  let cut: number;
  while ((cut = buf.indexOf('\n\n')) >= 0) {
    const block = buf.slice(0, cut);
    buf = buf.slice(cut + 2);
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (event && data) into.push({ event, data: JSON.parse(data) });
  }
  return buf;
}

/**
 * A browser-less reader of the live push (GET /api/v2/live): plain HTTP, text/event-stream
 * parsed by hand. Keeps every event; tests wait for one that matches.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  #ended = false;
  #wake: (() => void) | undefined;
  readonly #abort = new AbortController();

  private constructor() {}

  /** Asks a ticket with the credentials, then opens the stream. */
  static async open(baseUrl: string, auth: Credentials): Promise<SseClient> {
    const t = await fetch(`${baseUrl}/api/v2/live/ticket`, { method: 'POST', headers: { 'x-key': auth.key, 'x-access-token': auth.token } });
    if (t.status !== 200) throw new Error(`ticket: ${t.status} ${await t.text()}`);
    const { ticket } = (await t.json()) as { ticket: string };
    const c = new SseClient();
    const res = await fetch(`${baseUrl}/api/v2/live?ticket=${encodeURIComponent(ticket)}`, { signal: c.#abort.signal });
    if (res.status !== 200) throw new Error(`stream: ${res.status} ${await res.text()}`);
    void c.#read(res);
    return c;
  }

  async #read(res: Response): Promise<void> {
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf = takeSseEvents(buf + dec.decode(value, { stream: true }), this.events);
        this.#wake?.();
      }
    } catch {
      // aborted by close(), or the server ended the stream
    } finally {
      this.#ended = true;
      this.#wake?.();
    }
  }

  /** The first event (from index `from`) for which `pick` returns a value; bounded. */
  async waitFor<T>(what: string, pick: (e: SseEvent) => T | undefined, timeoutMs = 20_000, from = 0): Promise<{ value: T; index: number }> {
    const deadline = Date.now() + timeoutMs;
    let i = from;
    for (;;) {
      for (; i < this.events.length; i++) {
        const v = pick(this.events[i]!);
        if (v !== undefined) return { value: v, index: i };
      }
      if (this.#ended) throw new Error(`stream ended before ${what}; events: ${this.events.map((e) => e.event).join(',')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; events: ${this.events.map((e) => e.event).join(',')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  close(): void {
    this.#abort.abort();
  }
}
