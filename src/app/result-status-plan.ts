/*
 * R1, R2: a result status for a member as a value: from a snapshot of the member, its numbers,
 * its latest attempt and the campaign's rules, the writes that apply it (or why none). No I/O:
 * the store applies a plan in one transaction, only while the member is still at the version
 * the snapshot read (every change of a member or of its latest attempt moves that version).
 */
import { applyResultStatus } from '../domain/result-status.js';
import type { WakeUp } from './ports/call-store.js';
import type { ResultStatus, StatusPlan, StatusSnapshot } from './ports/result-status.js';

export type StatusStep =
  | { kind: 'not-found' }
  /** R2, W4: 409, nothing changes. */
  | { kind: 'conflict'; reason: string }
  /** The same status again for the same attempt: answered as before, nothing changes. */
  | { kind: 'unchanged' }
  | { kind: 'apply'; plan: StatusPlan; wakeUps: WakeUp[]; memberDone: boolean };

/**
 * - W4: a status for a given attempt (an agent's call) that is no longer the member's latest: 409.
 * - Same status again for the same attempt: nothing changes (idempotent).
 * - Member done: 409 (a late or duplicate status never rewrites a result).
 * - Otherwise the domain decides; the status and comment are stored on the latest attempt.
 */
export function planResultStatus(snap: StatusSnapshot | null, s: ResultStatus, now: Date, attemptId?: number): StatusStep {
  if (!snap) return { kind: 'not-found' };
  const { member: m, attempt } = snap;
  if (attemptId !== undefined && attempt?.id !== attemptId) {
    return { kind: 'conflict', reason: `attempt ${attemptId} is no longer member ${m.id}'s latest call (attempt ${attempt?.id ?? 'none'} is)` };
  }
  if (attempt?.resultStatus && sameStatus(attempt.resultStatus, s)) return { kind: 'unchanged' };
  const decision = applyResultStatus(snap.rules, {
    state: m.state, tries: m.tries, readyAt: m.readyAt, result: m.result, communications: snap.communications,
  }, {
    success: s.success,
    resetRetries: s.reset_retries,
    nextAfterSec: s.next_after_sec,
    nextCommunication: s.next_communication,
    stopCommunications: s.stop_communications,
    comment: s.comment,
  }, now);
  if (decision.kind === 'conflict') return { kind: 'conflict', reason: decision.reason };

  const added: StatusPlan['addCommunications'] = [];
  const changed: StatusPlan['updateCommunications'] = [];
  let next: StatusPlan['next'] = null;
  let position = snap.communications.length;
  for (const cv of decision.communications) {
    const isNext = cv.number === decision.nextCommunication;
    if (cv.id === null) {
      added.push({ number: cv.number, priority: cv.priority, position: position++, state: cv.state });
      if (isNext) next = { addedNumber: cv.number };
      continue;
    }
    const before = snap.communications.find((x) => x.id === cv.id);
    if (before && (before.state !== cv.state || before.priority !== cv.priority)) changed.push({ id: cv.id, state: cv.state, priority: cv.priority });
    if (isNext) next = { id: cv.id };
  }
  const dm = decision.member;
  const done = dm.state === 'done';
  return {
    kind: 'apply',
    memberDone: done,
    wakeUps: dm.state === 'ready' ? [{ kind: 'member-ready', campaignId: snap.campaignId, memberId: m.id, at: dm.readyAt }] : [],
    plan: {
      campaignId: snap.campaignId,
      memberId: m.id,
      expectMemberVersion: m.version,
      addCommunications: added,
      updateCommunications: changed,
      resetTries: decision.resetTries,
      next,
      member: {
        state: dm.state, tries: dm.tries, readyAt: dm.readyAt, result: dm.result, endedAt: done ? now : null,
        // R1 reset_retries clears every attempt count, the uncounted (C9 minus) ones too.
        clearMinusTries: decision.resetTries,
      },
      attempt: attempt ? {
        id: attempt.id,
        resultStatus: s,
        comment: s.comment ?? null,
        // C7: a status ends the wait for a result.
        ...(attempt.state === 'waiting_result'
          ? { state: 'done' as const, releasesMember: true, outcome: done && s.success ? 'success' : 'retry' }
          // A success for a member whose call had settled unsuccessfully (no status within the
          // wrap-up) is that call's success: the boards count succeeded members by it.
          : attempt.state === 'done' && done && s.success && (attempt.outcome === 'retry' || attempt.outcome === 'minus')
            ? { outcome: 'success' }
            : {}),
      } : null,
    },
  };
}

function sameStatus(stored: ResultStatus, s: ResultStatus): boolean {
  return JSON.stringify(stored) === JSON.stringify(s);
}

