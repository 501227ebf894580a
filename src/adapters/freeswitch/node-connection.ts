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
import { microsToDate, type EslEvent } from './event-parser.js';

/**
 * The subscription every inbound connection makes (plain: the transcripts' format). Only what is
 * read here: every channel of the server sends these (a dialled call has four channels: agent,
 * loopback-a, loopback-b, subscriber; ~12 KB an event), so CHANNEL_CREATE and CHANNEL_BRIDGE (the
 * bridge is seen on the outbound socket) are left out, and CHANNEL_HANGUP too: the
 * CHANNEL_HANGUP_COMPLETE that follows it carries the same Hangup-Cause. SHUTDOWN_REQUESTED
 * (`fsctl shutdown elegant|asap`) and SHUTDOWN (`fsctl shutdown [restart]`, fs_cli `shutdown`) are
 * the switch's own notice that it is going away (07a, 07b); they come before CUSTOM because every
 * word after CUSTOM is read as a subclass (a SHUTDOWN there was never delivered, real 1.10.12).
 */
export const INBOUND_EVENTS =
  'CHANNEL_ANSWER CHANNEL_HANGUP_COMPLETE BACKGROUND_JOB SHUTDOWN_REQUESTED SHUTDOWN CUSTOM sofia::register sofia::unregister sofia::expire';

/**
 * `filter <header> <value>` lines sent before the subscription, so the switch sends only the
 * dialer's own channels (mod_event_socket 1.10.12: with any filter set, an event is sent when one
 * filter matches — values compared ignoring case, `/re/` a regular expression — unless a later
 * `-value` filter matches too). Channel events pass when the leg carries dialer_attempt_id: the
 * agent leg (originate) and loopback-a (the bridge's dial string); mod_loopback copies the dial
 * string's variables to loopback-b, which the negative filter drops (the SIP leg gets only the
 * campaign's exported variables). Every other event subscribed passes by its name.
 */
export const INBOUND_FILTERS: readonly (readonly [string, string])[] = [
  ['Event-Name', 'BACKGROUND_JOB'],
  ['Event-Name', 'SHUTDOWN_REQUESTED'],
  ['Event-Name', 'SHUTDOWN'],
  ['Event-Name', 'CUSTOM'],
  ['variable_dialer_attempt_id', '/^[0-9]+$/'],
  // P3: an agent's nailed-up leg (predictive-legs.ts), whose end the engine must learn
  ['variable_dialer_agent_leg', '/^[0-9]+$/'],
  ['variable_loopback_leg', '-B'],
];

export interface ReconnectOptions {
  /** First reconnect delay, doubled after each failure. @defaultValue 250 (ms) */
  minBackoffMs?: number;
  /** Longest reconnect delay. @defaultValue 10000 (ms) */
  maxBackoffMs?: number;
  /** A connection that stayed up this long resets the backoff. @defaultValue 5000 (ms) */
  stableMs?: number;
  /** First retry after a refused password, doubled up to 5 minutes. @defaultValue 30000 (ms) */
  authRetryMs?: number;
  /** Deadline for TCP connect + auth + subscribe. @defaultValue 5000 (ms) */
  connectTimeoutMs?: number;
  /**
   * While up, `api status` this often (`api fsctl shutdown_check` while a requested shutdown is
   * pending: `false` means it was cancelled); no reply within connectTimeoutMs drops the connection
   * (a half-open TCP connection would otherwise look up for hours). 0 disables. @defaultValue 15000 (ms)
   */
  heartbeatMs?: number;
}

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
  /** Why the switch behind the current connection is going away; null while it is not. */
  #shutdown: { reason: string; cancellable: boolean } | null = null;
  readonly #o: Required<ReconnectOptions>;
  readonly #up = new Set<Listener<[boolean]>>();
  readonly #down = new Set<Listener<[string]>>();
  readonly #event = new Set<Listener<[EslEvent]>>();
  readonly #shutdownListeners = new Set<Listener<[string | null]>>();
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
    this.#o = {
      minBackoffMs: opts.minBackoffMs ?? 250,
      maxBackoffMs: opts.maxBackoffMs ?? 10_000,
      stableMs: opts.stableMs ?? 5_000,
      authRetryMs: opts.authRetryMs ?? 30_000,
      connectTimeoutMs: opts.connectTimeoutMs ?? 5_000,
      heartbeatMs: opts.heartbeatMs ?? 15_000,
    };
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
    this.#shutdownListeners.add(fn);
  }

  /**
   * Why the switch is going away, while it is: no new call may be placed there, though the
   * connection stays up so the calls in progress still report their end.
   */
  get shuttingDown(): string | null {
    return this.#shutdown?.reason ?? null;
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
        if (ev.name === 'SHUTDOWN' || ev.name === 'SHUTDOWN_REQUESTED') this.#shuttingDown(ev);
        this.lastEventAt = microsToDate(ev.headers['Event-Date-Timestamp']) ?? this.lastEventAt;
        for (const fn of this.#event) fn(ev);
      });
      for (const [name, value] of INBOUND_FILTERS) await conn.send(`filter ${name} ${value}`, {}, this.#o.connectTimeoutMs);
      await conn.send(`event plain ${INBOUND_EVENTS}`, {}, this.#o.connectTimeoutMs);
      clearTimeout(deadline);
      if (this.#socket !== socket || this.#isClosed()) return;
      upAt = Date.now();
      this.#conn = conn;
      this.#shutdown = null;
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
      const beat = this.#shutdown?.cancellable
        ? this.api('fsctl shutdown_check', this.#o.connectTimeoutMs).then((body) => {
          if (this.#conn === conn && body.trim() === 'false') this.#shutdownCancelled();
        })
        : this.api('status', this.#o.connectTimeoutMs);
      beat.then(() => {
        if (this.#conn === conn) for (const fn of this.#beat) fn();
      }, (err) => this.log.debug({ err }, 'heartbeat failed'));
    }, this.#o.heartbeatMs);
    this.#heartbeat.unref();
  }

  #shuttingDown(ev: EslEvent): void {
    // SHUTDOWN_REQUESTED: elegant (waits for the calls to end) or ASAP; `fsctl shutdown cancel`
    // sends nothing, so the heartbeat asks. SHUTDOWN: the switch is going now, nothing cancels it.
    const cancellable = ev.name === 'SHUTDOWN_REQUESTED';
    const info = ev.headers['Event-Info'];
    const reason = `FreeSWITCH is shutting down (${ev.name}${info ? `: ${info}` : ''})`;
    const was = this.#shutdown;
    this.#shutdown = { reason, cancellable };
    if (was) return;
    this.log.warn({ event: ev.name, info }, 'FreeSWITCH announced its shutdown; no new calls go there');
    for (const fn of this.#shutdownListeners) fn(reason);
  }

  #shutdownCancelled(): void {
    if (!this.#shutdown?.cancellable) return;
    this.#shutdown = null;
    this.log.warn('FreeSWITCH shutdown cancelled; the node takes calls again');
    for (const fn of this.#shutdownListeners) fn(null);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  #closed(socket: Socket, upAt: number | null, authRefused: string | null, lastError: string | null): void {
    if (this.#socket === socket) {
      this.#socket = null;
      this.#conn = null;
      this.#shutdown = null;
      this.#stopHeartbeat();
    }
    if (this.#isClosed()) return;
    let delay: number;
    let reason: string;
    if (authRefused) {
      this.#authFailures++;
      delay = Math.min(this.#o.authRetryMs * 2 ** (this.#authFailures - 1), 300_000);
      reason = `authentication refused (${authRefused}): check the password of ${this.name} in DIALER_FREESWITCH`;
      this.log.error({ reply: authRefused, retryInMs: delay }, 'FreeSWITCH refused the event socket password');
    } else {
      if (upAt !== null && Date.now() - upAt >= this.#o.stableMs) this.#failures = 0;
      this.#failures++;
      delay = Math.min(this.#o.minBackoffMs * 2 ** (this.#failures - 1), this.#o.maxBackoffMs);
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
