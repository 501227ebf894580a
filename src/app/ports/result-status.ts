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
