/*
 * One inbound event-socket connection to one FreeSWITCH server (F2, F3).
 *
 * Why not esl's FreeSwitchClient: in 11.2.1 it emits `connect` even after `auth` was refused,
 * retries every 200 ms for ever when FreeSWITCH closes after `-ERR invalid` (its backoff only
 * grows on ECONNREFUSED and never resets) and subscribes json events by itself. This class keeps
 * esl's protocol object (EslSocket) and owns the socket lifecycle: connect deadline, auth,
 * subscription, exponential backoff with a separate slow retry for a refused password, and an
 * `up` notification carrying `reconnected` so callers re-check what they track (DESIGN §4:
 * missed events are not replayed).
 */
import { Socket } from 'node:net';
import { FreeSwitchError, FreeSwitchTimeout } from 'esl';
import type { Logger } from 'pino';
import type { FreeSwitchNode } from '../../config.js';
import { EslSocket } from './esl-socket.js';
import { type EslEvent } from './event-parser.js';
import { microsToDate } from './channel-event.js';
import { INBOUND_EVENTS, INBOUND_FILTERS } from './inbound-subscription.js';
import { NodeShutdown } from './node-shutdown.js';
import { authRetryMs, backoffMs, reconnectPolicy, type ReconnectOptions, type ReconnectPolicy } from './reconnect-policy.js';

export type { ReconnectOptions } from './reconnect-policy.js';

export type NodeState = { kind: 'connecting' } | { kind: 'up' } | { kind: 'down'; reason: string } | { kind: 'closed' };

/** The node's inbound connection is not up; nothing was sent. */
export class NodeDownError extends Error {
  override name = 'NodeDownError';
}

/** A command got no reply in time; the connection is dropped because replies can no longer be matched. */
export class EslTimeoutError extends Error {
  override name = 'EslTimeoutError';
}

type Listener<T extends unknown[]> = (...args: T) => void;

export class NodeConnection {
  readonly name: string;
  #state: NodeState = { kind: 'connecting' };
  #conn: EslSocket | null = null;
  #socket: Socket | null = null;
  #timer: NodeJS.Timeout | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #failures = 0;
  #authFailures = 0;
  #everUp = false;
  readonly #shutdown: NodeShutdown;
  readonly #o: ReconnectPolicy;
  readonly #up = new Set<Listener<[boolean]>>();
  readonly #down = new Set<Listener<[string]>>();
  readonly #event = new Set<Listener<[EslEvent]>>();
  readonly #beat = new Set<Listener<[]>>();
  /** FreeSWITCH's own time (`Event-Date-Timestamp`) of the latest event received from it. */
  lastEventAt: Date | null = null;
  /** Connection attempts so far (observable: a refused password must not loop). */
  attempts = 0;

  constructor(
    private readonly node: FreeSwitchNode,
    /** Already bound to this node (`node` key): lines here do not repeat it. */
    private readonly log: Logger,
    opts: ReconnectOptions = {},
  ) {
    this.name = node.name;
    this.#o = reconnectPolicy(opts);
    this.#shutdown = new NodeShutdown(log);
  }

  get state(): NodeState {
    return this.#state;
  }

  get isUp(): boolean {
    return this.#state.kind === 'up';
  }

  onUp(fn: Listener<[boolean]>): void {
    this.#up.add(fn);
  }
  onDown(fn: Listener<[string]>): void {
    this.#down.add(fn);
  }
  onEvent(fn: Listener<[EslEvent]>): void {
    this.#event.add(fn);
  }
  /** The heartbeat's `api` got its reply: the switch answers on this connection. */
  onBeat(fn: Listener<[]>): void {
    this.#beat.add(fn);
  }
  /** The switch announced its shutdown (the reason), or an elegant one was cancelled (null). */
  onShutdown(fn: Listener<[string | null]>): void {
    this.#shutdown.onChange(fn);
  }

  /**
   * Why the switch is going away, while it is: no new call may be placed there, though the
   * connection stays up so the calls in progress still report their end.
   */
  get shuttingDown(): string | null {
    return this.#shutdown.reason;
  }

  start(): void {
    if (this.#state.kind === 'closed' || this.#socket) return;
    void this.#connect();
  }

  /** `api <cmd>`: resolves with the response body, `-ERR …` included. */
  async api(cmd: string, timeoutMs: number): Promise<string> {
    const conn = this.#live();
    try {
      const r = await conn.api(cmd, timeoutMs);
      return r.body;
    } catch (err) {
      if (err instanceof FreeSwitchError && err.res && typeof err.res.body === 'string') return err.res.body;
      throw this.#commandError(err, conn, `api ${cmd.split(' ')[0]}`);
    }
  }

  /**
   * `bgapi <cmd>` with our Job-UUID; resolves when FreeSWITCH accepted the job. The result comes
   * later as a BACKGROUND_JOB event. Rejects with NodeDownError when nothing was written.
   */
  async bgapi(cmd: string, jobUuid: string, timeoutMs: number): Promise<void> {
    const conn = this.#live();
    try {
      await conn.send(`bgapi ${cmd}`, { 'Job-UUID': jobUuid }, timeoutMs);
    } catch (err) {
      throw this.#commandError(err, conn, 'bgapi');
    }
  }

  /** Drops the current connection (it reconnects); used by tests and after a desync. */
  drop(reason: string): void {
    this.log.warn({ reason }, 'dropping inbound connection');
    this.#socket?.destroy();
  }

  close(): void {
    if (this.#state.kind === 'closed') return;
    this.#state = { kind: 'closed' };
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#stopHeartbeat();
    this.#socket?.destroy();
    this.#socket = null;
    this.#conn = null;
  }

  #isClosed(): boolean {
    return this.#state.kind === 'closed';
  }

  #live(): EslSocket {
    if (this.#state.kind !== 'up' || !this.#conn || this.#conn.closed) throw new NodeDownError(`node ${this.name} is not connected`);
    return this.#conn;
  }

  #commandError(err: unknown, conn: EslSocket, what: string): Error {
    if (err instanceof FreeSwitchTimeout) {
      // esl matches replies to requests by order only: after a lost reply every later one is off by one.
      if (this.#conn === conn) this.drop(`${what} timed out`);
      return new EslTimeoutError(`${what} on ${this.name}: no reply within ${err.timeout} ms`);
    }
    if (err instanceof FreeSwitchError && /closed socket/.test(String(err.args['when'] ?? ''))) {
      return new NodeDownError(`node ${this.name} connection closed before ${what} was written`);
    }
    return err instanceof Error ? err : new Error(String(err));
  }

  async #connect(): Promise<void> {
    this.#timer = null;
    if (this.#state.kind === 'closed') return;
    this.attempts++;
    const socket = new Socket();
    const conn = new EslSocket(socket, this.log);
    this.#socket = socket;
    let lastError: string | null = null;
    let authRefused: string | null = null;
    let upAt: number | null = null;
    socket.on('error', (err: NodeJS.ErrnoException) => {
      lastError = err.code ?? err.message;
    });
    const deadline = setTimeout(() => {
      lastError = 'connect/auth timeout';
      socket.destroy();
    }, this.#o.connectTimeoutMs);
    socket.once('close', () => {
      clearTimeout(deadline);
      this.#closed(socket, upAt, authRefused, lastError);
    });
    socket.connect({ host: this.node.host, port: this.node.port });
    try {
      await conn.onceAsync('freeswitch_auth_request', this.#o.connectTimeoutMs, 'auth request');
      try {
        await conn.send(`auth ${this.node.password}`, {}, this.#o.connectTimeoutMs);
      } catch (err) {
        const reply = err instanceof FreeSwitchError ? err.res?.headers['Reply-Text'] : undefined;
        if (reply?.startsWith('-')) authRefused = reply;
        throw err;
      }
      conn.onEvent((ev) => {
        this.#shutdown.onEvent(ev);
        this.lastEventAt = microsToDate(ev.headers['Event-Date-Timestamp']) ?? this.lastEventAt;
        for (const fn of this.#event) fn(ev);
      });
      for (const [name, value] of INBOUND_FILTERS) await conn.send(`filter ${name} ${value}`, {}, this.#o.connectTimeoutMs);
      await conn.send(`event plain ${INBOUND_EVENTS}`, {}, this.#o.connectTimeoutMs);
      clearTimeout(deadline);
      if (this.#socket !== socket || this.#isClosed()) return;
      upAt = Date.now();
      this.#conn = conn;
      this.#shutdown.clear();
      this.#authFailures = 0;
      const reconnected = this.#everUp;
      this.#everUp = true;
      this.#state = { kind: 'up' };
      this.log.info({ reconnected, attempts: this.attempts }, 'inbound connection up');
      this.#startHeartbeat(conn);
      for (const fn of this.#up) fn(reconnected);
    } catch (err) {
      if (!authRefused) this.log.debug({ err }, 'inbound connect failed');
      socket.destroy();
    }
  }

  #startHeartbeat(conn: EslSocket): void {
    this.#stopHeartbeat();
    if (this.#o.heartbeatMs <= 0) return;
    this.#heartbeat = setInterval(() => {
      if (this.#conn !== conn) return;
      // A timeout drops the connection in #commandError; other failures show up as a close.
      const beat = this.#shutdown.cancellable
        ? this.api('fsctl shutdown_check', this.#o.connectTimeoutMs).then((body) => {
          if (this.#conn === conn && body.trim() === 'false') this.#shutdown.cancelled();
        })
        : this.api('status', this.#o.connectTimeoutMs);
      beat.then(() => {
        if (this.#conn === conn) for (const fn of this.#beat) fn();
      }, (err) => this.log.debug({ err }, 'heartbeat failed'));
    }, this.#o.heartbeatMs);
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  #closed(socket: Socket, upAt: number | null, authRefused: string | null, lastError: string | null): void {
    if (this.#socket === socket) {
      this.#socket = null;
      this.#conn = null;
      this.#shutdown.clear();
      this.#stopHeartbeat();
    }
    if (this.#isClosed()) return;
    let delay: number;
    let reason: string;
    if (authRefused) {
      this.#authFailures++;
      delay = authRetryMs(this.#o, this.#authFailures);
      reason = `authentication refused (${authRefused}): check the password of ${this.name} in DIALER_FREESWITCH`;
      this.log.error({ reply: authRefused, retryInMs: delay }, 'FreeSWITCH refused the event socket password');
    } else {
      if (upAt !== null && Date.now() - upAt >= this.#o.stableMs) this.#failures = 0;
      this.#failures++;
      delay = backoffMs(this.#o, this.#failures);
      reason = upAt !== null ? 'connection lost' : `connect failed: ${lastError ?? 'closed by server'}`;
    }
    const prev = this.#state;
    this.#state = { kind: 'down', reason };
    if (prev.kind !== 'down' || prev.reason !== reason) {
      if (!authRefused) this.log.warn({ reason, retryInMs: delay }, 'inbound connection down');
      for (const fn of this.#down) fn(reason);
    }
    this.#timer = setTimeout(() => void this.#connect(), delay);
  }
}
