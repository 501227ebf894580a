/*
 * Which agent phones are registered on which FreeSWITCH (A2, F3): sofia::register / unregister
 * / expire events, and a full resync on every (re)connect with `sofia status profile <p> reg`
 * because events of the disconnected gap are not replayed.
 */
import type { Logger } from 'pino';
import type { TelephonyEvent } from '../../app/ports/telephony.js';
import type { EslEvent } from './event-parser.js';
import type { NodeConnection } from './node-connection.js';
import { parseRegistrationEvent, parseSofiaStatusReg } from './registration-parser.js';

export class Registrations {
  /** node → sipUser → contact */
  readonly #byNode = new Map<string, Map<string, string>>();
  /** Delivery in arrival order: a register followed by an unregister must not be applied reversed. */
  #chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly profile: string,
    private readonly emit: (ev: TelephonyEvent) => Promise<void>,
    private readonly log: Logger,
    private readonly apiTimeoutMs = 5_000,
  ) {}

  /** Nodes where the user is registered now (as far as events and resyncs told us). */
  nodesOf(sipUser: string): string[] {
    return [...this.#byNode].filter(([, users]) => users.has(sipUser)).map(([node]) => node);
  }

  onEvent(node: string, ev: EslEvent): void {
    const change = parseRegistrationEvent(ev);
    if (!change) return;
    if (change.profile !== null && change.profile !== this.profile) return;
    const users = this.#users(node);
    if (change.registered) users.set(change.sipUser, change.contact ?? '');
    else users.delete(change.sipUser);
    this.#deliver({ kind: 'registration', node, sipUser: change.sipUser, registered: change.registered, contact: change.contact });
  }

  /**
   * Full resync; false when the list could not be read (a timed-out query drops the connection
   * in NodeConnection, so the next connect retries it).
   */
  async resync(conn: NodeConnection): Promise<boolean> {
    let body: string;
    try {
      body = await conn.api(`sofia status profile ${this.profile} reg`, this.apiTimeoutMs);
    } catch (err) {
      this.log.warn({ err, node: conn.name }, 'registration resync failed');
      return false;
    }
    if (/^-ERR|Invalid Profile/i.test(body.trim())) {
      this.log.error({ node: conn.name, profile: this.profile, reply: body.trim().slice(0, 200) }, 'sofia profile unknown; check DIALER_SOFIA_PROFILE');
    }
    const rows = parseSofiaStatusReg(body);
    const users = new Map(rows.map((r) => [r.sipUser, r.contact] as const));
    this.#byNode.set(conn.name, users);
    await this.#deliver({ kind: 'registrations-sync', node: conn.name, sipUsers: rows.map((r) => ({ sipUser: r.sipUser, contact: r.contact })) });
    return true;
  }

  #deliver(ev: TelephonyEvent): Promise<void> {
    this.#chain = this.#chain.then(() => this.emit(ev));
    return this.#chain;
  }

  #users(node: string): Map<string, string> {
    let m = this.#byNode.get(node);
    if (!m) this.#byNode.set(node, (m = new Map()));
    return m;
  }
}
