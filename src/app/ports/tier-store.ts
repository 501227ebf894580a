import type { AgentTier, Tier } from '../../contract/agent-schemas.js';

export type TierWrite = { kind: 'ok'; tier: Tier; created: boolean } | { kind: 'no-campaign' } | { kind: 'no-agent' };

/** A1 tiers: which agents work a campaign, with a level. */
export interface TierStore {
  list(campaignId: number): Promise<Tier[]>;
  /** The campaigns an agent works, by level then campaign. */
  listForAgent(agentId: number): Promise<AgentTier[]>;
  get(campaignId: number, agentId: number): Promise<Tier | undefined>;
  /** Adds the agent, or changes its level when it is already assigned. */
  upsert(campaignId: number, agentId: number, level: number): Promise<TierWrite>;
  updateLevel(campaignId: number, agentId: number, level: number): Promise<Tier | undefined>;
  delete(campaignId: number, agentId: number): Promise<boolean>;
}
