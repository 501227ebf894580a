import type { Knex } from 'knex';
import type { AgentCall, AgentDeskStore } from '../../app/agent-desk/agent-desk-store.js';
import { PREVIOUS_ATTEMPTS_SHOWN, type DeskCall, type DeskState } from '../../contract/agent-desk-schemas.js';
import { endWrapupEarly, type EarlyWrapupEnd } from '../../domain/agent-state.js';
import { AgentRepository } from './agent-repository.js';
import { withRetry } from './deadlock.js';
import { toAttempt } from './member-repository.js';
import { fromJsonColumn } from './row-mapping.js';
import { AGENT_COLUMNS, agentViewColumns, toAgentView } from './row-mappers.js';

/** States of an attempt whose call is not over yet (as in call-store.ts). */
const LIVE_STATES = new Set(['previewing', 'reserved', 'ringing_agent', 'bridging', 'talking']);

/** W4: the agent desk over MySQL. An agent's calls are its attempts, newest first (index attempts_agent). */
export class MysqlAgentDeskStore implements AgentDeskStore {
  private readonly agents: AgentRepository;

  constructor(private readonly db: Knex) {
    this.agents = new AgentRepository(db);
  }

  async agentExists(agentId: number): Promise<boolean> {
    return (await this.db('agents').where('id', agentId).first('id')) !== undefined;
  }

  async lastCall(agentId: number): Promise<AgentCall | undefined> {
    const a = await this.lastAttempt(this.db, agentId).first('id', 'campaign_id', 'member_id', 'agent_answered_at', 'state', 'node', 'agent_uuid');
    if (!a) return undefined;
    return {
      attemptId: Number(a.id), campaignId: Number(a.campaign_id), memberId: Number(a.member_id), agentAnswered: a.agent_answered_at !== null,
      state: String(a.state), node: a.node === null ? null : String(a.node), agentLegUuid: a.agent_uuid === null ? null : String(a.agent_uuid),
    };
  }

  endWrapupEarly(agentId: number, now: Date): Promise<EarlyWrapupEnd['kind'] | 'not-found'> {
    return withRetry(() => this.db.transaction(async (trx) => {
      const row = await trx('agents').where({ id: agentId }).forUpdate().first(...AGENT_COLUMNS);
      if (!row) return 'not-found' as const;
      // The wrap-up follows the agent's last call; its campaign decides.
      const last = await this.lastAttempt(trx, agentId).first('campaign_id');
      const c = last ? await trx('campaigns').where('id', last.campaign_id).first('allow_end_wrap_up_early') : undefined;
      const out = endWrapupEarly(toAgentView(row), Boolean(c?.allow_end_wrap_up_early), now);
      if (out.kind === 'ended') {
        await trx('agents').where('id', agentId).update({ ...agentViewColumns(out.agent, now), version: trx.raw('version + 1') });
      }
      return out.kind;
    }));
  }

  async state(agentId: number): Promise<DeskState | undefined> {
    const agent = await this.agents.get(agentId);
    if (!agent) return undefined;
    const row = await this.lastAttempt(this.db, agentId).first();
    return {
      agent,
      wrap_up_ends_at: agent.state === 'Wrap up' ? agent.ready_at : null,
      call: row ? await this.card(row) : null,
    };
  }

  private lastAttempt(db: Knex, agentId: number) {
    return db('attempts').where('agent_id', agentId).orderBy('id', 'desc');
  }

  /** W3: the member card of one attempt; null when its member was deleted meanwhile (its attempts go with it). */
  private async card(row: Record<string, unknown>): Promise<DeskCall | null> {
    const attempt = toAttempt(row);
    const campaignId = Number(row.campaign_id);
    const memberId = Number(row.member_id);
    const [c, m, earlier, before] = await Promise.all([
      this.db('campaigns').where('id', campaignId).first('id', 'name', 'wait_result', 'allow_end_wrap_up_early'),
      this.db('members').where('id', memberId).first('id', 'name', 'priority', 'variables', 'state', 'tries', 'result'),
      this.db('attempts').where('member_id', memberId).where('id', '<', attempt.id).orderBy('id', 'desc').limit(PREVIOUS_ATTEMPTS_SHOWN),
      this.db('attempts').where('member_id', memberId).where('id', '<', attempt.id).count({ n: '*' }).first(),
    ]);
    if (!c || !m) return null;
    return {
      live: LIVE_STATES.has(attempt.state),
      attempt,
      campaign: { id: Number(c.id), name: String(c.name), wait_result: Boolean(c.wait_result), allow_end_wrap_up_early: Boolean(c.allow_end_wrap_up_early) },
      member: {
        id: Number(m.id), name: String(m.name), priority: Number(m.priority), variables: fromJsonColumn(m.variables, {}),
        state: String(m.state), tries: Number(m.tries), result: m.result === null ? null : String(m.result),
      },
      number: attempt.number,
      try_number: Number(before?.n ?? 0) + 1,
      previous_attempts: earlier.map(toAttempt),
    };
  }
}
