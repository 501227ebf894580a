import type { AgentView } from '../../domain/agent-state.js';
import type { Calendar } from '../../domain/calendar.js';
import type { SettleSnapshot } from './call-store.js';

/** A running campaign as dispatch sees it. */
export interface RunningCampaign {
  id: number;
  priority: number;
  limit: number;
  lineGroupId: number | null;
  calendar: Calendar;
  /** Distinct member time zones of the campaign (K3). */
  zones: string[];
  /** P1: a predictive campaign's agents sit on nailed-up legs (P3). */
  predictive?: boolean;
}

/** Where a campaign may dial now: the zones whose local window is open (K3). */
export interface OpenCampaign {
  id: number;
  predictive?: boolean;
  lineGroupId: number | null;
  /** Members without a zone of their own follow the calendar's zone. */
  calendarZoneOpen: boolean;
  openZones: string[];
}

/** Which agents may take a call now (A2, W2): read without locks. */
export interface AgentSearch {
  now: Date;
  /** FreeSWITCH nodes that are up: only agents registered there are offered calls (A2, F3). */
  upNodes: string[];
  campaigns: OpenCampaign[];
  /** W2: agents with a CTI client connected; an agent with requires_client is offered calls only when listed (absent: none). */
  presentAgentIds?: number[];
  /** Agents already found unusable (or already tried) in this pass. */
  excludeAgentIds: number[];
}

export interface ClaimInput extends AgentSearch {
  instanceId: string;
  leaseUntil: Date;
  /** The agent to claim (one of a search's, readyAgents): the claim takes that agent or none. */
  agentId: number;
}

/** Everything needed to ring the agent, read in the claim transaction. */
export interface ClaimedAttempt {
  attemptId: number;
  campaignId: number;
  memberId: number;
  communicationId: number;
  number: string;
  agentId: number;
  sipUser: string;
  node: string;
  agentLegUuid: string;
  ringSec: number;
  /** P2: a preview, not rung until its agent accepts or this instant passes; null: ring at once. */
  previewUntil: Date | null;
  /** Read by the claim for the bridge (A4, C8), so the answered leg needs no read of its own. */
  bridge?: BridgeFacts;
  /** The attempt's rows as the claim, its ringing and its bridge leave them: where settling the call starts. */
  settleOnceBridged?: SettleSnapshot;
}

/** What the bridge of a claimed attempt needs, as the claim read it. */
export interface BridgeFacts {
  campaignId: number;
  memberId: number;
  agentId: number;
  number: string;
  memberVariables: Record<string, unknown>;
  campaignVariables: Record<string, unknown>;
  campaignName: string;
  /** The agent before its reservation (A3: what answering changes is written, nothing else). */
  agent: AgentView;
}

export type ClaimResult =
  | { kind: 'claimed'; attempt: ClaimedAttempt }
  /**
   * No agent can take a call in these campaigns now; with `agentId`: that agent cannot (another
   * claim holds it, or it is no longer ready).
   */
  | { kind: 'no-agent' }
  /**
   * The agent found had nothing to dial: its campaigns are full or have no dialable member.
   * `fullLineGroupIds`: line groups found full. `agentMayRetry`: a campaign filled up during
   * the claim; the agent may try the others.
   */
  | { kind: 'agent-idle'; agentId: number; exhaustedCampaignIds: number[]; fullLineGroupIds: number[]; agentMayRetry: boolean };

export interface DispatchStore {
  runningCampaigns(): Promise<RunningCampaign[]>;
  /** A2: up to `limit` ready agents of these campaigns, best first; one statement, no transaction, no locks. */
  readyAgents(search: AgentSearch, limit: number): Promise<number[]>;
  /** C2, C3, M3, A2 in one READ COMMITTED transaction (DESIGN §2 step 2). */
  claimNext(input: ClaimInput): Promise<ClaimResult>;
}
