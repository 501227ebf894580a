import type { ClaimInput, ClaimResult, DispatchStore } from '../../src/app/ports/dispatch-store.js';

/** A claim as a dispatch pass makes it, for tests that claim without a dispatcher. */
export type BestClaimInput = Omit<ClaimInput, 'agentId'> & {
  /** Which of the claims running at once this is: each starts at a different one of the best ready agents. */
  slot?: number;
};

/**
 * What a dispatch pass does for one claim (dispatcher.ts): the ready agents searched (A2 order,
 * no locks), then claimed one by one, from `slot` on, until one is not taken by another claim.
 */
export async function claimBest(store: Pick<DispatchStore, 'readyAgents' | 'claimNext'>, input: BestClaimInput): Promise<ClaimResult> {
  const { slot = 0, ...search } = input;
  const found = await store.readyAgents(search, 32);
  const start = found.length ? slot % found.length : 0;
  for (const agentId of [...found.slice(start), ...found.slice(0, start)]) {
    const r = await store.claimNext({ ...search, agentId });
    if (r.kind !== 'no-agent') return r;
  }
  return { kind: 'no-agent' };
}
