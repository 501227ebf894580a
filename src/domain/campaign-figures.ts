/*
 * The campaign figures shown on the live board, in GET /stats and by the demo: one definition
 * each, here, so the three never disagree (issue 13 §2).
 */

/**
 * "Dialled", one definition for the live board, `GET /stats` and the demo (issue 13 §2): the
 * campaign's attempts whose subscriber leg was placed or is being placed, that is every attempt
 * but one that ended at the agent's leg (A3: the agent did not answer, so nobody was dialled) or
 * a preview that was skipped or returned (P2: nothing was dialled). An attempt still in progress
 * (no outcome yet) counts.
 */
export function countsAsDialled(outcome: string | null): boolean {
  return outcome !== 'agent_failed' && outcome !== 'skipped';
}

/**
 * "Succeeded": members ended by a successful attempt. `withSuccess` counts the members with a
 * successful attempt; one whose success a later result status undid is ended otherwise, so the
 * figure is at most the ended members. "Failed" is the rest of the ended members.
 */
export function succeededAndFailed(withSuccess: number, done: number): { succeeded: number; failed: number } {
  const succeeded = Math.min(withSuccess, done);
  return { succeeded, failed: done - succeeded };
}
