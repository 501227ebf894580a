import type { Knex } from 'knex';
import type { AgentBoardRow, CampaignBoardRow } from '../../app/ports/live-board.js';

/*
 * What the live boards show (issue: live boards), read from MySQL, the truth, when the
 * engine says something changed. Rows are read by id so a burst of events costs one query
 * per table, not one per event.
 */

const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string).toISOString());
const num = (v: unknown): number => Number(v ?? 0);

export class LiveBoardStore {
  constructor(private readonly db: Knex) {}

  /** Agents by id, or all when `ids` is undefined; a deleted agent is simply absent. */
  async agents(now: Date, ids?: readonly number[]): Promise<AgentBoardRow[]> {
    if (ids && ids.length === 0) return [];
    const q = this.db('agents as a')
      .leftJoin('attempts as t', 't.id', 'a.attempt_id')
      .select('a.id', 'a.name', 'a.sip_user', 'a.status', 'a.state', 'a.no_answer_count', 'a.ready_at',
        // A2: the node the phone is registered on, as the agents API reports it.
        this.db.raw('(SELECT r.node FROM registrations r WHERE r.sip_user = a.sip_user ORDER BY r.updated_at DESC LIMIT 1) AS registered_node'),
        't.id as t_id', 't.campaign_id as t_campaign', 't.member_id as t_member', 't.number as t_number', 't.state as t_state',
        't.created_at as t_created', 't.answered_at as t_answered')
      .orderBy('a.name')
      .orderBy('a.id');
    if (ids) q.whereIn('a.id', ids);
    const rows = (await q) as Array<Record<string, unknown>>;
    return rows.map((r) => {
      const readyAt = iso(r.ready_at);
      const live = r.t_id != null && r.t_state !== 'done';
      return {
        id: num(r.id),
        name: String(r.name),
        sip_user: String(r.sip_user),
        status: String(r.status),
        state: String(r.state),
        registered_node: (r.registered_node as string | null) ?? null,
        no_answer_count: num(r.no_answer_count),
        ready_at: readyAt,
        ready_in_ms: readyAt ? Math.max(0, Date.parse(readyAt) - now.getTime()) : 0,
        call: live
          ? {
              attempt_id: num(r.t_id),
              campaign_id: num(r.t_campaign),
              member_id: num(r.t_member),
              number: String(r.t_number),
              state: String(r.t_state),
              since: iso(r.t_created),
              answered_at: iso(r.t_answered),
            }
          : null,
      };
    });
  }

  /** Campaigns by id, or all when `ids` is undefined. */
  async campaigns(ids?: readonly number[]): Promise<CampaignBoardRow[]> {
    if (ids && ids.length === 0) return [];
    const scope = <T extends Knex.QueryBuilder>(q: T, col: string): T => (ids ? (q.whereIn(col, ids) as T) : q);
    const [camps, states, results, attempts] = await Promise.all([
      scope(this.db('campaigns').select('id', 'name', 'state', 'call_limit').orderBy('priority', 'desc').orderBy('id'), 'id'),
      scope(this.db('members').select('campaign_id', 'state').count({ n: '*' }).groupBy('campaign_id', 'state'), 'campaign_id'),
      scope(this.db('members').where('state', 'done').select('campaign_id', 'result').count({ n: '*' }).groupBy('campaign_id', 'result'),
        'campaign_id'),
      scope(this.db('attempts').select('campaign_id')
        .select(this.db.raw('SUM(active_member IS NOT NULL) AS live'))
        .select(this.db.raw("SUM(outcome IS NULL OR outcome <> 'agent_failed') AS dialled"))
        .select(this.db.raw("COUNT(DISTINCT CASE WHEN outcome = 'success' THEN member_id END) AS succeeded"))
        .groupBy('campaign_id'), 'campaign_id'),
    ]);
    const byId = new Map<number, CampaignBoardRow>();
    for (const c of camps as Array<Record<string, unknown>>) {
      byId.set(num(c.id), {
        id: num(c.id), name: String(c.name), state: String(c.state), limit: num(c.call_limit), live_calls: 0,
        members: { ready: 0, dialing: 0, waiting_result: 0, done: 0, total: 0 },
        dialled: 0, succeeded: 0, failed: 0, remaining: 0, results: {},
      });
    }
    for (const s of states as Array<Record<string, unknown>>) {
      const c = byId.get(num(s.campaign_id));
      if (!c) continue;
      const n = num(s.n);
      c.members[s.state as keyof CampaignBoardRow['members']] = n;
      c.members.total += n;
    }
    for (const r of results as Array<Record<string, unknown>>) {
      const c = byId.get(num(r.campaign_id));
      if (c) c.results[(r.result as string | null) ?? 'UNKNOWN'] = num(r.n);
    }
    for (const a of attempts as Array<Record<string, unknown>>) {
      const c = byId.get(num(a.campaign_id));
      if (!c) continue;
      c.live_calls = num(a.live);
      c.dialled = num(a.dialled);
      c.succeeded = num(a.succeeded);
    }
    for (const c of byId.values()) {
      // A member whose success was later undone by a result status is counted by its final state.
      c.succeeded = Math.min(c.succeeded, c.members.done);
      c.failed = c.members.done - c.succeeded;
      c.remaining = c.members.total - c.members.done;
    }
    return [...byId.values()];
  }
}
