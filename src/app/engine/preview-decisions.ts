import type { SettleResult } from '../ports/call-store.js';
import type { NoPreview, PreviewSnapshot, PreviewStore } from '../ports/preview-store.js';
import { planPreview, type PreviewEvent, type PreviewStep } from './preview-plan.js';

/** As a settle's (settlement.ts): a row changing this often between a read and its write is a fault. */
const MAX_ROUNDS = 20;

export type AcceptOutcome = { kind: 'accepted'; attemptId: number; campaignId: number } | NoPreview | { kind: 'no-agent' };
export type SkipOutcome = { kind: 'skipped'; attemptId: number; result: SettleResult } | NoPreview | { kind: 'no-agent' };
export type DeadlineOutcome = { kind: 'dial' } | { kind: 'returned'; result: SettleResult } | { kind: 'gone' };

/**
 * P2: what the agent or the preview time decides about a preview: read a snapshot of its rows,
 * plan the writes (preview-plan.ts), apply them in one statement that writes only while the
 * rows are still as read; read and plan again otherwise. Each is safe to repeat (S3).
 */
export class PreviewDecisions {
  constructor(private readonly store: PreviewStore) {}

  /** The agent's previewing attempt is marked accepted; the engine holding it rings the agent. */
  async accept(agentId: number): Promise<AcceptOutcome> {
    const r = await this.#byAgent(agentId, { kind: 'accept', agentId }, new Date());
    if (r.kind !== 'applied') return r;
    return { kind: 'accepted', attemptId: r.snapshot.attemptId, campaignId: r.snapshot.campaignId };
  }

  /** The agent's previewing attempt ends skipped with the reason; the member waits for its retry wait, nothing counted. */
  async skip(agentId: number, reason: string, now: Date): Promise<SkipOutcome> {
    const r = await this.#byAgent(agentId, { kind: 'skip', agentId, reason }, now);
    if (r.kind !== 'applied') return r;
    if (r.step.kind !== 'end') throw new Error(`a skip never plans ${r.step.kind}`);
    return { kind: 'skipped', attemptId: r.snapshot.attemptId, result: settled(r.snapshot, r.step) };
  }

  /** The preview time passed: dial (accepted meanwhile, or the policy says so), return the member, or nothing left to do. */
  async deadlinePassed(attemptId: number, now: Date): Promise<DeadlineOutcome> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const s = await this.store.previewSnapshot(attemptId);
      const step = planPreview(s, { kind: 'deadline' }, now);
      switch (step.kind) {
        case 'gone':
        case 'no-preview':
          return { kind: 'gone' };
        case 'dial':
          if (!step.plan || (await this.store.applyPreview(step.plan, now))) return { kind: 'dial' };
          continue;
        case 'end':
          if (await this.store.applyPreview(step.plan, now)) return { kind: 'returned', result: settled(s!, step) };
          continue;
        case 'accept':
          throw new Error('a deadline never plans an accept');
        default: {
          const never: never = step;
          return never;
        }
      }
    }
    throw new Error(`attempt ${attemptId}: its rows changed under every one of ${MAX_ROUNDS} preview rounds`);
  }

  /** Previewing → ringing (the agent Receiving), once: false when the preview ended otherwise meanwhile. */
  startCall(attemptId: number, now: Date): Promise<boolean> {
    return this.store.startCall(attemptId, now);
  }

  async #byAgent(agentId: number, e: PreviewEvent, now: Date):
    Promise<{ kind: 'applied'; snapshot: PreviewSnapshot; step: PreviewStep } | NoPreview | { kind: 'no-agent' }> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const found = await this.store.agentPreview(agentId);
      if (found.kind === 'no-agent') return found;
      const step = planPreview(found.snapshot, e, now);
      if (step.kind === 'no-preview') return step;
      if (step.kind !== 'accept' && step.kind !== 'end') throw new Error(`an agent's ${e.kind} never plans ${step.kind}`);
      if (!(await this.store.applyPreview(step.plan, now))) continue;
      return { kind: 'applied', snapshot: found.snapshot!, step };
    }
    throw new Error(`agent ${agentId}: its preview's rows changed under every one of ${MAX_ROUNDS} rounds`);
  }
}

function settled(s: PreviewSnapshot, step: Extract<PreviewStep, { kind: 'end' }>): SettleResult {
  return {
    kind: 'settled', campaignId: s.campaignId, memberId: s.memberId, agentId: s.agentId, decision: step.decision, wakeUps: step.wakeUps,
    campaignState: s.campaign.state,
  };
}
