/*
 * C9: what a subscriber-leg hangup cause means for the member.
 *   error — end the member now, result = the cause
 *   retry — counts as an attempt, try again after the retry wait
 *   ok    — success, end the member
 *   minus — does not count as an attempt, try again after the retry wait
 * An answered call is judged by its talk time first (C6/C7); the table decides
 * for calls the subscriber never answered.
 */
export const CAUSE_CLASSES = ['error', 'retry', 'ok', 'minus'] as const;
export type CauseClass = (typeof CAUSE_CLASSES)[number];
export type CauseOverrides = Readonly<Record<string, CauseClass>>;

/** The default table, documented in the README. Every entry can be remapped per campaign. */
export const DEFAULT_CAUSES: Readonly<Record<string, CauseClass>> = {
  // The number cannot be reached at all: dialling it again is pointless.
  UNALLOCATED_NUMBER: 'error',
  NO_ROUTE_DESTINATION: 'error',
  NUMBER_CHANGED: 'error',
  INVALID_NUMBER_FORMAT: 'error',
  INCOMPATIBLE_DESTINATION: 'error',
  OUTGOING_CALL_BARRED: 'error',
  INCOMING_CALL_BARRED: 'error',
  BEARERCAPABILITY_NOTAUTH: 'error',
  // The subscriber did not take the call this time.
  NO_ANSWER: 'retry',
  NO_USER_RESPONSE: 'retry',
  USER_BUSY: 'retry',
  CALL_REJECTED: 'retry',
  SUBSCRIBER_ABSENT: 'retry',
  NORMAL_CLEARING: 'retry',
  NORMAL_UNSPECIFIED: 'retry',
  ALLOTTED_TIMEOUT: 'retry',
  RECOVERY_ON_TIMER_EXPIRE: 'retry',
  MEDIA_TIMEOUT: 'retry',
  // Our side or the network failed: not the subscriber's fault, not an attempt.
  NORMAL_TEMPORARY_FAILURE: 'minus',
  NORMAL_CIRCUIT_CONGESTION: 'minus',
  SWITCH_CONGESTION: 'minus',
  NETWORK_OUT_OF_ORDER: 'minus',
  DESTINATION_OUT_OF_ORDER: 'minus',
  REQUESTED_CHAN_UNAVAIL: 'minus',
  NO_ROUTE_TRANSIT_NET: 'minus',
  SERVICE_UNAVAILABLE: 'minus',
  GATEWAY_DOWN: 'minus',
  ORIGINATOR_CANCEL: 'minus',
  MANAGER_REQUEST: 'minus',
  SYSTEM_SHUTDOWN: 'minus',
  LOSE_RACE: 'minus',
};

/** C9: the campaign's override wins, then the default table; an unmapped cause is retry. */
export function classifyCause(cause: string, overrides: CauseOverrides = {}): CauseClass {
  const key = cause.toUpperCase();
  return overrides[key] ?? DEFAULT_CAUSES[key] ?? 'retry';
}

/** The effective table of a campaign: defaults with its overrides applied. */
export function effectiveCauses(overrides: CauseOverrides = {}): Record<string, CauseClass> {
  return { ...DEFAULT_CAUSES, ...overrides };
}
