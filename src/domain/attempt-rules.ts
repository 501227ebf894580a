/*
 * C4–C7, C9, A3: what a finished attempt means for its member.
 *
 * Decisions made here (SPEC is silent or leaves room):
 *  - C9 `error` ends the member at once with result = the cause, even when it has other active
 *    numbers: the SPEC says "end the member now". A campaign that wants to go on with the
 *    member's other numbers maps that cause to `retry` instead.
 *  - So `stopNumber` is always false today: no rule of the SPEC stops a single number after a
 *    call; numbers are stopped only by a result status (R1 stop_communications).
 *  - C9 `minus` does not count, and the member is ready again after the retry wait (C4 speaks
 *    of any two attempts); an agent-leg failure (A3) is ready again at once.
 *  - C9 `minus` is bounded: a member gets at most `maxMinusAttempts` uncounted attempts; the one
 *    that reaches the ceiling ends it with its cause (a number that always answers 503 would
 *    otherwise be redialled forever and its campaign never finish). Below 1 behaves as 1.
 *  - S3: a call whose end FreeSWITCH never reported (the socket was lost and no hangup came,
 *    e.g. FreeSWITCH restarted) is never a success, whatever its talk time up to the loss: its
 *    verdict is unknown, and the failure is on our side, not the subscriber's. It is treated like
 *    a `minus` cause: not counted, tried again after the retry wait, within the same ceiling.
 *  - C7 with no status: the attempt is unsuccessful; the retry wait runs from the end of the
 *    call, but never earlier than the moment the deadline is handled.
 *  - maxTries below 1 behaves as 1: every member gets at least one attempt.
 */
import { assertNever } from './assert-never.js';
import { classifyCause, type CauseOverrides } from './cause-policy.js';

export interface CampaignRules {
  /** C4: seconds between two attempts of one member. */
  retryWaitSec: number;
  /** C5: attempts a member may use without success. */
  maxTries: number;
  /** C6: talk seconds an answered call needs to count as a success. */
  minSuccessSec: number;
  /** C7: an answered call needs a result status with success:true. */
  waitResult: boolean;
  /** C7: seconds after the call ends to wait for that status. */
  wrapupSec: number;
  /** C9: per-campaign remapping of hangup causes. */
  causes: CauseOverrides;
  /** C9: uncounted (minus) attempts a member may use before it ends with the last cause. */
  maxMinusAttempts: number;
}

/** What happened on the subscriber leg. */
export type CallOutcome =
  | { kind: 'answered'; talkSec: number; cause: string }
  | { kind: 'not-answered'; cause: string }
  /** S3: FreeSWITCH never reported how the call ended (socket lost, no hangup seen). */
  | { kind: 'end-unknown'; cause: string }
  /** A3: the agent leg failed, the subscriber was never dialled: never charged to the member. */
  | { kind: 'agent-failed' };

/**
 * How the attempt a decision settles is counted: `try` uses one of max tries (C5), `minus` one of
 * the uncounted attempts (C9), `none` neither (A3: the agent leg failed).
 */
export type AttemptCount = 'try' | 'minus' | 'none';

export type MemberDecision =
  /** The member is done with this result. */
  | { kind: 'end'; result: string; success: boolean; counts: AttemptCount }
  /** The member is ready again at readyAt. */
  | { kind: 'retry'; readyAt: Date; counts: AttemptCount; stopNumber: boolean }
  /** C7: wait for a result status until the deadline; the member is not dialled meanwhile. */
  | { kind: 'wait-result'; deadline: Date };

export interface MemberTries {
  /** Attempts already counted, before this one. */
  tries: number;
  /** Uncounted (minus) attempts already used, before this one (C9). */
  minusTries: number;
  /** Communications still active, including this one. */
  activeNumbers: number;
}

export const RESULT_SUCCESS = 'NORMAL_CLEARING';
export const RESULT_MAX_TRIES = 'MAX_TRY_COUNT';

/** C4–C7, C9, A3: the member's fate after one call. */
export function decideAfterCall(
  rules: CampaignRules,
  member: MemberTries,
  outcome: CallOutcome,
  endedAt: Date,
): MemberDecision {
  switch (outcome.kind) {
    case 'agent-failed':
      return { kind: 'retry', readyAt: endedAt, counts: 'none', stopNumber: false };
    case 'answered':
      // C6: only a long enough talk is a success; then C7 may still want a status.
      if (outcome.talkSec < rules.minSuccessSec) return unsuccessful(rules, member, endedAt);
      if (rules.waitResult) return { kind: 'wait-result', deadline: addSec(endedAt, rules.wrapupSec) };
      return { kind: 'end', result: RESULT_SUCCESS, success: true, counts: 'try' };
    case 'end-unknown':
      return uncounted(rules, member, outcome.cause.toUpperCase(), endedAt);
    case 'not-answered': {
      const cause = outcome.cause.toUpperCase();
      const cls = classifyCause(cause, rules.causes);
      switch (cls) {
        case 'error': return { kind: 'end', result: cause, success: false, counts: 'try' };
        case 'ok': return { kind: 'end', result: cause, success: true, counts: 'try' };
        case 'retry': return unsuccessful(rules, member, endedAt);
        case 'minus': return uncounted(rules, member, cause, endedAt);
        default: return assertNever(cls);
      }
    }
    default:
      return assertNever(outcome);
  }
}

/** C7: no status with success:true came before the deadline: an unsuccessful attempt. */
export function decideAfterResultDeadline(
  rules: CampaignRules,
  member: MemberTries,
  endedAt: Date,
  now: Date,
): MemberDecision {
  const d = unsuccessful(rules, member, endedAt);
  if (d.kind === 'retry' && d.readyAt.getTime() < now.getTime()) return { ...d, readyAt: now };
  return d;
}

/** C4, C5: count the attempt; out of tries ends the member, else ready after the retry wait. */
export function unsuccessful(rules: CampaignRules, member: MemberTries, endedAt: Date): MemberDecision {
  if (member.tries + 1 >= Math.max(1, rules.maxTries)) return { kind: 'end', result: RESULT_MAX_TRIES, success: false, counts: 'try' };
  return { kind: 'retry', readyAt: addSec(endedAt, rules.retryWaitSec), counts: 'try', stopNumber: false };
}

/** C9 minus: not counted, ready after the retry wait; the ceiling's attempt ends the member with its cause. */
function uncounted(rules: CampaignRules, member: MemberTries, cause: string, endedAt: Date): MemberDecision {
  if (member.minusTries + 1 >= Math.max(1, rules.maxMinusAttempts)) return { kind: 'end', result: cause, success: false, counts: 'minus' };
  return { kind: 'retry', readyAt: addSec(endedAt, rules.retryWaitSec), counts: 'minus', stopNumber: false };
}

function addSec(at: Date, sec: number): Date {
  return new Date(at.getTime() + Math.max(0, sec) * 1000);
}
