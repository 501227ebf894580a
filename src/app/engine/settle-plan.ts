/*
 * The end of an attempt as a value (C4–C9, A3, M4, R1): from a snapshot of the rows the attempt
 * touches and what happened, the writes that settle it. No I/O: the store applies a plan in one
 * statement, and only while the rows still are as the snapshot saw them (SettlePlan.expect).
 */
import { onAgentLegFailed, onCallEnded, type AgentView } from '../../domain/agent-state.js';
import { decideAfterCall, decideAfterResultDeadline, RESULT_SUCCESS, type CallOutcome, type MemberDecision } from '../../domain/attempt-rules.js';
import { applyResultStatus } from '../../domain/result-status.js';
import type { SettlePlan, SettleSnapshot, WakeUp } from '../ports/call-store.js';
import type { MemberLegResult } from '../ports/telephony.js';

/** P2: a preview is live too (it holds its member, its agent and a line). */
export const LIVE_STATES: readonly string[] = ['previewing', 'reserved', 'ringing_agent', 'bridging', 'talking'];

/** What ended the attempt. */
export type SettleEvent =
  /** The subscriber leg is over (C4–C9). */
  | { kind: 'member-ended'; result: MemberLegResult }
  /** A3: the agent leg failed or was lost before a subscriber was called; `answered`: it had answered. */
  | { kind: 'agent-failed'; cause: string; answered: boolean }
  /** C7: no result status came before the deadline. */
  | { kind: 'result-deadline' };

export type SettleStep =
  | { kind: 'apply'; plan: SettlePlan; decision: MemberDecision; wakeUps: WakeUp[] }
  /** Already settled (a duplicate or late event): nothing to write. */
  | { kind: 'already-settled' };

export function planSettle(s: SettleSnapshot, e: SettleEvent, now: Date): SettleStep {
  switch (e.kind) {
    case 'member-ended':
      if (!LIVE_STATES.includes(s.attemptState)) return { kind: 'already-settled' };
      return afterCall(s, e.result, now);
    case 'agent-failed':
      if (!LIVE_STATES.includes(s.attemptState)) return { kind: 'already-settled' };
      return afterAgentFailure(s, e.cause, e.answered, now);
    case 'result-deadline':
      if (s.attemptState !== 'waiting_result' || s.member.state !== 'waiting_result') return { kind: 'already-settled' };
      return afterResultDeadline(s, now);
    default: {
      const never: never = e;
      return never;
    }
  }
}

function afterCall(s: SettleSnapshot, r: MemberLegResult, now: Date): SettleStep {
  const outcome: CallOutcome = !r.endKnown ? { kind: 'end-unknown', cause: r.cause }
    : r.answeredAt ? { kind: 'answered', talkSec: r.talkSec, cause: r.cause }
    : { kind: 'not-answered', cause: r.cause };
  const decision = pendingStatusDecision(s, now)
    ?? expireIfDue(decideAfterCall(s.rules, triesOf(s), outcome, r.endedAt), s.member.expireAt, now);
  const waiting = decision.kind === 'wait-result';
  // The number's counter counts a call waiting for its result at once; the member's when it is decided (C7).
  const counted = waiting || decision.counts === 'try';
  const wakeUps: WakeUp[] = [];
  const tail = memberAndAgentWrites(s, decision, now, wakeUps, (view) => ({ ...onCallEnded(view, now), unregistered: false }));
  if (waiting) wakeUps.push({ kind: 'result-deadline', attemptId: s.attemptId, at: decision.deadline });
  return {
    kind: 'apply',
    decision,
    wakeUps,
    plan: {
      ...expectOf(s),
      attempt: {
        state: waiting ? 'waiting_result' : 'done',
        outcome: outcomeOf(decision),
        memberUuid: r.memberUuid ?? s.memberUuid,
        answeredAt: r.answeredAt,
        endedAt: r.endedAt,
        hangupCause: r.cause,
        talkSec: r.talkSec,
        // P3: written with the abandon's cause, so a settled abandoned call always shows its message
        ...(r.messageAt !== undefined ? { messageAt: r.messageAt } : {}),
        resultDeadlineAt: waiting ? decision.deadline : null,
        leavesLine: true,
        releasesMember: !waiting,
      },
      communication: { id: s.communicationId, countTry: counted, lastCause: r.cause, stop: decision.kind === 'retry' && decision.stopNumber },
      ...tail,
    },
  };
}

function afterAgentFailure(s: SettleSnapshot, cause: string, answered: boolean, now: Date): SettleStep {
  // A3: an agent-leg failure never costs the member an attempt; it is ready again at once.
  const decision = expireIfDue({ kind: 'retry', readyAt: now, counts: 'none', stopNumber: false }, s.member.expireAt, now);
  const wakeUps: WakeUp[] = [];
  const tail = memberAndAgentWrites(s, decision, now, wakeUps, (view) =>
    answered ? { ...onCallEnded(view, now), unregistered: false } : onAgentLegFailed(view, cause, now));
  return {
    kind: 'apply',
    decision,
    wakeUps,
    plan: {
      ...expectOf(s),
      attempt: { state: 'done', outcome: 'agent_failed', agentCause: cause, endedAt: now, leavesLine: true, releasesMember: true },
      communication: null,
      ...tail,
    },
  };
}

function afterResultDeadline(s: SettleSnapshot, now: Date): SettleStep {
  const endedAt = s.endedAt ?? now;
  const decision = expireIfDue(decideAfterResultDeadline(s.rules, triesOf(s), endedAt, now), s.member.expireAt, now);
  const wakeUps: WakeUp[] = [];
  // C7: the deadline decides the waiting attempt, so it is counted now, also when it ends the member.
  // The agent was freed when the call ended; the wait belongs to the member alone.
  const tail = memberAndAgentWrites(s, decision, now, wakeUps, null);
  return {
    kind: 'apply',
    decision,
    wakeUps,
    plan: {
      ...expectOf(s),
      expectAgentVersion: null,
      attempt: { state: 'done', outcome: outcomeOf(decision), leavesLine: false, releasesMember: true },
      communication: null,
      ...tail,
    },
  };
}

type Expectations = 'attemptId' | 'memberId' | 'campaignId' | 'expectAttemptStates' | 'expectMemberVersion' | 'expectCampaignVersion'
  | 'expectAgentVersion' | 'expectNoResultStatus';

function expectOf(s: SettleSnapshot): Pick<SettlePlan, Expectations> {
  return {
    attemptId: s.attemptId,
    memberId: s.memberId,
    campaignId: s.campaignId,
    expectAttemptStates: s.attemptStateOneOf ?? [s.attemptState],
    expectMemberVersion: s.member.version,
    expectCampaignVersion: s.campaignVersion,
    expectAgentVersion: s.agent?.version ?? null,
    expectNoResultStatus: s.resultStatus === null,
  };
}

function triesOf(s: SettleSnapshot) {
  return {
    tries: s.member.tries,
    minusTries: s.member.minusTries,
    activeNumbers: s.communications.filter((c) => c.state === 'active').length,
  };
}

/**
 * R1: a result status that came while the call was still live (the agent sent it before hanging
 * up) is this call's verdict: the call is settled as if it had been waiting for that status.
 * Its number changes were stored when it came; here it decides the member. Null when none.
 */
function pendingStatusDecision(s: SettleSnapshot, now: Date): MemberDecision | null {
  const st = s.resultStatus;
  if (!st) return null;
  const d = applyResultStatus(s.rules, { state: 'waiting_result', tries: s.member.tries, readyAt: now, result: null, communications: s.communications }, {
    success: st.success,
    resetRetries: false, // already applied when the status came
    nextAfterSec: st.next_after_sec,
    comment: st.comment,
  }, now);
  if (d.kind === 'conflict') return null;
  if (d.member.state === 'done') {
    return { kind: 'end', result: d.member.result ?? RESULT_SUCCESS, success: d.member.result === RESULT_SUCCESS, counts: 'try' };
  }
  return { kind: 'retry', readyAt: d.member.readyAt, counts: 'try', stopNumber: false };
}

/** M4: a member whose expire instant has passed is not made ready again. */
export function expireIfDue(d: MemberDecision, expireAt: Date | null, now: Date): MemberDecision {
  if (d.kind === 'retry' && expireAt && expireAt <= now) return { kind: 'end', result: 'MEMBER_EXPIRED', success: false, counts: d.counts };
  return d;
}

/** The attempt's class; the one that ends the member keeps its own (MAX_TRY_COUNT's last is a retry). */
export function outcomeOf(d: MemberDecision): string {
  if (d.kind === 'wait-result') return 'waiting_result';
  if (d.kind === 'end' && d.success) return 'success';
  if (d.counts !== 'try') return 'minus';
  return d.kind === 'retry' || d.result === 'MAX_TRY_COUNT' ? 'retry' : 'error';
}

/** The rows beside the attempt that the end of an attempt writes (a settle, a preview's end). */
export type TailSnapshot = Pick<SettleSnapshot, 'campaignId' | 'memberId' | 'member' | 'agent' | 'node'>;

export type AgentTransition = (view: AgentView) => AgentView & { unregistered: boolean };

/**
 * The tail of every plan that ends an attempt: the member's write as `d` decides, the agent
 * still attached leaving it by `next` (none when null), its registration dropped when known
 * stale; the wake-ups those writes imply are pushed onto `wakeUps`.
 */
export function memberAndAgentWrites(s: TailSnapshot, d: MemberDecision, now: Date, wakeUps: WakeUp[], next: AgentTransition | null):
  Pick<SettlePlan, 'member' | 'agent' | 'dropRegistration'> {
  const member = memberWrite(s, d, now, wakeUps);
  const agent = next && agentWrite(s, now, wakeUps, next);
  return { member, agent: agent?.write ?? null, dropRegistration: agent?.dropRegistration ?? null };
}

/** The member's counters follow `counts`: the attempt that ends it counts too (C5: tries equals the attempts used). */
function memberWrite(s: TailSnapshot, d: MemberDecision, now: Date, wakeUps: WakeUp[]): SettlePlan['member'] {
  switch (d.kind) {
    case 'end':
      return { ...counters(s, d.counts), state: 'done', result: d.result, endedAt: now };
    case 'retry':
      wakeUps.push({ kind: 'member-ready', campaignId: s.campaignId, memberId: s.memberId, at: d.readyAt });
      return { ...counters(s, d.counts), state: 'ready', readyAt: d.readyAt, result: null };
    case 'wait-result':
      // Counted when the status or the deadline decides it (C7).
      return { state: 'waiting_result', tries: s.member.tries, minusTries: s.member.minusTries };
    default: {
      const never: never = d;
      return never;
    }
  }
}

function counters(s: TailSnapshot, counts: 'try' | 'minus' | 'none') {
  return {
    tries: s.member.tries + (counts === 'try' ? 1 : 0),
    minusTries: s.member.minusTries + (counts === 'minus' ? 1 : 0),
  };
}

/** A3: the agent still attached to the attempt leaves it; its wake-up follows its next state. */
function agentWrite(s: TailSnapshot, now: Date, wakeUps: WakeUp[], next: AgentTransition) {
  if (!s.agent) return null;
  const { unregistered, ...view } = next(s.agent);
  if (view.state === 'Wrap up') wakeUps.push({ kind: 'wrapup-end', agentId: s.agent.id, at: view.readyAt });
  else if (view.readyAt > now) wakeUps.push({ kind: 'agent-ready', agentId: s.agent.id, at: view.readyAt });
  return {
    write: { id: s.agent.id, view },
    // A3: USER_NOT_REGISTERED means our registration record is stale; the next sofia event or resync restores it.
    dropRegistration: unregistered && s.node ? { sipUser: s.agent.sipUser, node: s.node } : null,
  };
}
