/*
 * The event-socket framing of one outbound socket (`socket … async full`): commands written,
 * their replies matched in order, channel events and the disconnect notice handed on.
 *
 * Why not esl's FreeSwitchResponse here (it stays on the inbound connection, node-connection.ts):
 * an outbound socket lives for one call and esl's set-up cost is paid per call: a ulid and an
 * emitter per socket, every header of every message split and URL-decoded (the `connect` reply
 * alone is ~200 channel headers, of which the session reads about ten), and one command at a time
 * (its queue waits for each reply before the next write). Here a message's headers are looked up
 * in its text when read (lazyHeaders), and commands FreeSWITCH answers in order go out in one
 * write: mod_event_socket 1.10.12 reads the socket one packet at a time (read_packet stops at the
 * blank line) and writes each command's reply before it reads the next one, so pipelined
 * commands get their replies in the order sent (also seen on the real switch, BENCHMARKS.md).
 */
import type { Socket } from 'node:net';
import { lazyHeaders, parseJsonEvent, parsePlainEvent, rawHeader, type EslEvent, type Headers } from './event-parser.js';

const headerOf = (head: string, name: string) => rawHeader(head, head.length, name);

/** What became of one command: its reply, or why none will be read. */
export type CommandOutcome =
  | { kind: 'reply'; text: string; headers: Headers }
  | { kind: 'timeout' }
  | { kind: 'closed' };

/** A command line and the headers that follow it (`sendmsg` with `call-command: …`). */
export type EslCommand = readonly [line: string, headers?: Readonly<Record<string, string>>];

interface Waiter {
  settle: ((o: CommandOutcome) => void) | null;
  timer: NodeJS.Timeout | null;
}

export interface OutboundEslHandlers {
  event(ev: EslEvent): void;
  /** `text/disconnect-notice` (after linger: nothing more comes for the channel). */
  disconnectNotice(): void;
}

export class OutboundEsl {
  /** Replies are matched by order; a command given up on keeps its place to swallow a late reply. */
  readonly #waiters: Waiter[] = [];
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Header block of a message whose body (this many bytes) has not fully arrived; -1: none. */
  #head = '';
  #bodyLength = -1;
  #closed = false;

  constructor(private readonly socket: Socket, private readonly on: OutboundEslHandlers) {
    // As esl did: commands go out at once (no Nagle delay behind an unacknowledged write), and a
    // peer gone for hours during a long call is found by TCP keepalive.
    socket.setNoDelay(true);
    socket.setKeepAlive(true);
    socket.on('data', (chunk: Buffer) => this.#data(chunk));
    socket.once('close', () => this.#close());
  }

  /** Writes the commands in one socket write; resolves with each one's outcome, in order. */
  sendAll(commands: readonly EslCommand[], timeoutMs: number): Promise<CommandOutcome[]> {
    if (this.#closed || this.socket.destroyed) return Promise.resolve(commands.map(() => ({ kind: 'closed' as const })));
    let text = '';
    const outcomes = commands.map(([line, headers]) => {
      text += `${line}\n`;
      if (headers) for (const k in headers) text += `${k}: ${headers[k]}\n`;
      text += '\n';
      return new Promise<CommandOutcome>((resolve) => {
        const w: Waiter = { settle: null, timer: null };
        w.settle = (o) => {
          w.settle = null;
          if (w.timer) clearTimeout(w.timer);
          resolve(o);
        };
        w.timer = setTimeout(() => w.settle?.({ kind: 'timeout' }), timeoutMs);
        this.#waiters.push(w);
      });
    });
    this.socket.write(text);
    return Promise.all(outcomes);
  }

  async send(line: string, headers: Readonly<Record<string, string>> | undefined, timeoutMs: number): Promise<CommandOutcome> {
    const [o] = await this.sendAll([[line, headers]], timeoutMs);
    return o!;
  }

  #data(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    // A body still short of its length: wait without joining the chunks again.
    if (this.#bodyLength >= 0 && this.#buffered < this.#bodyLength) return;
    let buf = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks, this.#buffered);
    let pos = 0;
    while (!this.#closed) {
      if (this.#bodyLength >= 0) {
        if (buf.length - pos < this.#bodyLength) break;
        const body = buf.toString('utf8', pos, pos + this.#bodyLength);
        pos += this.#bodyLength;
        this.#bodyLength = -1;
        this.#message(this.#head, body);
        continue;
      }
      const end = buf.indexOf('\n\n', pos);
      if (end < 0) break;
      const head = buf.toString('utf8', pos, end + 1);
      pos = end + 2;
      const length = headerOf(head, 'Content-Length');
      if (length !== undefined && /^\d+$/.test(length) && length !== '0') {
        this.#head = head;
        this.#bodyLength = Number(length);
        continue;
      }
      this.#message(head, '');
    }
    buf = buf.subarray(pos);
    this.#chunks = buf.length > 0 ? [buf] : [];
    this.#buffered = buf.length;
  }

  #message(head: string, body: string): void {
    switch (headerOf(head, 'Content-Type')) {
      case 'text/event-plain':
        this.on.event(parsePlainEvent(body));
        return;
      case 'text/event-json': {
        const ev = parseJsonEvent(body);
        if (ev) this.on.event(ev);
        return;
      }
      case 'command/reply':
      case 'api/response': {
        const w = this.#waiters.shift();
        // The `connect` reply is the channel's data, every value URL-encoded (Reply-Text: %2BOK%0A).
        const headers = lazyHeaders(head, head.length);
        w?.settle?.({ kind: 'reply', text: headers['Reply-Text'] ?? body, headers });
        return;
      }
      case 'text/disconnect-notice':
        this.on.disconnectNotice();
        return;
      default:
        return;
    }
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w.settle?.({ kind: 'closed' });
  }
}
