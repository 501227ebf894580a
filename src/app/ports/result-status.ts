import type { CampaignRules } from '../../domain/attempt-rules.js';
import type { CommunicationView, MemberView } from '../../domain/result-status.js';

/** R1: the body of `PUT /api/v2/dialer/:id/members/:mid/status`, already validated. */
export interface ResultStatus {
  success: boolean;
  reset_retries?: boolean | undefined;
  next_after_sec?: number | undefined;
  next_communication?: string | undefined;
  /** Numbers to stop, or "all" (all but next_communication). */
  stop_communications?: string[] | 'all' | undefined;
  comment?: string | undefined;
}

/** The member as the REST layer shows it after the change. */
export type ResultStatusOutcome =
  | { kind: 'applied'; member: unknown }
  | { kind: 'not-found' }
  /** R2: a late or duplicate status that would change a finished member. */
  | { kind: 'conflict'; reason: string };

export type ApplyResultStatus = (
  campaignId: number,
  memberId: number,
  status: ResultStatus,
  now: Date,
  /**
   * W4: the status is for this attempt (the agent's call); a conflict when the member's latest
   * attempt is another one (it was called again since). Absent: the member's latest attempt.
   */
  attemptId?: number,
) => Promise<ResultStatusOutcome>;

/** What applying a status reads: the member, its numbers, its latest attempt, the campaign's rules. */
export interface StatusSnapshot {
  campaignId: number;
  member: Omit<MemberView, 'communications'> & { id: number; version: number };
  communications: CommunicationView[];
  attempt: { id: number; state: string; outcome: string | null; resultStatus: ResultStatus | null } | null;
  rules: CampaignRules;
}

/** The writes of one result status (result-status-plan.ts), applied only while the member is at `expectMemberVersion`. */
export interface StatusPlan {
  campaignId: number;
  memberId: number;
  expectMemberVersion: number;
  addCommunications: { number: string; priority: number; position: number; state: 'active' | 'stopped' }[];
  updateCommunications: { id: number; state: 'active' | 'stopped'; priority: number }[];
  /** R1 reset_retries: every number's counter back to 0. */
  resetTries: boolean;
  /** R1 next_communication: an existing number, or one this plan adds; null leaves the member's as it is. */
  next: { id: number } | { addedNumber: string } | null;
  member: { state: MemberView['state']; tries: number; readyAt: Date; result: string | null; endedAt: Date | null; clearMinusTries: boolean };
  attempt: { id: number; resultStatus: ResultStatus; comment: string | null; state?: 'done'; releasesMember?: boolean; outcome?: string } | null;
}

export type StatusApplied =
  | { kind: 'applied'; member: unknown }
  /** The member changed since the snapshot: nothing was written. */
  | { kind: 'stale' }
  /** M2: an added number belongs to another member of the campaign: nothing was written. */
  | { kind: 'duplicate-number' };

/** The rows of R1, R2. */
export interface StatusStore {
  statusSnapshot(campaignId: number, memberId: number): Promise<StatusSnapshot | null>;
  /** One transaction; `stale` when the member is no longer at the version planned from. */
  applyStatus(plan: StatusPlan, now: Date): Promise<StatusApplied>;
  /** The member as the REST layer shows it. */
  memberView(memberId: number): Promise<unknown>;
}
