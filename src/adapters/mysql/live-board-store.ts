import type { Knex } from 'knex';
import { reasonView } from '../../domain/dial-reason.js';
import type { AgentBoardRow } from '../../contract/live-board.js';
import type { CampaignCounts, CampaignHead, LiveBoardReader } from '../../app/ports/live-board.js';
import { countsAsDialled, succeededAndFailed } from '../../domain/campaign-figures.js';
import type { ComplianceWindow } from '../../domain/campaign-type.js';
import { complianceFigures, complianceWindowStart } from '../../domain/compliance.js';
import type { CampaignPacing, PacerDecisionView } from '../../contract/live-board.js';

/*
 * What the live boards show (issue: live boards), read from MySQL, the truth, when the
 * live feed says something changed. Rows are read by id so a burst of events costs one query
 * per table, not one per event.
 */

const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string).toISOString());
const num = (v: unknown): number => Number(v ?? 0);

export class LiveBoardStore implements LiveBoardReader {
  /** @param presentAgents W2: agents with a CTI client connected (Redis); absent: nobody is shown online. */
  constructor(private readonly db: Knex, private readonly presentAgents?: () => Promise<number[]>) {}

  /** Agents by id, or all when `ids` is undefined; a deleted agent is simply absent. */
  async agents(now: Date, ids?: readonly number[]): Promise<AgentBoardRow[]> {
    if (ids && ids.length === 0) return [];
    const q = this.db('agents as a')
      .leftJoin('attempts as t', 't.id', 'a.attempt_id')
      .select('a.id', 'a.name', 'a.sip_user', 'a.status', 'a.state', 'a.no_answer_count', 'a.ready_at', 'a.idle_since', 'a.state_since', 'a.requires_client',
        // A2: the node the phone is registered on, as the agents API reports it.
        this.db.raw('(SELECT r.node FROM registrations r WHERE r.sip_user = a.sip_user ORDER BY r.updated_at DESC LIMIT 1) AS registered_node'),
        this.db.raw('(SELECT r.contact FROM registrations r WHERE r.sip_user = a.sip_user ORDER BY r.updated_at DESC LIMIT 1) AS registered_contact'),
        't.id as t_id', 't.campaign_id as t_campaign', 't.member_id as t_member', 't.number as t_number', 't.state as t_state',
        't.created_at as t_created', 't.answered_at as t_answered')
      .orderBy('a.name')
      .orderBy('a.id');
    if (ids) q.whereIn('a.id', ids);
    const [rows, present] = await Promise.all([q as Promise<Array<Record<string, unknown>>>,
      // A board without presence still shows everything else.
      this.presentAgents?.().then((ids) => new Set(ids), () => new Set<number>()) ?? new Set<number>()]);
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
        registered_contact: (r.registered_contact as string | null) || null,
        requires_client: Boolean(r.requires_client),
        client_online: present.has(num(r.id)),
        no_answer_count: num(r.no_answer_count),
        ready_at: readyAt,
        idle_since: iso(r.idle_since),
        state_since: iso(r.state_since),
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

  /** Campaigns' own fields and live calls, by id or all; in board order (priority, then id). */
  async campaignHeads(now: Date, ids?: readonly number[]): Promise<CampaignHead[]> {
    if (ids && ids.length === 0) return [];
    const camps = this.db('campaigns').select('id', 'name', 'state', 'call_limit', 'line_group_id', 'reason').orderBy('priority', 'desc').orderBy('id');
    // C2: the calls holding a line of the campaign, as the limit counts them (index on live_campaign).
    const live = this.db('attempts').select('live_campaign').count({ n: '*' }).groupBy('live_campaign');
    if (ids) {
      camps.whereIn('id', ids);
      live.whereIn('live_campaign', ids);
    } else {
      live.whereNotNull('live_campaign');
    }
    // The dial level's other bounds: the line groups (few rows) with their lines in use (index on
    // live_line_group), and the agents who could take a call now (tiers, then one agent row each).
    const groups = this.db('line_groups').select('id', 'name', 'capacity');
    const groupLive = this.db('attempts').whereNotNull('live_line_group').select('live_line_group').count({ n: '*' }).groupBy('live_line_group');
    const ready = this.db('tiers as t').join('agents as a', 'a.id', 't.agent_id').where('a.status', 'Available')
      .whereExists((r) => r.from('registrations as r').whereRaw('r.sip_user = a.sip_user'))
      .select('t.campaign_id').count({ n: '*' }).groupBy('t.campaign_id');
    if (ids) ready.whereIn('t.campaign_id', ids);
    const [rows, lives, gs, gLives, readies] = (await Promise.all([camps, live, groups, groupLive, ready])) as Array<Array<Record<string, unknown>>>;
    const liveOf = new Map(lives!.map((l) => [num(l.live_campaign), num(l.n)]));
    const groupLiveOf = new Map(gLives!.map((l) => [num(l.live_line_group), num(l.n)]));
    const groupOf = new Map(gs!.map((g) => [num(g.id), { id: num(g.id), name: String(g.name), capacity: num(g.capacity), live_calls: groupLiveOf.get(num(g.id)) ?? 0 }]));
    const readyOf = new Map(readies!.map((r) => [num(r.campaign_id), num(r.n)]));
    return rows!.map((c) => ({
      id: num(c.id), name: String(c.name), state: String(c.state), limit: num(c.call_limit), live_calls: liveOf.get(num(c.id)) ?? 0,
      line_group: c.line_group_id == null ? null : groupOf.get(num(c.line_group_id)) ?? null,
      agents_ready: readyOf.get(num(c.id)) ?? 0,
      reason: reasonView(c.reason, now),
    }));
  }

  /**
   * Members by state and result, and attempts by outcome, of campaigns by id or all. Each query
   * reads one index only (members_board, attempts_board), never the rows: still a scan of the
   * campaign's entries, so callers share and space these reads (LiveBoards).
   */
  async campaignCounts(ids?: readonly number[]): Promise<CampaignCounts[]> {
    if (ids && ids.length === 0) return [];
    const scope = <T extends Knex.QueryBuilder>(q: T): T => (ids ? (q.whereIn('campaign_id', ids) as T) : q);
    const [members, outcomes, successes, due] = (await Promise.all([
      scope(this.db('members').select('campaign_id', 'state', 'result').count({ n: '*' }).groupBy('campaign_id', 'state', 'result')),
      scope(this.db('attempts').select('campaign_id', 'outcome').count({ n: '*' }).groupBy('campaign_id', 'outcome')),
      scope(this.db('attempts').where('outcome', 'success').select('campaign_id').countDistinct({ n: 'member_id' }).groupBy('campaign_id')),
      // The next due member, per priority: reads members_dispatch (campaign_id, state, priority,
      // ready_at) only, the campaign's ready entries, like the counts above (EXPLAIN on 10.11:
      // "Using index"; no loose scan because priority is descending in it).
      scope(this.db('members').where('state', 'ready').select('campaign_id', 'priority').min({ at: 'ready_at' }).groupBy('campaign_id', 'priority')),
    ])) as Array<Array<Record<string, unknown>>>;
    const byId = new Map<number, CampaignCounts>();
    const row = (id: number): CampaignCounts => {
      let c = byId.get(id);
      if (!c) {
        c = { id, members: { ready: 0, dialing: 0, waiting_result: 0, done: 0, total: 0 }, dialled: 0, succeeded: 0, failed: 0, remaining: 0, results: {}, next_due_at: null };
        byId.set(id, c);
      }
      return c;
    };
    for (const m of members!) {
      const c = row(num(m.campaign_id));
      const n = num(m.n);
      c.members[m.state as keyof CampaignCounts['members']] += n;
      c.members.total += n;
      if (m.state === 'done') {
        const result = (m.result as string | null) ?? 'UNKNOWN';
        c.results[result] = (c.results[result] ?? 0) + n;
      }
    }
    for (const o of outcomes!) if (countsAsDialled(o.outcome as string | null)) row(num(o.campaign_id)).dialled += num(o.n);
    for (const s of successes!) row(num(s.campaign_id)).succeeded = num(s.n);
    for (const d of due!) {
      const c = row(num(d.campaign_id));
      const at = iso(d.at);
      if (at && (c.next_due_at === null || at < c.next_due_at)) c.next_due_at = at;
    }
    for (const c of byId.values()) {
      Object.assign(c, succeededAndFailed(c.succeeded, c.members.done));
      c.remaining = c.members.total - c.members.done;
    }
    for (const [id, pacing] of await this.#pacing(new Date(), ids)) row(id).pacing = pacing;
    return [...byId.values()];
  }

  /** P3, P4: each predictive campaign's calls per working agent and its abandon figures in its compliance window. */
  async #pacing(now: Date, ids?: readonly number[]): Promise<Map<number, CampaignPacing>> {
    const q = this.db('campaigns as c').join('calendars as k', 'k.id', 'c.calendar_id').where('c.type', 'predictive')
      .select('c.id', 'c.compliance_window', 'c.abandon_cap_pct', 'c.abandon_target_pct', 'k.timezone');
    if (ids) q.whereIn('c.id', ids);
    const out = new Map<number, CampaignPacing>();
    for (const c of await q) {
      const window = c.compliance_window as ComplianceWindow;
      const from = complianceWindowStart(window, now, c.timezone as string);
      const [countRows, liveRows, agentRows, decisionRows] = await Promise.all([
        this.db('attempts').where('campaign_id', c.id).where('answered_at', '>=', from)
          .select(this.db.raw('COUNT(*) AS answered'), this.db.raw("SUM(hangup_cause = 'ABANDONED') AS abandoned")),
        this.db('attempts').where('live_campaign', c.id)
          .select(this.db.raw("SUM(state IN ('reserved', 'ringing_agent')) AS ringing"), this.db.raw('COUNT(*) AS calls')),
        this.db('agents as a').join('tiers as t', 't.agent_id', 'a.id').where({ 't.campaign_id': c.id, 'a.status': 'Available' })
          .whereNotNull('a.nailed_node').count({ n: '*' }),
        this.db('pacer_states').where('campaign_id', c.id)
          .select('decided_at', 'mode', 'reason', 'dial_level', 'lines_in_flight', 'lines', 'working_agents'),
      ]) as Array<Array<Record<string, unknown>>>;
      const [counts, live, agents, decision] = [countRows?.[0], liveRows?.[0], agentRows?.[0], decisionRows?.[0]];
      const working = num(agents?.n);
      const f = complianceFigures(num(counts?.answered), num(counts?.abandoned), Number(c.abandon_cap_pct), Number(c.abandon_target_pct));
      out.set(c.id as number, {
        lines_in_flight: num(live?.ringing),
        working_agents: working,
        dial_level: working > 0 ? Math.round((num(live?.calls) / working) * 100) / 100 : 0,
        compliance_window: window,
        answered: f.answered,
        abandoned: f.abandoned,
        abandon_rate_pct: f.ratePct,
        abandon_cap_pct: f.capPct,
        abandon_target_pct: f.targetPct,
        status: f.status,
        pacer: decision ? {
          decided_at: iso(decision.decided_at)!,
          mode: decision.mode as PacerDecisionView['mode'],
          reason: decision.reason as string,
          dial_level: Math.round(Number(decision.dial_level) * 100) / 100,
          lines_in_flight: num(decision.lines_in_flight),
          lines: num(decision.lines),
          working_agents: num(decision.working_agents),
        } : null,
      });
    }
    return out;
  }
}
