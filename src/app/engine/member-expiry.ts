import type { EngineStore } from '../ports/engine-store.js';
import { planExpiry } from './expiry-plan.js';

/** Rounds in a row whose plan was not written whole before the expiry gives up until its next run. */
const MAX_STALE_ROUNDS = 20;

/**
 * M4: ends the members whose expire instant has passed, a batch at a time: read the candidates,
 * plan (expiry-plan.ts), apply in one statement that writes each member only while it is as read.
 * A member that moved meanwhile (a call claimed it, a status came) is read and planned again with
 * the next batch. Returns the campaigns whose members were looked at (C10 may end them).
 */
export async function expireMembers(store: Pick<EngineStore, 'expiryCandidates' | 'applyExpiry'>, now: Date, batch: number): Promise<Set<number>> {
  const touched = new Set<number>();
  let stale = 0;
  for (;;) {
    const candidates = await store.expiryCandidates(now, batch);
    const plan = planExpiry(candidates, now);
    if (plan.members.length === 0) return touched;
    plan.members.forEach((m) => touched.add(m.campaignId));
    const whole = await store.applyExpiry(plan, now);
    if (whole && candidates.length < batch) return touched;
    stale = whole ? 0 : stale + 1;
    if (stale >= MAX_STALE_ROUNDS) throw new Error(`member expiry: rows changed under ${MAX_STALE_ROUNDS} batches in a row`);
  }
}
