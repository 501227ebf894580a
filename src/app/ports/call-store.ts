import type { BridgePlan } from './telephony.js';
import type { BridgeFacts } from './dispatch-store.js';
import type { AgentView } from '../../domain/agent-state.js';
import type { CampaignRules, MemberDecision } from '../../domain/attempt-rules.js';
import type { CommunicationView } from '../../domain/result-status.js';
import type { ResultStatus, ResultStatusOutcome } from './result-status.js';

/** A wake-up the caller must arm after a write (DESIGN §1: MySQL first, then the timer). */
export type WakeUp =
  /** memberId null: the earliest ready member of the campaign (startup rebuild). */
  | { kind: 'member-ready'; campaignId: number; memberId: number | null; at: Date }
  | { kind: 'agent-ready'; agentId: number; at: Date }
  | { kind: 'wrapup-end'; agentId: number; at: Date }
  | { kind: 'result-deadline'; attemptId: number; at: Date };

export type SettleResult =
  | {
      kind: 'settled'; campaignId: number; memberId: number; agentId: number | null; decision: MemberDecision | null; wakeUps: WakeUp[];
      /** The campaign's state as the settle read it (C10: a running one can only finish when a member ended). */
      campaignState?: string;
    }
  /** Already settled (a duplicate or late event): nothing changed. */
  | { kind: 'already-settled' };

/**
 * What settling an attempt reads: the attempt, its member and the member's numbers, the
 * campaign's rules and the agent still attached to the attempt, as they were at one instant.
 */
export interface SettleSnapshot {
  attemptId: number;
  attemptState: string;
  /**
   * For a snapshot kept in memory (the claim's, as its own writes leave the rows once bridged):
   * the states the attempt may be in, any of which the settle accepts.
   */
  attemptStateOneOf?: string[];
  campaignId: number;
  memberId: number;
  communicationId: number;
  agentId: number | null;
  node: string | null;
  memberUuid: string | null;
  /** When the call ended, as recorded (an attempt waiting for its result, C7). */
  endedAt: Date | null;
  /** R1: a status stored on the attempt while its call was live. */
  resultStatus: ResultStatus | null;
  member: { state: string; tries: number; minusTries: number; expireAt: Date | null; version: number };
  communications: CommunicationView[];
  rules: CampaignRules;
  campaignState: string;
  /** Moves with every change of the campaign's rules or state. */
  campaignVersion: number;
  /** The agent whose call this attempt still is (agents.attempt_id), null when none. */
  agent: (AgentView & { id: number; sipUser: string; version: number }) | null;
}

/**
 * The writes that settle one attempt (settle-plan.ts). Applied in one statement, and only while
 * the attempt is still in one of `expectAttemptStates` (with no status stored since, when so
 * expected), the member at `expectMemberVersion`, the campaign at `expectCampaignVersion` and,
 * when not null, the attempt's agent at `expectAgentVersion`; otherwise nothing is written.
 */
export interface SettlePlan {
  attemptId: number;
  memberId: number;
  campaignId: number;
  expectAttemptStates: string[];
  expectMemberVersion: number;
  expectCampaignVersion: number;
  expectAgentVersion: number | null;
  /** R1: no status was stored on the attempt when the snapshot was read. */
  expectNoResultStatus: boolean;
  attempt: {
    state: 'done' | 'waiting_result';
    outcome: string;
    memberUuid?: string | null;
    answeredAt?: Date | null;
    endedAt?: Date;
    hangupCause?: string;
    talkSec?: number;
    /** P3: the information message of an abandoned call. */
    messageAt?: Date | null;
    agentCause?: string;
    resultDeadlineAt?: Date | null;
    /** C2: the attempt no longer holds a line of its campaign and line group. */
    leavesLine: boolean;
    /** The member may be called again by another attempt (the attempt's hold on it ends). */
    releasesMember: boolean;
  };
  /** The number called: its try counted (or not), its last cause, stopped or not. */
  communication: { id: number; countTry: boolean; lastCause: string; stop: boolean } | null;
  member: { state: 'done' | 'ready' | 'waiting_result'; tries: number; minusTries: number; readyAt?: Date; result?: string | null; endedAt?: Date };
  /** The agent leaves the attempt in this state. */
  agent: { id: number; view: AgentView } | null;
  /** A3: the agent's registration on the node is known stale. */
  dropRegistration: { sipUser: string; node: string } | null;
}

/** The writes of one attempt's life, each one transaction and safe to repeat (S3). */
export interface CallStore {
  /** Reserved → ringing: the originate is being sent. */
  markRinging(attemptId: number, now: Date): Promise<void>;
  /**
   * The answered agent leg asks what to dial (A4); `hangup` when the attempt is no longer live.
   * `known`: what the claim read, so nothing needs reading again.
   */
  planBridge(attemptId: number, agentLegUuid: string, now: Date, known?: BridgeFacts): Promise<BridgePlan>;
  markMemberAnswered(attemptId: number, memberUuid: string | null, at: Date): Promise<void>;
  /** The rows settling the attempt reads; null when there is no such attempt. */
  settleSnapshot(attemptId: number): Promise<SettleSnapshot | null>;
  /** Writes a settle plan in one statement; false (nothing written) when its expectations no longer hold. */
  applySettle(plan: SettlePlan, now: Date): Promise<boolean>;
  /** A3: wrap-up over, the agent is Waiting again (only when in Wrap up and its time has come). */
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
