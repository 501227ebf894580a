/**
 * "Dialled", one definition for the live board, `GET /stats` and the demo (issue 13 §2): the
 * campaign's attempts whose subscriber leg was placed or is being placed, that is every attempt
 * but one that ended at the agent's leg (A3: the agent did not answer, so nobody was dialled).
 * An attempt still in progress (no outcome yet) counts.
 */
export function countsAsDialled(outcome: string | null): boolean {
  return outcome !== 'agent_failed';
}
