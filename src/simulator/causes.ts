// How a scripted phone's refusal shows up on the wire (reference README "SIP final response →
// cause" table, recorded with SIPp against FreeSWITCH 1.10.12).
export interface Refusal {
  cause: string;
  q850: number;
  /** SIP final response; null for the ring-out timeout, where FreeSWITCH sends CANCEL (487). */
  sip: number | null;
  /** CHANNEL_PROGRESS (180) precedes the refusal */
  ringing: boolean;
}

export type RefusalKind = 'busy' | 'reject' | 'no-answer' | 'unavailable' | 'not-found' | 'failure' | 'unreachable';

const REFUSALS: Record<RefusalKind, Refusal> = {
  busy: { cause: 'USER_BUSY', q850: 17, sip: 486, ringing: true },
  reject: { cause: 'CALL_REJECTED', q850: 21, sip: 603, ringing: true },
  'no-answer': { cause: 'NO_ANSWER', q850: 19, sip: null, ringing: true },
  unavailable: { cause: 'NO_USER_RESPONSE', q850: 18, sip: 480, ringing: true },
  'not-found': { cause: 'UNALLOCATED_NUMBER', q850: 1, sip: 404, ringing: true },
  failure: { cause: 'NORMAL_TEMPORARY_FAILURE', q850: 41, sip: 503, ringing: true },
  // 04g: registered, but nothing answers at the contact (ICMP unreachable): no 180, sofia's 503
  unreachable: { cause: 'NORMAL_TEMPORARY_FAILURE', q850: 41, sip: 503, ringing: false },
};

export function refusal(kind: RefusalKind): Refusal {
  return REFUSALS[kind];
}

const Q850: Record<string, number> = {
  NORMAL_CLEARING: 16, ORIGINATOR_CANCEL: 487, MANAGER_REQUEST: 0, USER_BUSY: 17, CALL_REJECTED: 21,
  NO_ANSWER: 19, NO_USER_RESPONSE: 18, UNALLOCATED_NUMBER: 1, NORMAL_TEMPORARY_FAILURE: 41,
  LOSE_RACE: 502, SUBSCRIBER_ABSENT: 20, USER_NOT_REGISTERED: 606, NORMAL_UNSPECIFIED: 31,
};

export function q850Of(cause: string): number {
  return Q850[cause] ?? 31;
}

/** mod_dptools DIALSTATUS for a bridge outcome (05a: SUCCESS, 05b: BUSY). */
export function dialStatus(cause: string | null): string {
  if (cause === null) return 'SUCCESS';
  if (cause === 'USER_BUSY') return 'BUSY';
  if (cause === 'NO_ANSWER' || cause === 'NO_USER_RESPONSE') return 'NOANSWER';
  if (cause === 'ORIGINATOR_CANCEL') return 'CANCEL';
  return 'CHANUNAVAIL';
}
