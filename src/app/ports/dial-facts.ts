import type { CampaignFacts, DialReason, NodeFact } from '../../domain/dial-reason.js';
import type { RunningCampaign } from './dispatch-store.js';

/** What a campaign's facts need beside the running campaign itself: where it may dial now. */
export interface FactsQuery {
  campaign: RunningCampaign;
  calendarZoneOpen: boolean;
  openZones: string[];
}

/** Issue 13 §1: the facts the claim checks, read for many campaigns at once, and the reasons kept. */
export interface DialFactsStore {
  /** Facts by campaign id, without the nodes (the engine's own view); the reason stored now beside. */
  gather(queries: FactsQuery[], upNodes: string[], now: Date): Promise<Map<number, { facts: Omit<CampaignFacts, 'nodes'>; stored: string | null }>>;
  /** Records this process's view of its nodes (`seen_at` = now). */
  shareNodes(instanceId: string, nodes: NodeFact[], now: Date): Promise<void>;
  /** Every process's views written after `seenAfter` (older ones are of processes gone). */
  nodeViews(seenAfter: Date): Promise<Array<NodeFact & { instanceId: string }>>;
  /** Stores the reason of a campaign still running; false when it was not (any more). */
  saveReason(campaignId: number, reason: DialReason): Promise<boolean>;
}
