import type { AbandonCounts, EndedDial, PacerDecision, PacerInputs, PacerState, TalkingAgent } from '../../domain/pacer.js';
import type { NodeAgents } from '../../domain/line-split.js';
import type { OpenCampaign } from './dispatch-store.js';

/** P3, P4: what the pacer of one predictive campaign is fed from MySQL (DESIGN §8). */
export interface PacerFacts {
  inputs: Omit<PacerInputs, 'answeredWaiting'>;
  abandonCapPct: number;
  abandonTargetPct: number;
  /** F3: the campaign's agents on nailed-up legs and its lines in flight, per node (lines go where agents are: the bridge needs both legs on one switch). */
  nodes: NodeAgents[];
}

/** A line the pacer dials: a member claimed with no agent (the agent is claimed at the answer). */
export interface ClaimedLine {
  attemptId: number;
  campaignId: number;
  memberId: number;
  node: string;
}

export interface PacerStore {
  /**
   * Holds the pacer of a campaign for this process (one process at a time; released when it dies):
   * 'taken' when this process did not hold it just before (its state is then read again: another
   * process may have paced it meanwhile), 'kept' when it still held it, false when another does.
   */
  hold(campaignId: number): Promise<'taken' | 'kept' | false>;
  release(campaignId: number): Promise<void>;
  facts(campaignId: number, now: Date): Promise<PacerFacts | null>;
  /**
   * Up to `n` members of the campaign claimed without an agent, within C2/C3 and its open zones
   * (K3), on `node`; P6: no member whose call was abandoned in the last 72 hours.
   */
  claimLines(campaign: OpenCampaign, n: number, node: string, now: Date, instanceId: string, leaseUntil: Date): Promise<ClaimedLine[]>;
  /** At the answer: an idle agent of the campaign on a nailed-up leg on that node, now in this call; null: none. */
  claimAgentAt(attemptId: number, now: Date): Promise<{ agentId: number; nailedUuid: string } | null>;
  /** The controller state the campaign's last holder kept (a takeover goes on from it); null: never paced. */
  loadState(campaignId: number): Promise<PacerState | null>;
  /** Keeps the controller state and the decision taken with it (the live boards show the decision). */
  saveState(campaignId: number, state: PacerState, decision: PacerDecision, at: Date, heldBy: string): Promise<void>;
}

export type { AbandonCounts, EndedDial, TalkingAgent };
