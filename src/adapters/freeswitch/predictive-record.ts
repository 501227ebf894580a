/*
 * P3, P5, P6, S3: the switch's own record of how an answered predictive subscriber leg ended.
 *
 * The dialer-predictive extension (freeswitch-conf/dialplan/dialer-predictive.xml) sets, at the
 * answer, `api_hangup_hook=db insert/dialer_predictive/<uuid>/<record>`: when the leg hangs up the
 * switch runs it (switch_core_session_hangup_state, after the hangup timestamps are set and before
 * CHANNEL_HANGUP_COMPLETE), and mod_db keeps the record in the switch's core database (sqlite
 * `call_limit`, table db_data), which outlives any dialer process and a switch restart. So an
 * abandoned call whose leg ended while no dialer ran, and an opt-out key pressed then, are still
 * known: the dialer reads the record when it takes the attempt over, settles it, and deletes it.
 *
 * mod_db 1.10.12 (mod_db.c, db_api_function): `db select/<realm>/<key>` answers the value (at most
 * 255 characters), `db list/<realm>` the keys joined by ',' (at most 4095 characters, cut there),
 * `db delete/<realm>/<key>` `+OK`. An empty answer reaches the event socket as `-ERR no reply`
 * (mod_event_socket.c, api_exec).
 */
import type { PredictiveEnd } from '../../app/ports/telephony.js';
import { microsToDate } from './channel-event.js';

export const RECORD_REALM = 'dialer_predictive';

/** mod_db's list buffer (char buf[4096]): a longer list is cut, its last key possibly mid-way. */
const LIST_LIMIT = 4095;
const UUID = /^[0-9a-fA-F-]{36}$/;

export const selectCommand = (uuid: string): string => `db select/${RECORD_REALM}/${uuid}`;
export const deleteCommand = (uuid: string): string => `db delete/${RECORD_REALM}/${uuid}`;
export const listCommand = (): string => `db list/${RECORD_REALM}`;

/**
 * The record written by the hook:
 * `<attempt>|<answer_uepoch>|<bridge_uepoch>|<dialer_message_uepoch>|<dialer_optout_digit>|<end_uepoch>|<hangup_cause>`
 * (an unset variable expands to nothing, a time never reached to 0). Null when the reply is no
 * record of ours (`-ERR no reply`: there is none). Pure.
 */
export function recordEnd(memberUuid: string, reply: string): PredictiveEnd | null {
  const f = reply.trim().split('|');
  if (f.length !== 7 || !/^\d+$/.test(f[0]!)) return null;
  const [attempt, answer, bridge, message, digit, end, cause] = f as [string, string, string, string, string, string, string];
  const answeredAt = microsToDate(answer);
  const endedAt = microsToDate(end);
  if (!answeredAt || !endedAt) return null;
  const bridgedAt = microsToDate(bridge);
  return {
    attemptId: Number(attempt),
    memberUuid,
    cause: /^[A-Z_]+$/.test(cause) ? cause : 'NORMAL_CLEARING',
    answeredAt,
    bridgedAt,
    messageAt: microsToDate(message),
    optOutDigit: /^[0-9*#]$/.test(digit) ? digit : null,
    endedAt,
    talkSec: bridgedAt ? Math.max(0, Math.floor((endedAt.getTime() - bridgedAt.getTime()) / 1000)) : 0,
    endKnown: true,
  };
}

/**
 * The keys of `db list/<realm>`: subscriber leg uuids. `cut`: the list reached mod_db's limit, so
 * more may follow once these are deleted (its last, possibly partial, key is left out). Pure.
 */
export function recordKeys(reply: string): { uuids: string[]; cut: boolean } {
  const text = reply.startsWith('-ERR') ? '' : reply.trim();
  const cut = reply.length >= LIST_LIMIT - 1;
  const keys = text === '' ? [] : text.split(',');
  if (cut) keys.pop();
  return { uuids: keys.filter((k) => UUID.test(k)), cut };
}
