import type { AppliedStatus, ResultStatusStore } from './ports/call-store.js';
import type { StatusStore } from './ports/result-status.js';
import { planResultStatus } from './result-status-plan.js';

/** A member changing this often under one status is a fault, not a race to win. */
const MAX_ROUNDS = 20;

/**
 * R1, R2: read the member's snapshot, plan the status (result-status-plan.ts), apply the plan in
 * one transaction while the member is as read; read again when it changed meanwhile.
 */
export function statusApplier(store: StatusStore): ResultStatusStore {
  return async (campaignId, memberId, s, now, attemptId): Promise<AppliedStatus> => {
    const none = { wakeUps: [], campaignId: null };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const step = planResultStatus(await store.statusSnapshot(campaignId, memberId), s, now, attemptId);
      switch (step.kind) {
        case 'not-found':
          return { outcome: { kind: 'not-found' }, ...none };
        case 'conflict':
          return { outcome: { kind: 'conflict', reason: step.reason }, ...none };
        case 'unchanged':
          return { outcome: { kind: 'applied', member: await store.memberView(memberId) }, ...none };
        case 'apply': {
          const r = await store.applyStatus(step.plan, now);
          if (r.kind === 'stale') continue;
          if (r.kind === 'duplicate-number') {
            const reason = `number ${s.next_communication} belongs to another member of this campaign`;
            return { outcome: { kind: 'conflict', reason }, ...none };
          }
          return { outcome: { kind: 'applied', member: r.member }, wakeUps: step.wakeUps, campaignId: step.memberDone ? campaignId : null };
        }
        default: {
          const never: never = step;
          return never;
        }
      }
    }
    throw new Error(`member ${memberId}: it changed under every one of ${MAX_ROUNDS} status rounds`);
  };
}
