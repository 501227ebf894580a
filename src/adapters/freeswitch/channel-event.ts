/*
 * The facts of a channel the dialer reads from FreeSWITCH's events and from the outbound
 * `connect` reply (DESIGN §4): typed values over the lazily read headers of event-parser.ts.
 */
import { variablesOf, type EslEvent, type Headers } from './event-parser.js';

/** FreeSWITCH microsecond timestamps (`*-Time`, `Event-Date-Timestamp`); 0 or absent → null. */
export function microsToDate(v: string | undefined): Date | null {
  if (v === undefined || !/^\d+$/.test(v) || v === '0') return null;
  return new Date(Math.floor(Number(v) / 1000));
}

function intOrNull(v: string | undefined): number | null {
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : null;
}

/** The facts of a channel event the dialer uses. */
export interface ChannelEvent {
  name: string;
  uuid: string;
  otherLegUuid: string | null;
  /** `Hangup-Cause` (present on HANGUP / HANGUP_COMPLETE and later events of a dead channel). */
  cause: string | null;
  answerState: string | null;
  at: Date | null;
  answeredAt: Date | null;
  bridgedAt: Date | null;
  hangupAt: Date | null;
  /** `variable_billsec`: this leg's talk seconds, from its own answer. */
  billsec: number | null;
  application: string | null;
  applicationUuid: string | null;
  /** `variable_*` headers without the prefix (read on demand). */
  variables: Headers;
}

export function parseChannelEvent(ev: EslEvent): ChannelEvent | null {
  const uuid = ev.name.startsWith('CHANNEL_') ? ev.headers['Unique-ID'] : undefined;
  return uuid ? new LazyChannelEvent(ev, uuid) : null;
}

/**
 * A ChannelEvent whose facts are read from the headers when asked for: a session reads three or
 * four of them from most events (name, uuid, time), and each header's first read is a search of
 * the event's text (lazyHeaders keeps what it found).
 */
class LazyChannelEvent implements ChannelEvent {
  readonly name: string;
  readonly #h: Headers;
  #variables?: Headers;

  constructor(ev: EslEvent, readonly uuid: string) {
    this.name = ev.name;
    this.#h = ev.headers;
  }

  get otherLegUuid(): string | null { return this.#h['Other-Leg-Unique-ID'] ?? null; }
  get cause(): string | null { return this.#h['Hangup-Cause'] ?? null; }
  get answerState(): string | null { return this.#h['Answer-State'] ?? null; }
  get at(): Date | null { return microsToDate(this.#h['Event-Date-Timestamp']); }
  get answeredAt(): Date | null { return microsToDate(this.#h['Caller-Channel-Answered-Time']); }
  get bridgedAt(): Date | null { return microsToDate(this.#h['Caller-Channel-Bridged-Time']); }
  get hangupAt(): Date | null { return microsToDate(this.#h['Caller-Channel-Hangup-Time']); }
  get billsec(): number | null { return intOrNull(this.#h['variable_billsec']); }
  get application(): string | null { return this.#h['Application'] ?? null; }
  get applicationUuid(): string | null { return this.#h['Application-UUID'] ?? null; }
  get variables(): Headers { return (this.#variables ??= variablesOf(this.#h)); }
}

/** What the outbound `connect` reply (CHANNEL_DATA) says about the channel. */
export interface ChannelData {
  uuid: string;
  /** `Core-UUID` of the FreeSWITCH that runs the channel (tells nodes apart, F3). */
  coreUuid: string | null;
  answerState: string | null;
  destinationNumber: string | null;
  /** `variable_dialer_attempt_id` set by our originate; null for calls the dialer did not place. */
  attemptId: number | null;
  /** SIP user of the calling phone (`ext@domain`) for calls a phone placed (service codes, A5). */
  callerSipUser: string | null;
  variables: Headers;
}

/**
 * `headers` are the decoded CHANNEL_DATA headers. The caller's SIP user is read from, in order:
 * `dialer_sip_user` (exported by our dialplan), `user_name`@`domain_name` (set when the phone
 * authenticated), `sip_from_user`@`sip_from_host`.
 */
export function parseChannelData(headers: Headers): ChannelData | null {
  const uuid = headers['Unique-ID'] ?? headers['Channel-Unique-ID'];
  if (!uuid) return null;
  // Read by name, not listed: the outbound `connect` reply's headers are looked up when read (~200).
  const variables = variablesOf(headers);
  const rawAttempt = variables['dialer_attempt_id'];
  const attemptId = rawAttempt !== undefined && /^\d+$/.test(rawAttempt) ? Number(rawAttempt) : null;
  const pair = (u: string | undefined, d: string | undefined) => (u && d ? `${u}@${d}` : null);
  // The dialplan builds dialer_sip_user from ${user_name}@${domain_name}: "@domain" (or "user@")
  // when the caller did not authenticate, which must not name anybody.
  const exported = /^[^@]+@[^@]+$/.test(variables['dialer_sip_user'] ?? '') ? variables['dialer_sip_user']! : null;
  const callerSipUser =
    exported ??
    pair(variables['user_name'], variables['domain_name']) ??
    pair(variables['sip_from_user'], variables['sip_from_host']);
  return {
    uuid,
    coreUuid: headers['Core-UUID'] ?? null,
    answerState: headers['Answer-State'] ?? null,
    destinationNumber: headers['Caller-Destination-Number'] ?? headers['Channel-Destination-Number'] ?? null,
    attemptId,
    callerSipUser,
    variables,
  };
}
