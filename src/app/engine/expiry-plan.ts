/*
 * M4 as a value: from the members the expiry read, the writes that end those whose expire instant
 * has passed. No I/O: the store applies a plan in one statement, each member only while it is
 * still as read (member-expiry.ts reads and plans again otherwise).
 */
import type { ExpiryCandidate, ExpiryPlan } from '../ports/engine-store.js';

export const MEMBER_EXPIRED = 'MEMBER_EXPIRED';
/** The outcome of an attempt whose wait for a result (C7) the member's expiry ended. */
export const EXPIRED_OUTCOME = 'expired';

/**
 * Ready and waiting members past their instant end MEMBER_EXPIRED, their tries as they are (the
 * attempt waiting for its result is ended, not counted). A member in a call is left to its
 * settle, which sees the expiry itself (settle-plan.ts expireIfDue).
 */
export function planExpiry(candidates: readonly ExpiryCandidate[], now: Date): ExpiryPlan {
  const due = candidates.filter((c) => (c.state === 'ready' || c.state === 'waiting_result') && c.expireAt !== null && c.expireAt <= now);
  return {
    members: due.map((c) => ({ id: c.memberId, campaignId: c.campaignId, expectVersion: c.version })),
    member: { state: 'done', result: MEMBER_EXPIRED, endedAt: now },
    attempts: due.flatMap((c) => c.waitingAttemptIds),
    attempt: { state: 'done', outcome: EXPIRED_OUTCOME, releasesMember: true },
  };
}
