import type { Knex } from 'knex';
import type { MemberLegPlan, NailedLegWanted, PredictiveStore } from '../../app/ports/predictive-store.js';
import { onAgentAnswered } from '../../domain/agent-state.js';
import { callVariables } from '../../domain/call-variables.js';
import { withRetry } from './deadlock.js';
import { fromJsonColumn } from './row-mapping.js';
import { AGENT_COLUMNS, agentViewColumns, toAgentView } from './row-mappers.js';

/** P3: the predictive call flow's writes (src/app/ports/predictive-store.ts). */
export class MysqlPredictiveStore implements PredictiveStore {
  constructor(private readonly db: Knex) {}

  markMemberDialling(attemptId: number, memberUuid: string, now: Date): Promise<MemberLegPlan | null> {
    return this.#tx(async (trx) => {
      const a = await trx('attempts').where({ id: attemptId, state: 'reserved' }).forUpdate().first();
      if (!a) return null;
      await trx('attempts').where('id', attemptId).update({ state: 'ringing_agent', member_uuid: memberUuid });
      // The agent is about to receive the subscriber on its nailed-up leg.
      await trx('agents').where({ id: a.agent_id, attempt_id: attemptId, state: 'Reserved' })
        .update({ state: 'Receiving', version: trx.raw('version + 1'), updated_at: now });
      const [m, c] = await Promise.all([
        trx('members').where('id', a.member_id).first('id', 'variables'),
        trx('campaigns').where('id', a.campaign_id).first('id', 'name', 'variables', 'min_ring_sec', 'info_message', 'dnc_opt_out_key'),
      ]);
      const variables = callVariables(fromJsonColumn<Record<string, unknown>>(c?.variables, {}), fromJsonColumn<Record<string, unknown>>(m?.variables, {}),
        { campaignId: a.campaign_id, memberId: a.member_id, attemptId: a.id, agentId: a.agent_id });
      return {
        number: a.number as string,
        minRingSec: Number(c?.min_ring_sec ?? 15),
        infoMessage: (c?.info_message as string | null) ?? null,
        optOutKey: (c?.dnc_opt_out_key as string | null) ?? null,
        variables,
        callerIdNumber: variables.dialer_caller_id_number ?? '',
        callerIdName: variables.dialer_caller_id_name ?? (c?.name as string | undefined) ?? '',
      };
    });
  }

  markBridged(attemptId: number, memberUuid: string, answeredAt: Date, now: Date): Promise<void> {
    return this.#tx(async (trx) => {
      const a = await trx('attempts').where('id', attemptId).whereIn('state', ['reserved', 'ringing_agent', 'bridging']).forUpdate().first('id', 'agent_id');
      if (!a) return;
      await trx('attempts').where('id', attemptId)
        .update({ state: 'talking', member_uuid: memberUuid, answered_at: answeredAt, agent_answered_at: answeredAt });
      const agent = await trx('agents').where({ id: a.agent_id, attempt_id: attemptId }).forUpdate().first(...AGENT_COLUMNS);
      if (agent) {
        await trx('agents').where('id', agent.id)
          .update({ ...agentViewColumns(onAgentAnswered(toAgentView(agent), now), now), version: trx.raw('version + 1') });
      }
    });
  }

  async campaignsAskingAmd(): Promise<number[]> {
    const ids = await this.db('campaigns').where({ type: 'predictive', state: 'running', amd: true }).orderBy('id').pluck('id');
    return (ids as number[]).map(Number);
  }

  async memberUuidOf(attemptId: number): Promise<string | null> {
    const a = await this.db('attempts').where('id', attemptId).first('member_uuid');
    return (a?.member_uuid as string | null | undefined) ?? null;
  }

  async optOut(attemptId: number, now: Date): Promise<void> {
    const a = await this.db('attempts').where('id', attemptId).first('campaign_id', 'number');
    if (!a) return;
    await this.db('dnc').insert({ campaign_id: a.campaign_id, number: a.number, created_at: now }).onConflict().ignore();
  }

  takeNailedLegsWanted(upNodes: string[], now: Date, uuidFor: (agentId: number) => string): Promise<(NailedLegWanted & { legUuid: string })[]> {
    if (upNodes.length === 0) return Promise.resolve([]);
    return this.#tx(async (trx) => {
      const nodes = upNodes.map(() => '?').join(',');
      const rows = await trx('agents as a')
        .whereNull('a.nailed_uuid')
        .where({ 'a.status': 'Available', 'a.state': 'Waiting' })
        .where('a.ready_at', '<=', now)
        .whereExists((q) => q.select(trx.raw('1')).from('tiers as t').join('campaigns as c', 'c.id', 't.campaign_id')
          .whereRaw('t.agent_id = a.id').where({ 'c.type': 'predictive', 'c.state': 'running' }))
        .whereRaw(`EXISTS (SELECT 1 FROM registrations r WHERE r.sip_user = a.sip_user AND r.node IN (${nodes}))`, upNodes)
        .select('a.id', 'a.sip_user', 'a.call_timeout',
          trx.raw(`(SELECT r.node FROM registrations r WHERE r.sip_user = a.sip_user AND r.node IN (${nodes}) ORDER BY r.updated_at DESC LIMIT 1) AS node`, upNodes))
        .forUpdate().skipLocked();
      const out: (NailedLegWanted & { legUuid: string })[] = [];
      for (const r of rows) {
        const legUuid = uuidFor(r.id);
        await trx('agents').where('id', r.id).update({ nailed_uuid: legUuid, nailed_node: null });
        out.push({ agentId: r.id, sipUser: r.sip_user, node: r.node, ringSec: r.call_timeout, legUuid });
      }
      return out;
    });
  }

  async nailedLegUp(agentId: number, legUuid: string, node: string): Promise<boolean> {
    return (await withRetry(() => this.db('agents').where({ id: agentId, nailed_uuid: legUuid }).update({ nailed_node: node }))) === 1;
  }

  nailedLegGone(legUuid: string, now: Date, breakAgent: boolean): Promise<number | null> {
    return this.#tx(async (trx) => {
      const agent = await trx('agents').where('nailed_uuid', legUuid).forUpdate().first('id', 'state', 'status');
      if (!agent) return null;
      const hangUp = breakAgent && agent.status === 'Available';
      await trx('agents').where('id', agent.id).update({
        nailed_uuid: null, nailed_node: null,
        ...(hangUp ? { status: 'On Break', version: trx.raw('version + 1'), updated_at: now } : {}),
      });
      return agent.id as number;
    });
  }

  async nailedLegsToRelease(): Promise<{ agentId: number; legUuid: string; node: string }[]> {
    // every pass asks: the index on nailed_uuid answers at once when no agent has a leg
    if (!(await this.db('agents').whereNotNull('nailed_uuid').first('id'))) return [];
    const rows = await this.db('agents as a')
      .whereNotNull('a.nailed_node')
      .where('a.state', 'Waiting')
      .where((w) => w.whereNot('a.status', 'Available').orWhereNotExists((q) => q.select(this.db.raw('1')).from('tiers as t')
        .join('campaigns as c', 'c.id', 't.campaign_id').whereRaw('t.agent_id = a.id').where({ 'c.type': 'predictive', 'c.state': 'running' })))
      .select('a.id', 'a.nailed_uuid', 'a.nailed_node');
    return rows.map((r) => ({ agentId: r.id, legUuid: r.nailed_uuid, node: r.nailed_node }));
  }

  async nailedLegs(): Promise<{ agentId: number; legUuid: string; node: string | null }[]> {
    const rows = await this.db('agents').whereNotNull('nailed_uuid').select('id', 'nailed_uuid', 'nailed_node');
    return rows.map((r) => ({ agentId: r.id, legUuid: r.nailed_uuid, node: r.nailed_node }));
  }

  #tx<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return withRetry(() => this.db.transaction(fn, { isolationLevel: 'read committed' }));
  }
}
