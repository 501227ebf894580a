/*
 * How the subscriber leg ended, decided from what the agent's outbound socket saw (DESIGN §2
 * step 6). Pure: the socket session collects the events, this file reads them.
 *
 * Facts (05a/05b/05c/05d): CHANNEL_BRIDGE on the agent leg carries `Other-Leg-Unique-ID` (the
 * subscriber leg, or loopback-a) and `Caller-Channel-Bridged-Time`; CHANNEL_UNBRIDGE's
 * `Event-Date-Timestamp` is when the talk ended. The bridge's CHANNEL_EXECUTE_COMPLETE holds
 * `last_bridge_hangup_cause` (subscriber cause, also on failure) and `originate_disposition`.
 * The agent leg's own billsec counts from the agent's answer, so it is NOT the subscriber's
 * talk time: bridge → unbridge is. Through loopback (05c) loopback-a answers at the SIP leg's
 * answer time and mod_loopback hands it the SIP leg's cause, so the agent's bridge → unbridge
 * (~20 ms later at both ends) and last_bridge_hangup_cause still give the subscriber's talk time
 * and cause (SIP leg billsec 3 / 3020 ms, loopback-a 3 / 3040 ms). No SIP detail reaches the
 * agent leg that way (no last_bridge_proto_specific_hangup_cause), and none is read here.
 *
 * Every time is FreeSWITCH's own (`Caller-Channel-Bridged-Time`, `Event-Date-Timestamp`,
 * `Caller-Channel-Hangup-Time`, microseconds), never the instant something reached us: when no
 * event tells the end, the call is known to have been up only until the last event of the leg.
 */
import type { ChannelEvent } from './channel-event.js';
import type { SeenHangup } from './hangup-watch.js';

export interface BridgeObservation {
  bridge: ChannelEvent | null;
  unbridge: ChannelEvent | null;
  /** CHANNEL_EXECUTE_COMPLETE of our bridge (matched by Application-UUID). */
  complete: ChannelEvent | null;
  /** Last CHANNEL_HANGUP / CHANNEL_HANGUP_COMPLETE of the agent leg. */
  agentHangup: ChannelEvent | null;
  /** `Event-Date-Timestamp` of the latest event of the agent leg: the call was up until then. */
  lastEventAt: Date | null;
}

export interface MemberOutcome {
  memberUuid: string | null;
  cause: string;
  answeredAt: Date | null;
  endedAt: Date;
  talkSec: number;
  /** False when no event told the end (see MemberLegResult.endKnown). */
  endKnown: boolean;
}

const NOT_A_CAUSE = new Set(['SUCCESS', 'failure', 'FAILURE', '']);

function epochToDate(v: string | undefined): Date | null {
  return v !== undefined && /^\d+$/.test(v) && v !== '0' ? new Date(Number(v) * 1000) : null;
}

/**
 * @param fallbackCause used when FreeSWITCH never told us (socket lost before the bridge ended).
 * @param now the end time only when no event of the leg carries a time at all (then no answer either).
 */
export function memberOutcome(o: BridgeObservation, memberUuidHint: string | null, fallbackCause: string, now: Date): MemberOutcome {
  const vars = o.complete?.variables ?? o.unbridge?.variables ?? o.agentHangup?.variables ?? o.bridge?.variables ?? {};
  const answeredAt = o.bridge?.bridgedAt ?? o.bridge?.at ?? epochToDate(vars['bridge_epoch']);
  const memberUuid = o.bridge?.otherLegUuid ?? vars['bridge_uuid'] ?? vars['last_bridge_to'] ?? memberUuidHint;
  const endKnown = o.unbridge !== null || o.complete !== null || o.agentHangup !== null;
  const endedAt = o.unbridge?.at ?? o.complete?.at ?? o.agentHangup?.hangupAt ?? o.agentHangup?.at
    ?? latest(o.lastEventAt, answeredAt) ?? now;
  const talkSec = talkSecBetween(answeredAt, endedAt);
  const pick = (...xs: (string | undefined)[]) => xs.find((x) => x !== undefined && !NOT_A_CAUSE.has(x));
  const cause = answeredAt
    ? pick(vars['last_bridge_hangup_cause'], vars['bridge_hangup_cause']) ?? 'NORMAL_CLEARING'
    : pick(vars['last_bridge_hangup_cause'], vars['originate_failed_cause'], vars['originate_disposition']) ?? fallbackCause;
  return endKnown
    ? { memberUuid, cause, answeredAt, endedAt, talkSec, endKnown }
    : { memberUuid, cause: 'UNKNOWN', answeredAt, endedAt, talkSec, endKnown };
}

/**
 * The outbound socket was lost mid-bridge and the subscriber leg's CHANNEL_HANGUP_COMPLETE came on
 * the inbound connection (loopback-a, 05c: its Caller-Channel-Bridged-Time is the agent's bridge,
 * its Caller-Channel-Hangup-Time the end).
 */
export function memberOutcomeFromHangup(o: BridgeObservation, h: SeenHangup): MemberOutcome {
  const answeredAt = o.bridge?.bridgedAt ?? h.bridgedAt ?? h.answeredAt;
  const endedAt = h.hangupAt ?? h.at ?? latest(o.lastEventAt, answeredAt) ?? new Date();
  return { memberUuid: h.uuid, cause: h.cause ?? 'UNKNOWN', answeredAt, endedAt, talkSec: talkSecBetween(answeredAt, endedAt), endKnown: true };
}

function talkSecBetween(answeredAt: Date | null, endedAt: Date): number {
  return answeredAt ? Math.max(0, Math.floor((endedAt.getTime() - answeredAt.getTime()) / 1000)) : 0;
}

function latest(a: Date | null, b: Date | null): Date | null {
  return a && b ? (a > b ? a : b) : a ?? b;
}

/**
 * S4: an adopted call (its bridge began before this process knew of it): answered at the bridge
 * read from FreeSWITCH (`uuid_dump`), ended at the member leg's CHANNEL_HANGUP_COMPLETE; without
 * one, the end is unknown and the call was up at least until `lastUpAt`.
 */
export function adoptedOutcome(memberUuid: string, answeredAt: Date, h: SeenHangup | null, lastUpAt: Date | null): MemberOutcome {
  if (h) {
    const endedAt = h.hangupAt ?? h.at ?? latest(lastUpAt, answeredAt)!;
    return { memberUuid, cause: h.cause ?? 'UNKNOWN', answeredAt, endedAt, talkSec: talkSecBetween(answeredAt, endedAt), endKnown: true };
  }
  const endedAt = latest(lastUpAt, answeredAt)!;
  return { memberUuid, cause: 'UNKNOWN', answeredAt, endedAt, talkSec: talkSecBetween(answeredAt, endedAt), endKnown: false };
}
