import WebSocket from 'ws';
import { httpClient, type Credentials } from './http-client.js';

/** A message the server sent, with its place among all the connection's messages. */
export interface Received {
  index: number;
  m: any;
}

/**
 * A CTI client of the agent socket as an integrator would write it from docs/agent-protocol.md:
 * a ticket over REST, then the WebSocket; every message kept in order for the test to look at.
 */
export class AgentSocketClient {
  readonly messages: any[] = [];
  #waiters: (() => void)[] = [];
  #next = 0;
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()));
      this.#wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.#wake();
    });
  }

  /** A ticket for `auth`, then the WebSocket; resolves once it is open. */
  static async open(url: string, auth: Credentials): Promise<AgentSocketClient> {
    const t = await httpClient(url).send('POST', '/api/v2/agent/socket/ticket', undefined, undefined, auth);
    if (t.status !== 200) throw new Error(`ticket: ${t.status} ${JSON.stringify(t.body)}`);
    return AgentSocketClient.connect(url, t.body.ticket);
  }

  /** `extra`: more of the query, e.g. `&agent_id=3` (a supervisor). */
  static connect(url: string, ticket: string, extra = ''): Promise<AgentSocketClient> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v2/agent/socket?ticket=${encodeURIComponent(ticket)}${extra}`);
    const c = new AgentSocketClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(c));
      ws.once('error', reject);
    });
  }

  /** The HTTP answer of an upgrade the server refused. */
  static refusal(url: string, ticket: string | null, extra = ''): Promise<{ status: number; body: any }> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v2/agent/socket${ticket === null ? '' : `?ticket=${encodeURIComponent(ticket)}${extra}`}`);
    return new Promise((resolve, reject) => {
      ws.once('open', () => reject(new Error('the upgrade was accepted')));
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      });
      ws.once('error', () => undefined);
    });
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    w.forEach((f) => f());
  }

  /** The first message at or after `from` for which `pick` answers something. */
  async waitFor<T>(what: string, pick: (m: any) => T | undefined | null | false, from = 0, timeoutMs = 20_000): Promise<{ index: number; value: T }> {
    const deadline = Date.now() + timeoutMs;
    for (let i = from; ; ) {
      for (; i < this.messages.length; i++) {
        const v = pick(this.messages[i]);
        if (v !== undefined && v !== null && v !== false) return { index: i, value: v };
      }
      if (this.closed) throw new Error(`closed (${this.closed.code} ${this.closed.reason}) before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.slice(from)).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The event of that type at or after `from`. */
  event(type: string, from = 0, timeoutMs = 20_000): Promise<{ index: number; value: any }> {
    return this.waitFor(`event ${type}`, (m) => (m.type === 'event' && m.event.type === type ? m : undefined), from, timeoutMs);
  }

  /** Sends a command with a fresh correlation id and waits for its reply. */
  async command(type: string, data?: unknown, extra: Record<string, unknown> = {}): Promise<any> {
    const id = `c${++this.#next}`;
    this.send({ v: 1, type, id, ...(data === undefined ? {} : { data }), ...extra });
    return (await this.waitFor(`reply ${id}`, (m) => (m.type === 'reply' && m.id === id ? m : undefined))).value;
  }

  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  close(): void {
    this.ws.close();
  }
}
