/*
 * A switch announcing that it is going away (F2, F3): SHUTDOWN_REQUESTED (`fsctl shutdown
 * elegant|asap`, 07b) or SHUTDOWN (`fsctl shutdown [restart]`, fs_cli `shutdown`, 07a) on the
 * inbound connection. While announced no new call may be placed there, though the connection stays
 * up so the calls in progress still report their end. `fsctl shutdown cancel` sends nothing, so
 * the heartbeat asks (`fsctl shutdown_check`) while an elegant one is pending.
 */
import type { Logger } from 'pino';
import type { EslEvent } from './event-parser.js';

export class NodeShutdown {
  /** Why the switch behind the current connection is going away; null while it is not. */
  #state: { reason: string; cancellable: boolean } | null = null;
  readonly #listeners = new Set<(reason: string | null) => void>();

  constructor(private readonly log: Logger) {}

  /** The switch announced its shutdown (the reason), or an elegant one was cancelled (null). */
  onChange(fn: (reason: string | null) => void): void {
    this.#listeners.add(fn);
  }

  get reason(): string | null {
    return this.#state?.reason ?? null;
  }

  /** An elegant shutdown is pending: only `fsctl shutdown_check` tells when it is cancelled. */
  get cancellable(): boolean {
    return this.#state?.cancellable ?? false;
  }

  /** A new connection: what the previous one was told does not carry over. */
  clear(): void {
    this.#state = null;
  }

  /** Reads SHUTDOWN / SHUTDOWN_REQUESTED; other events are ignored. */
  onEvent(ev: EslEvent): void {
    if (ev.name !== 'SHUTDOWN' && ev.name !== 'SHUTDOWN_REQUESTED') return;
    // SHUTDOWN_REQUESTED: elegant (waits for the calls to end) or ASAP; SHUTDOWN: the switch is
    // going now, nothing cancels it.
    const cancellable = ev.name === 'SHUTDOWN_REQUESTED';
    const info = ev.headers['Event-Info'];
    const reason = `FreeSWITCH is shutting down (${ev.name}${info ? `: ${info}` : ''})`;
    const was = this.#state;
    this.#state = { reason, cancellable };
    if (was) return;
    this.log.warn({ event: ev.name, info }, 'FreeSWITCH announced its shutdown; no new calls go there');
    for (const fn of this.#listeners) fn(reason);
  }

  /** `fsctl shutdown_check` answered `false`: a pending elegant shutdown was cancelled. */
  cancelled(): void {
    if (!this.#state?.cancellable) return;
    this.#state = null;
    this.log.warn('FreeSWITCH shutdown cancelled; the node takes calls again');
    for (const fn of this.#listeners) fn(null);
  }
}
