/*
 * P3, P5, DESIGN §8 (transcript 09, freeswitch-conf/dialplan/dialer-predictive.xml): the legs of
 * predictive campaigns, driven over the inbound connection only.
 *
 * - The agent's nailed-up leg: `originate {…,park_after_bridge=true,dialer_agent_leg=<id>}user/<agent> &park()`.
 *   It stays parked between calls; a subscriber is bridged to it with `uuid_bridge` (40–80 ms
 *   from the answer on the real switch, 09) instead of ringing a phone per call.
 * - The subscriber leg: `originate {…}loopback/<number>/<route> dialer_predictive XML dialer-predictive`.
 *   At the answer the switch runs that extension: the fail-safe (a scheduled transfer into
 *   dialer-abandon, 0.4–1.9 s later) is armed and the leg parks. Nothing here has to stay
 *   connected for the message to start within 2 s (09 D): an outbound socket would not do, its
 *   close hangs the channel up (06 B).
 * - Connecting: `sched_del <uuid>` answers `+OK Deleted: 1` while the fail-safe has not fired, so
 *   the bridge never races the message. The extension may not have armed it yet when the answer
 *   reaches us (not seen on 1.10.12, where it always had): `last_sched_id` tells armed from not
 *   yet, and a second `sched_del` tells cancelled from fired.
 */
import type { Logger } from 'pino';
import type { ConnectResult, MemberLegRequest, NailedLegRequest, PredictiveEnd, TelephonyEvent } from '../../app/ports/telephony.js';
import { bracketBlock, checkVariable, sanitizeValue, splitVariables } from './channel-vars.js';
import { type EslEvent } from './event-parser.js';
import { microsToDate } from './channel-event.js';
import type { NodeConnection } from './node-connection.js';
import type { OriginateCommand } from './originate.js';
import { deleteCommand, listCommand, recordEnd, recordKeys, selectCommand } from './predictive-record.js';

export const PREDICTIVE_EXTENSION = 'dialer_predictive';
export const PREDICTIVE_CONTEXT = 'dialer-predictive';
export const ABANDON_EXTENSION = 'dialer_abandon';
export const ABANDON_CONTEXT = 'dialer-abandon';
/** Channel variable naming an agent's nailed-up leg (the inbound filters let its events through). */
export const NAILED_LEG_VAR = 'dialer_agent_leg';

/**
 * P5: the switch ends an originate between T−1 and T seconds after it starts (whole seconds, 09
 * and 04e), and the subscriber's phone starts ringing only once the network has routed the call;
 * this much is added to the campaign's minimum ring time.
 */
export const RING_MARGIN_SEC = 5;

const UUID = /^[0-9a-fA-F-]{36}$/;
const NUMBER = /^\+?[0-9*#]{1,40}$/;
const SIP_USER = /^[A-Za-z0-9_.+-]+@[A-Za-z0-9_.:[\]-]+$/;
const OWN = new Set(['origination_uuid', 'originate_timeout', 'ignore_early_media', 'dialer_attempt_id', 'dialer_abandon_message',
  'dialer_optout_key', 'hangup_after_bridge', 'loopback_bowout', 'park_after_bridge', NAILED_LEG_VAR]);

const callerId = (n: string, name: string): [string, string][] => [
  ['origination_caller_id_number', sanitizeValue(n).trim() || '0000000000'],
  ['origination_caller_id_name', sanitizeValue(name).trim() || 'Dialer'],
];

/** The nailed-up agent leg's originate (after `bgapi `). Pure. */
export function nailedLegCommand(req: NailedLegRequest): OriginateCommand {
  if (!SIP_USER.test(req.sipUser)) return { kind: 'invalid', reason: `sip user ${JSON.stringify(req.sipUser)} is not ext@domain` };
  if (!UUID.test(req.legUuid)) return { kind: 'invalid', reason: 'leg uuid is not a uuid' };
  const vars: [string, string][] = [
    ['origination_uuid', req.legUuid],
    ['originate_timeout', String(Math.max(1, Math.round(req.ringSec)))],
    ['ignore_early_media', 'true'],
    // back to park when the subscriber hangs up, ready for the next call (09)
    ['park_after_bridge', 'true'],
    [NAILED_LEG_VAR, String(req.agentId)],
    ...callerId(req.callerIdNumber, req.callerIdName),
  ];
  return { kind: 'ok', command: `originate ${bracketBlock(vars)}user/${req.sipUser} &park()`, dropped: [] };
}

/** The predictive subscriber leg's originate (after `bgapi `). Pure. */
export function memberLegCommand(req: MemberLegRequest, routeContext: string): OriginateCommand {
  if (!NUMBER.test(req.number)) return { kind: 'invalid', reason: `number ${JSON.stringify(req.number)} is not dialable` };
  if (!UUID.test(req.legUuid)) return { kind: 'invalid', reason: 'leg uuid is not a uuid' };
  const message = checkVariable('dialer_abandon_message', req.abandonMessage);
  if (message.kind === 'rejected') return { kind: 'invalid', reason: `information message: ${message.reason}` };
  if (req.optOutKey !== null && !/^[0-9*#]$/.test(req.optOutKey)) return { kind: 'invalid', reason: 'opt-out key is not one of 0-9 * #' };
  const own: [string, string][] = [
    ['origination_uuid', req.legUuid],
    ['originate_timeout', String(Math.max(1, Math.ceil(req.minRingSec)) + RING_MARGIN_SEC)],
    ['ignore_early_media', 'true'],
    ['dialer_attempt_id', String(req.attemptId)],
    ['dialer_abandon_message', req.abandonMessage],
    ...(req.optOutKey !== null ? [['dialer_optout_key', req.optOutKey] as [string, string]] : []),
    // the subscriber's leg ends when the agent's does; the agent's own leg is parked again
    ['hangup_after_bridge', 'true'],
    // keeps loopback-a, the leg this uuid names, for the whole call (see agent-call.ts)
    ['loopback_bowout', 'false'],
    ...callerId(req.callerIdNumber, req.callerIdName),
  ];
  const extra = Object.fromEntries(Object.entries(req.variables).filter(([k]) => !OWN.has(k) && !k.startsWith('origination_caller_id_')));
  const { accepted, rejected } = splitVariables(extra);
  const command = `originate ${bracketBlock([...own, ...accepted])}loopback/${req.number}/${routeContext} ${PREDICTIVE_EXTENSION} XML ${PREDICTIVE_CONTEXT}`;
  return { kind: 'ok', command, dropped: rejected };
}

/** P3: what a predictive subscriber leg's CHANNEL_HANGUP_COMPLETE says. Pure. */
export function predictiveEndOf(ev: EslEvent, attemptId: number): PredictiveEnd {
  const h = ev.headers;
  const at = (name: string) => {
    const v = h[name];
    return v && v !== '0' ? microsToDate(v) : null;
  };
  const endedAt = at('Caller-Channel-Hangup-Time') ?? at('variable_end_uepoch') ?? at('Event-Date-Timestamp') ?? new Date();
  const bridgedAt = at('variable_bridge_uepoch');
  const digit = h['variable_dialer_optout_digit'];
  return {
    attemptId,
    memberUuid: h['Unique-ID'] ?? '',
    cause: h['Hangup-Cause'] ?? 'NORMAL_CLEARING',
    answeredAt: at('variable_answer_uepoch') ?? at('Caller-Channel-Answered-Time'),
    bridgedAt,
    messageAt: at('variable_dialer_message_uepoch'),
    optOutDigit: digit && /^[0-9*#]$/.test(digit) ? digit : null,
    endedAt,
    talkSec: bridgedAt ? Math.max(0, Math.floor((endedAt.getTime() - bridgedAt.getTime()) / 1000)) : 0,
    endKnown: true,
  };
}

export interface PredictiveLegsOptions {
  /** How long a subscriber leg may go without its fail-safe armed before it is left to the switch. @defaultValue 400 (ms) */
  armWaitMs?: number;
  /** Deadline of each api command. @defaultValue 2000 (ms) */
  apiTimeoutMs?: number;
}

type Cancel = 'cancelled' | 'fired' | 'gone' | 'unknown';

/** Follows the legs of predictive calls on the inbound connections and acts on them. */
export class PredictiveLegs {
  /** subscriber legs by uuid → attempt, node */
  readonly #members = new Map<string, { attemptId: number; node: string; answered: boolean }>();
  /** nailed-up legs by uuid → agent, node */
  readonly #nailed = new Map<string, { agentId: number; node: string }>();
  readonly #armWaitMs: number;
  readonly #apiMs: number;

  constructor(
    private readonly connection: (node: string) => NodeConnection | undefined,
    private readonly emit: (ev: TelephonyEvent) => Promise<void>,
    private readonly log: Logger,
    o: PredictiveLegsOptions = {},
  ) {
    this.#armWaitMs = o.armWaitMs ?? 400;
    this.#apiMs = o.apiTimeoutMs ?? 2_000;
  }

  trackMember(legUuid: string, attemptId: number, node: string): void {
    this.#members.set(legUuid, { attemptId, node, answered: false });
  }

  trackNailed(legUuid: string, agentId: number, node: string): void {
    this.#nailed.set(legUuid, { agentId, node });
  }

  onEvent(node: string, ev: EslEvent): void {
    const uuid = ev.headers['Unique-ID'];
    if (!uuid) return;
    const m = this.#members.get(uuid);
    if (m && ev.name === 'CHANNEL_ANSWER' && !m.answered) {
      m.answered = true;
      const at = microsToDate(ev.headers['Caller-Channel-Answered-Time']) ?? new Date();
      void this.emit({ kind: 'member-leg-answered', attemptId: m.attemptId, memberUuid: uuid, node, at });
    }
    if (ev.name !== 'CHANNEL_HANGUP_COMPLETE') return;
    if (m) {
      this.#members.delete(uuid);
      void this.emit({ kind: 'member-leg-ended', node, end: predictiveEndOf(ev, m.attemptId) });
    }
    const n = this.#nailed.get(uuid);
    if (n) {
      this.#nailed.delete(uuid);
      const at = microsToDate(ev.headers['Caller-Channel-Hangup-Time']) ?? new Date();
      void this.emit({ kind: 'nailed-leg-gone', agentId: n.agentId, legUuid: uuid, node: n.node, cause: ev.headers['Hangup-Cause'] ?? 'NORMAL_CLEARING', at });
    }
  }

  /**
   * After a reconnect: legs whose end fell in the gap are reported from the switch's record of
   * them (predictive-record.ts), or as ended, end unknown, when there is none.
   */
  async afterReconnect(node: string, exists: (uuid: string) => Promise<boolean | 'unknown'>): Promise<void> {
    const now = new Date();
    for (const [uuid, m] of [...this.#members]) {
      if (m.node !== node || (await exists(uuid)) !== false) continue;
      const kept = await this.record(node, uuid);
      if (!this.#members.delete(uuid)) continue;
      await this.emit({ kind: 'member-leg-ended', node, end: kept !== null && kept !== 'unknown' && kept.attemptId === m.attemptId ? kept : {
        attemptId: m.attemptId, memberUuid: uuid, cause: 'UNKNOWN', answeredAt: null, bridgedAt: null, messageAt: null,
        optOutDigit: null, endedAt: now, talkSec: 0, endKnown: false,
      } });
    }
    for (const [uuid, n] of [...this.#nailed]) {
      if (n.node !== node || (await exists(uuid)) !== false || !this.#nailed.delete(uuid)) continue;
      await this.emit({ kind: 'nailed-leg-gone', agentId: n.agentId, legUuid: uuid, node, cause: 'UNKNOWN', at: now });
    }
  }

  /** The switch's record of an ended subscriber leg; null: none (never answered, or already settled and deleted). */
  async record(node: string, memberUuid: string): Promise<PredictiveEnd | null | 'unknown'> {
    const conn = this.#up(node);
    const reply = conn && (await this.#api(conn, selectCommand(memberUuid)));
    if (!reply) return 'unknown';
    return recordEnd(memberUuid, reply);
  }

  /**
   * The records on the node (one list of mod_db's, at most ~110): `more` when the list was cut
   * there, so another look after these are deleted finds the rest. Legs followed here now are
   * left out: their own hang-up event settles them.
   */
  async records(node: string): Promise<{ ends: PredictiveEnd[]; more: boolean } | 'unknown'> {
    const conn = this.#up(node);
    const reply = conn && (await this.#api(conn, listCommand()));
    if (!conn || !reply) return 'unknown';
    const { uuids, cut } = recordKeys(reply);
    const ends: PredictiveEnd[] = [];
    for (const uuid of uuids) {
      if (this.#members.has(uuid)) continue;
      const one = await this.#api(conn, selectCommand(uuid));
      const end = one === null ? null : recordEnd(uuid, one);
      if (end) ends.push(end);
      // not ours (malformed) or gone meanwhile: deleted so it is not listed again
      else if (one !== null) await this.#api(conn, deleteCommand(uuid));
    }
    return { ends, more: cut };
  }

  /** `module_exists <name>` on the node (mod_commands: `true` or `false`). */
  async moduleLoaded(node: string, module: string): Promise<boolean | 'unknown'> {
    const conn = this.#up(node);
    const reply = conn && /^mod_[a-z0-9_]+$/.test(module) ? await this.#api(conn, `module_exists ${module}`) : null;
    const word = reply?.trim();
    return word === 'true' ? true : word === 'false' ? false : 'unknown';
  }

  /** The record is settled: deleted from the switch (S3: settling it again would change nothing). */
  async forget(node: string, memberUuid: string): Promise<boolean> {
    const conn = this.#up(node);
    const reply = conn && (await this.#api(conn, deleteCommand(memberUuid)));
    return reply?.startsWith('+OK') ?? false;
  }

  async connect(node: string, memberUuid: string, agentLegUuid: string): Promise<ConnectResult> {
    const conn = this.#up(node);
    if (!conn) return 'unknown';
    const cancel = await this.#cancelFailsafe(conn, memberUuid);
    if (cancel === 'fired') return 'too-late';
    if (cancel !== 'cancelled') return cancel;
    const reply = await this.#api(conn, `uuid_bridge ${memberUuid} ${agentLegUuid}`);
    if (reply?.startsWith('+OK')) return 'bridged';
    // Not bridged and no fail-safe any more: the subscriber gets the message now.
    this.log.warn({ memberUuid, agentLegUuid, reply }, 'uuid_bridge refused; playing the information message');
    return (await this.#transfer(conn, memberUuid)) ? 'abandoned' : 'gone';
  }

  async abandon(node: string, memberUuid: string): Promise<ConnectResult> {
    const conn = this.#up(node);
    if (!conn) return 'unknown';
    const cancel = await this.#cancelFailsafe(conn, memberUuid);
    if (cancel === 'fired') return 'too-late';
    if (cancel !== 'cancelled') return cancel;
    return (await this.#transfer(conn, memberUuid)) ? 'abandoned' : 'gone';
  }

  async #cancelFailsafe(conn: NodeConnection, uuid: string): Promise<Cancel> {
    const deadline = Date.now() + this.#armWaitMs;
    for (;;) {
      const first = await this.#deleted(conn, uuid);
      if (first === null) return 'unknown';
      if (first > 0) return 'cancelled';
      const armed = await this.#api(conn, `uuid_getvar ${uuid} last_sched_id`);
      if (armed === null) return 'unknown';
      if (armed.startsWith('-ERR')) return 'gone';
      if (armed.trim() !== '_undef_') {
        // armed by now: a second look tells whether it was armed just after the first one or has fired
        const second = await this.#deleted(conn, uuid);
        return second === null ? 'unknown' : second > 0 ? 'cancelled' : 'fired';
      }
      if (Date.now() >= deadline) {
        this.log.error({ uuid }, 'the subscriber leg never armed its fail-safe: is dialer-predictive.xml installed?');
        return 'unknown';
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async #deleted(conn: NodeConnection, uuid: string): Promise<number | null> {
    const reply = await this.#api(conn, `sched_del ${uuid}`);
    const m = reply ? /Deleted: (\d+)/.exec(reply) : null;
    return m ? Number(m[1]) : null;
  }

  async #transfer(conn: NodeConnection, uuid: string): Promise<boolean> {
    const reply = await this.#api(conn, `uuid_transfer ${uuid} ${ABANDON_EXTENSION} XML ${ABANDON_CONTEXT}`);
    return reply?.startsWith('+OK') ?? false;
  }

  async #api(conn: NodeConnection, cmd: string): Promise<string | null> {
    try {
      return await conn.api(cmd, this.#apiMs);
    } catch (err) {
      this.log.warn({ err, cmd }, 'api command failed');
      return null;
    }
  }

  #up(node: string): NodeConnection | null {
    const conn = this.connection(node);
    return conn?.isUp ? conn : null;
  }
}
