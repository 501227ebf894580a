// A byte-level ESL peer for tests: no library, so what is asserted is what went over TCP.
// RawEsl is a client connection (inbound side) or an accepted one (our outbound server).
import net from 'node:net';
import { splitMessages, type EslMessage } from './transcript.js';

export class RawEsl {
  #buf: Buffer = Buffer.alloc(0);
  readonly #queue: EslMessage[] = [];
  #waiter: (() => void) | null = null;
  closed = false;
  /** every message received, in order */
  readonly received: EslMessage[] = [];

  constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      this.#drain();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#waiter?.();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawEsl> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RawEsl(s)));
      s.once('error', reject);
    });
  }

  #drain(): void {
    // the outbound CHANNEL_DATA reply has no Content-Length: a header block is a whole message
    const { messages, rest } = splitMessages(this.#buf);
    this.#buf = rest;
    for (const m of messages) {
      this.#queue.push(m);
      this.received.push(m);
    }
    if (messages.length) this.#waiter?.();
  }

  send(s: string | Buffer): void {
    this.socket.write(s);
  }

  /** The next message (optionally the next one matching), within timeoutMs. */
  async next(match: (m: EslMessage) => boolean = () => true, timeoutMs = 5000): Promise<EslMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#queue.findIndex(match);
      if (i !== -1) return this.#queue.splice(i, 1)[0] as EslMessage;
      if (this.closed) throw new Error('connection closed while waiting for a message');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timeout waiting for a message');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiter = () => { clearTimeout(t); this.#waiter = null; resolve(); };
      });
    }
  }

  /** Messages queued but not taken yet. */
  pending(): EslMessage[] {
    return [...this.#queue];
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('timeout waiting for close');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Our side of `socket host:port async full`: accepts FreeSWITCH's connections. */
export class RawOutboundServer {
  readonly #server = net.createServer((s) => this.#accept(s));
  readonly #conns: RawEsl[] = [];
  readonly #waiters: ((c: RawEsl) => void)[] = [];
  port = 0;

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.#server.address() as net.AddressInfo).port;
    return this.port;
  }

  #accept(s: net.Socket): void {
    const c = new RawEsl(s);
    const w = this.#waiters.shift();
    if (w) w(c);
    else this.#conns.push(c);
  }

  accept(timeoutMs = 5000): Promise<RawEsl> {
    const c = this.#conns.shift();
    if (c) return Promise.resolve(c);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no outbound connection')), timeoutMs);
      this.#waiters.push((conn) => { clearTimeout(t); resolve(conn); });
    });
  }

  async close(): Promise<void> {
    for (const c of this.#conns) c.close();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
