/*
 * R1, R2: a result status (PUT …/members/:member/status) applied to a member, as a value.
 *
 * Decisions where the SPEC leaves room:
 *  - A done member gets a conflict (R2: 409): a late or duplicate status never rewrites a
 *    result. Replaying the very same status for the same attempt is recognised by the store
 *    (it keeps the status on the attempt), not here.
 *  - C5, M5: every attempt that reached the subscriber counts once, whatever its verdict and
 *    whichever path delivered it (`tries` = attempts used): a status for an attempt that waits
 *    for its result (C7, state waiting_result) counts that attempt, success or not; for a ready
 *    member the attempt was already counted when it settled, and for a dialing one it is counted
 *    when the call settles (as a call settled without waiting is).
 *  - While the member is dialing the state stays 'dialing': the engine settles the call.
 *    `member.result` non-null then means "end the member with this result when the call
 *    settles"; `member.readyAt` is the earliest next try the status asked for.
 *  - success:true ends the member with NORMAL_CLEARING.
 *  - next_communication matches an existing number exactly (after trimming) and makes it
 *    active again if it was stopped; an unknown number is added, active, at the top priority
 *    (max + 1) and the end of the list. The store must still enforce M2 (a number once per
 *    campaign) for an added number, since this file sees one member only.
 *  - stop_communications never stops the next_communication ("all" means all but it; an
 *    array naming it too is read the same way). Numbers the member does not have are ignored.
 *  - No active number left ends the member with NO_COMMUNICATIONS; this wins over
 *    MAX_TRY_COUNT because it is what the caller asked for. success:true wins over both.
 */
import type { CampaignRules } from './attempt-rules.js';
import { RESULT_MAX_TRIES, RESULT_SUCCESS } from './attempt-rules.js';

export const RESULT_NO_COMMUNICATIONS = 'NO_COMMUNICATIONS';

export interface ResultStatus {
  success: boolean;
  resetRetries?: boolean;
  nextAfterSec?: number;
  nextCommunication?: string;
  stopCommunications?: string[] | 'all';
  comment?: string;
}

export interface CommunicationView {
  /** null = a number this status adds. */
  id: number | null;
  number: string;
  priority: number;
  position: number;
  state: 'active' | 'stopped';
}

export interface MemberView {
  state: 'ready' | 'dialing' | 'waiting_result' | 'done';
  tries: number;
  readyAt: Date;
  result: string | null;
  communications: CommunicationView[];
}

export type StatusDecision =
  /** R2: the member is done (late or duplicate status): 409, nothing changes. */
  | { kind: 'conflict'; reason: string }
  | {
      kind: 'apply';
      member: { state: 'ready' | 'done' | 'dialing' | 'waiting_result'; tries: number; readyAt: Date; result: string | null };
      /** The new list: stopped numbers, and an added next number at the top priority. */
      communications: CommunicationView[];
      /** The number to dial next (R1 next_communication), or null. */
      nextCommunication: string | null;
      /** R1 reset_retries: the store also clears the per-number counters. */
      resetTries: boolean;
    };

export function applyResultStatus(rules: CampaignRules, member: MemberView, status: ResultStatus, now: Date): StatusDecision {
  if (member.state === 'done') {
    return { kind: 'conflict', reason: `member already finished with result ${member.result ?? 'unknown'}` };
  }
  const { communications, next } = applyNumbers(member.communications, status);
  const resetTries = status.resetRetries === true;
  const counts = member.state === 'waiting_result';
  const tries = resetTries ? 0 : member.tries + (counts ? 1 : 0);

  let result: string | null = null;
  if (status.success) result = RESULT_SUCCESS;
  else if (!communications.some((c) => c.state === 'active')) result = RESULT_NO_COMMUNICATIONS;
  else if (tries >= Math.max(1, rules.maxTries)) result = RESULT_MAX_TRIES;

  const waitSec = Math.max(0, status.nextAfterSec ?? rules.retryWaitSec);
  const readyAt = result === null ? new Date(now.getTime() + waitSec * 1000) : member.readyAt;
  const state = member.state === 'dialing' ? 'dialing' : result === null ? 'ready' : 'done';
  return { kind: 'apply', member: { state, tries, readyAt, result }, communications, nextCommunication: next, resetTries };
}

/** R1 next_communication and stop_communications on a copy of the member's numbers. */
function applyNumbers(comms: CommunicationView[], status: ResultStatus): { communications: CommunicationView[]; next: string | null } {
  const out = comms.map((c) => ({ ...c }));
  const wanted = status.nextCommunication?.trim() || null;
  if (wanted !== null) {
    const existing = out.find((c) => c.number === wanted);
    if (existing) existing.state = 'active';
    else {
      out.push({
        id: null,
        number: wanted,
        priority: out.length === 0 ? 0 : Math.max(...out.map((c) => c.priority)) + 1,
        position: out.length === 0 ? 0 : Math.max(...out.map((c) => c.position)) + 1,
        state: 'active',
      });
    }
  }
  const stop = status.stopCommunications;
  if (stop !== undefined) {
    const listed = stop === 'all' ? null : new Set(stop.map((n) => n.trim()));
    for (const c of out) {
      if (c.number !== wanted && (listed === null || listed.has(c.number))) c.state = 'stopped';
    }
  }
  return { communications: out, next: wanted };
}
