import type { BridgePlan, MemberLegResult } from './telephony.js';
import type { MemberDecision } from '../../domain/attempt-rules.js';
import type { ResultStatus, ResultStatusOutcome } from './result-status.js';

/** A wake-up the caller must arm after a write (DESIGN §1: MySQL first, then the timer). */
export type WakeUp =
  /** memberId null: the earliest ready member of the campaign (startup rebuild). */
  | { kind: 'member-ready'; campaignId: number; memberId: number | null; at: Date }
  | { kind: 'agent-ready'; agentId: number; at: Date }
  | { kind: 'wrapup-end'; agentId: number; at: Date }
  | { kind: 'result-deadline'; attemptId: number; at: Date };

export type SettleResult =
  | { kind: 'settled'; campaignId: number; memberId: number; agentId: number | null; decision: MemberDecision | null; wakeUps: WakeUp[] }
  /** Already settled (a duplicate or late event): nothing changed. */
  | { kind: 'already-settled' };

/** The writes of one attempt's life, each one transaction and safe to repeat (S3). */
export interface CallStore {
  /** Reserved → ringing: the originate is being sent. */
  markRinging(attemptId: number, now: Date): Promise<void>;
  /** The answered agent leg asks what to dial (A4); `hangup` when the attempt is no longer live. */
  planBridge(attemptId: number, agentLegUuid: string, now: Date): Promise<BridgePlan>;
  markMemberAnswered(attemptId: number, memberUuid: string | null, at: Date): Promise<void>;
  /** The subscriber leg is over: C4–C9 decide the member, the agent goes to wrap-up (A3). */
  settleCall(result: MemberLegResult, now: Date): Promise<SettleResult>;
  /** The agent leg failed or was lost before a subscriber was called: never charged to the member (A3). */
  settleAgentFailure(attemptId: number, cause: string, answered: boolean, now: Date): Promise<SettleResult>;
  /** C7: no result status came before the deadline. */
  resultDeadlinePassed(attemptId: number, now: Date): Promise<SettleResult>;
  /** Wrap-up over: the agent is Waiting again. */
  endWrapup(agentId: number, now: Date): Promise<boolean>;
  /** Renews the lease on this process's live attempts (DESIGN §1a). */
  renewLeases(instanceId: string, until: Date): Promise<number>;
  /**
   * Live attempts whose owner is gone (DESIGN §1a, S3): another instance's whose lease ran out,
   * and, with `ownBefore`, this instance id's created before that instant (a previous
   * incarnation of the same configured instance: surely dead); with `reservedBefore`, this
   * instance's still 'reserved' since before then (a claim whose commit reply was lost: nothing
   * here drives it, as a claimed attempt turns 'ringing_agent' at once).
   */
  orphanedAttempts(instanceId: string, now: Date, ownBefore?: Date, reservedBefore?: Date): Promise<OrphanedAttempt[]>;
  /**
   * S4: makes `instanceId` the owner of an orphaned attempt, with its lease until `until`, only if
   * nobody changed its owner or lease since it was read; false when another process was first.
   */
  takeOver(o: OrphanedAttempt, instanceId: string, until: Date): Promise<boolean>;
  /** Live attempts this instance owns but previews (graceful shutdown waits for 0). */
  liveCount(instanceId: string): Promise<number>;
}

export interface OrphanedAttempt {
  id: number;
  campaignId: number;
  agentId: number | null;
  /** One of the live states: reserved, ringing_agent, bridging, talking. */
  state: string;
  node: string | null;
  agentUuid: string | null;
  memberUuid: string | null;
  /** When the subscriber answered, as recorded (state `talking`). */
  answeredAt: Date | null;
  instanceId: string | null;
  leaseUntil: Date | null;
}

export interface AppliedStatus {
  outcome: ResultStatusOutcome;
  wakeUps: WakeUp[];
  /** Set when the member is done now, so the campaign may finish (C10). */
  campaignId: number | null;
}

/** R1, R2 in one transaction; `attemptId`: see ApplyResultStatus. */
export type ResultStatusStore = (campaignId: number, memberId: number, s: ResultStatus, now: Date, attemptId?: number) => Promise<AppliedStatus>;
