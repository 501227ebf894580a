import type { AgentView } from '../../domain/agent-state.js';
import type { PreviewTimeoutPolicy } from '../../domain/campaign-type.js';
import type { PreviewDecision } from '../../domain/preview.js';
import type { SettlePlan } from './call-store.js';

/** P2: the agent's preview it was asked about is not (or no longer) there. */
export interface NoPreview {
  kind: 'no-preview';
  /** The agent's attempt state now, null for an agent without a call. */
  state: string | null;
}

/**
 * What ending (or accepting) a preview reads: the attempt, its member, the campaign's preview
 * rules and the agent whose call the attempt still is, as they were at one instant.
 */
export interface PreviewSnapshot {
  attemptId: number;
  attemptState: string;
  previewDecision: PreviewDecision | null;
  campaignId: number;
  memberId: number;
  /** The attempt's agent (attempts.agent_id), attached or not. */
  agentId: number | null;
  node: string | null;
  member: { state: string; tries: number; minusTries: number; expireAt: Date | null; version: number };
  campaign: { state: string; version: number; retryWaitSec: number; previewTimeout: PreviewTimeoutPolicy };
  /** The agent whose call this attempt still is (agents.attempt_id), null when none. */
  agent: (AgentView & { id: number; sipUser: string; version: number }) | null;
}

/**
 * The writes that accept or end one preview (preview-plan.ts). Applied in one statement, and
 * only while the attempt is still previewing with `expect.decision` and each other expectation
 * given still holds; otherwise nothing is written.
 */
export interface PreviewPlan {
  attemptId: number;
  memberId: number;
  campaignId: number;
  expect: {
    decision: PreviewDecision | null;
    /** The attempt is still this agent's call (attempts.agent_id, and agents.attempt_id back). */
    agentId?: number;
    agentVersion?: number;
    memberVersion?: number;
    /** The campaign's preview rules and state decided the plan. */
    campaignVersion?: number;
  };
  /** Recorded on the attempt (it stays previewing unless `end`). */
  decision: PreviewDecision;
  /** The preview ends undialled: the attempt kept as skipped, its member and agent written. */
  end: {
    outcome: string;
    agentCause: string;
    comment: string | null;
    endedAt: Date;
    member: SettlePlan['member'];
    agent: SettlePlan['agent'];
  } | null;
}

/** The reads and writes of a preview's life (MySQL: adapters/mysql/preview-store.ts). */
export interface PreviewStore {
  /** The agent's current attempt, as a preview snapshot (null: no call); no-agent when there is no such agent. */
  agentPreview(agentId: number): Promise<{ kind: 'no-agent' } | { kind: 'agent'; snapshot: PreviewSnapshot | null }>;
  /** The attempt as a preview snapshot; null when there is no such attempt. */
  previewSnapshot(attemptId: number): Promise<PreviewSnapshot | null>;
  /** Writes a plan in one statement; false (nothing written) when its expectations no longer hold. */
  applyPreview(plan: PreviewPlan, now: Date): Promise<boolean>;
  /** Previewing → ringing (the agent Receiving), once: false when the preview ended otherwise meanwhile. */
  startCall(attemptId: number, now: Date): Promise<boolean>;
}
