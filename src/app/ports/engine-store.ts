import type { AgentStatus } from '../../domain/agent-state.js';
import type { Calendar } from '../../domain/calendar.js';
import type { EndReason } from '../../domain/dial-reason.js';
import type { WakeUp } from './call-store.js';

export type CampaignSettled = 'finished' | 'stopped' | null;

/** M4: a member as the expiry reads it, with the attempts waiting for its result (C7). */
export interface ExpiryCandidate {
  memberId: number;
  campaignId: number;
  state: string;
  version: number;
  expireAt: Date | null;
  waitingAttemptIds: number[];
}

/**
 * The writes that end expired members (expiry-plan.ts). Each member is written only while it is
 * still at `expectVersion` (any change of it moves the version); its waiting attempts only while
 * they still wait and their member is written.
 */
export interface ExpiryPlan {
  members: { id: number; campaignId: number; expectVersion: number }[];
  member: { state: 'done'; result: string; endedAt: Date };
  attempts: number[];
  attempt: { state: 'done'; outcome: string; releasesMember: true };
}

/** Campaign, member and agent housekeeping around the calls (C10, M4, A2, A5, S3). */
export interface EngineStore {
  /**
   * C10: a running campaign with no member left to dial becomes finished; a stopping one with no
   * live call becomes stopped. Returns the new state, or null when nothing changed. `seenState`:
   * the state the caller just read, so the look before the lock need not read it again.
   */
  settleCampaign(campaignId: number, now: Date, seenState?: 'running'): Promise<CampaignSettled>;
  /** Running campaigns whose calendar end has passed stop (stopping while calls are live). */
  campaignCalendars(): Promise<{ id: number; state: string; calendar: Calendar }[]>;
  /** Stores `reason` with the campaign (issue 13 §1). */
  stopCampaign(campaignId: number, now: Date, reason: EndReason): Promise<CampaignSettled | 'stopping'>;
  /** M4: up to `batch` members that can still be dialled and whose expire instant is `now` or before. */
  expiryCandidates(now: Date, batch: number): Promise<ExpiryCandidate[]>;
  /** Writes an expiry plan in one statement; false when some row was no longer as planned (that row is not written). */
  applyExpiry(plan: ExpiryPlan, now: Date): Promise<boolean>;
  /** The earliest expire instant of a member that can still be dialled. */
  nextExpiry(): Promise<Date | null>;
  /** Every wake-up MySQL implies (startup rebuild, DESIGN §1). */
  pendingWakeUps(now: Date): Promise<WakeUp[]>;
  /** A5: status change by SIP user (service numbers); false when no such agent. */
  setAgentStatusBySipUser(sipUser: string, status: AgentStatus, now: Date): Promise<number | null>;
  /** A2, F3: where each agent's phone is registered. */
  setRegistration(node: string, sipUser: string, contact: string | null): Promise<number | null>;
  /** Returns the agents whose phones the resync concerns (for the live boards). */
  syncRegistrations(node: string, users: { sipUser: string; contact: string }[]): Promise<number[]>;
  /** Agents left Reserved/Receiving/In a queue call without a live attempt (S3). */
  releaseStuckAgents(now: Date): Promise<number>;
  /** Agents still in Wrap up whose wrap-up ended before `endedBefore` (their wake-up was lost). */
  overdueWrapups(endedBefore: Date): Promise<number[]>;
}
