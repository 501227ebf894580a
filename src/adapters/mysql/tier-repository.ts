import type { Knex } from 'knex';
import type { AgentTier, Tier } from '../../contract/agent-schemas.js';
import type { TierWrite, TierStore } from '../../app/ports/tier-store.js';

function toTier(r: Record<string, unknown>): Tier {
  return {
    campaign_id: Number(r.campaign_id),
    agent_id: Number(r.agent_id),
    level: Number(r.level),
    agent_name: String(r.agent_name),
    sip_user: String(r.sip_user),
  };
}

/** A1 tiers: which agents work a campaign, with a level. */
export class TierRepository implements TierStore {
  constructor(private readonly db: Knex) {}

  async list(campaignId: number): Promise<Tier[]> {
    return (await this.query().where('t.campaign_id', campaignId).orderBy(['t.level', 't.agent_id'])).map(toTier);
  }

  /** The campaigns an agent works, by level then campaign. */
  async listForAgent(agentId: number): Promise<AgentTier[]> {
    const rows = await this.db('tiers as t').join('campaigns as c', 'c.id', 't.campaign_id').where('t.agent_id', agentId)
      .orderBy(['t.level', 't.campaign_id']).select('t.campaign_id', 'c.name as campaign_name', 'c.state as campaign_state', 't.level');
    return rows.map((r) => ({
      campaign_id: Number(r.campaign_id), campaign_name: String(r.campaign_name), campaign_state: String(r.campaign_state), level: Number(r.level),
    }));
  }

  async get(campaignId: number, agentId: number): Promise<Tier | undefined> {
    const r = await this.query().where({ 't.campaign_id': campaignId, 't.agent_id': agentId }).first();
    return r ? toTier(r) : undefined;
  }

  /** Adds the agent, or changes its level when it is already assigned. */
  async upsert(campaignId: number, agentId: number, level: number): Promise<TierWrite> {
    if (!(await this.db('campaigns').where({ id: campaignId }).first('id'))) return { kind: 'no-campaign' };
    if (!(await this.db('agents').where({ id: agentId }).first('id'))) return { kind: 'no-agent' };
    const existed = (await this.get(campaignId, agentId)) !== undefined;
    await this.db('tiers').insert({ campaign_id: campaignId, agent_id: agentId, level }).onConflict(['campaign_id', 'agent_id']).merge(['level']);
    return { kind: 'ok', tier: (await this.get(campaignId, agentId))!, created: !existed };
  }

  async updateLevel(campaignId: number, agentId: number, level: number): Promise<Tier | undefined> {
    const n = await this.db('tiers').where({ campaign_id: campaignId, agent_id: agentId }).update({ level });
    return n > 0 ? this.get(campaignId, agentId) : undefined;
  }

  async delete(campaignId: number, agentId: number): Promise<boolean> {
    return (await this.db('tiers').where({ campaign_id: campaignId, agent_id: agentId }).delete()) > 0;
  }

  private query(): Knex.QueryBuilder {
    return this.db('tiers as t')
      .join('agents as a', 'a.id', 't.agent_id')
      .select('t.campaign_id', 't.agent_id', 't.level', 'a.name as agent_name', 'a.sip_user');
  }
}
