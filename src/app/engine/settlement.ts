import type { CallStore, SettleResult, SettleSnapshot } from '../ports/call-store.js';
import type { MemberLegResult } from '../ports/telephony.js';
import { planSettle, type SettleEvent } from './settle-plan.js';

/**
 * A snapshot goes stale when something else changed its rows between the read and the write
 * (a result status, an agent's status, another process settling the same attempt): it is read
 * again. Each round is cheap (two statements); a row changing this often is a fault.
 */
const MAX_ROUNDS = 20;

/**
 * Settling an attempt (C4–C9, A3, M4, R1): read a snapshot of its rows, plan the writes
 * (settle-plan.ts), apply them in one statement that writes only if the rows are still as read.
 * Every path that ends an attempt goes through here, so each is safe to repeat (S3): the second
 * time the attempt is found settled and nothing is written.
 */
export class Settlement {
  constructor(private readonly calls: Pick<CallStore, 'settleSnapshot' | 'applySettle'>) {}

  /**
   * The subscriber leg is over: C4–C9 decide the member, the agent goes to wrap-up (A3).
   * `known`: the rows as this process's own writes left them (the claim's snapshot), tried first.
   */
  settleCall(result: MemberLegResult, now: Date, known?: SettleSnapshot): Promise<SettleResult> {
    return this.#settle(result.attemptId, { kind: 'member-ended', result }, now, known);
  }

  /** The agent leg failed or was lost before a subscriber was called: never charged to the member (A3). */
  settleAgentFailure(attemptId: number, cause: string, answered: boolean, now: Date): Promise<SettleResult> {
    return this.#settle(attemptId, { kind: 'agent-failed', cause, answered }, now);
  }

  /** C7: no result status came before the deadline. */
  resultDeadlinePassed(attemptId: number, now: Date): Promise<SettleResult> {
    return this.#settle(attemptId, { kind: 'result-deadline' }, now);
  }

  async #settle(attemptId: number, e: SettleEvent, now: Date, known?: SettleSnapshot): Promise<SettleResult> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const s = round === 0 && known ? known : await this.calls.settleSnapshot(attemptId);
      if (!s) return { kind: 'already-settled' };
      const step = planSettle(s, e, now);
      if (step.kind === 'already-settled') return step;
      if (!(await this.calls.applySettle(step.plan, now))) continue;
      return {
        kind: 'settled',
        campaignId: s.campaignId,
        memberId: s.memberId,
        agentId: e.kind === 'result-deadline' ? null : s.agentId,
        decision: step.decision,
        wakeUps: step.wakeUps,
        campaignState: s.campaignState,
      };
    }
    throw new Error(`attempt ${attemptId}: its rows changed under every one of ${MAX_ROUNDS} settle rounds`);
  }
}
