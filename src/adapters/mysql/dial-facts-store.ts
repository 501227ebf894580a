import type { Knex } from 'knex';
import type { DialFactsStore, FactsQuery } from '../../app/ports/dial-facts.js';
import type { AgentFact, CampaignFacts, DialReason, NodeFact } from '../../domain/dial-reason.js';

/*
 * Issue 13 §1: the facts behind "why isn't it dialling?", for every running campaign in a few
 * grouped queries (agents and tiers, live calls, line groups, member counts of the dialing and
 * waiting_result states from members_board), plus at most three LIMIT 1 index lookups per
 * campaign for its ready members (members_zone / members_dispatch, the claim's own order).
 * Read by the engine at most once a second, after a dispatch pass: never per attempt.
 */
export class MysqlDialFacts implements DialFactsStore {
  constructor(private readonly db: Knex) {}

  async gather(queries: FactsQuery[], upNodes: string[], now: Date) {
    const out = new Map<number, { facts: Omit<CampaignFacts, 'nodes'>; stored: string | null }>();
    if (queries.length === 0) return out;
    const ids = queries.map((q) => q.campaign.id);
    const groupIds = [...new Set(queries.map((q) => q.campaign.lineGroupId).filter((g): g is number => g !== null))];
    const nodeList = upNodes.length ? upNodes.map(() => '?').join(',') : 'NULL';
    const [stored, agents, live, memberStates, groups] = await Promise.all([
      this.db('campaigns').whereIn('id', ids).select('id', 'reason'),
      this.db('tiers as t').join('agents as a', 'a.id', 't.agent_id').whereIn('t.campaign_id', ids)
        .select('t.campaign_id', 'a.status', 'a.state',
          this.db.raw('a.ready_at > ? AS is_delayed', [now]),
          this.db.raw(`EXISTS (SELECT 1 FROM registrations r WHERE r.sip_user = a.sip_user AND r.node IN (${nodeList})) AS is_registered`, upNodes))
        .count({ n: '*' }).groupBy('t.campaign_id', 'a.status', 'a.state', 'is_delayed', 'is_registered'),
      this.db('attempts').whereIn('live_campaign', ids).groupBy('live_campaign').select('live_campaign').count({ n: '*' }),
      this.db('members').whereIn('campaign_id', ids).whereIn('state', ['dialing', 'waiting_result'])
        .groupBy('campaign_id', 'state').select('campaign_id', 'state').count({ n: '*' }),
      groupIds.length
        ? this.db('line_groups as g').whereIn('g.id', groupIds).select('g.id', 'g.name', 'g.capacity',
          this.db.raw('(SELECT COUNT(*) FROM attempts WHERE live_line_group = g.id) AS live'))
        : [],
    ]) as Array<Array<Record<string, any>>>;
    const sharers = groupIds.length
      ? await this.db('campaigns').whereIn('line_group_id', groupIds).where('state', 'running').select('id', 'name', 'line_group_id')
      : [];
    for (const q of queries) {
      const c = q.campaign;
      const g = groups!.find((x) => x.id === c.lineGroupId);
      const state = (s: string) => Number(memberStates!.find((m) => m.campaign_id === c.id && m.state === s)?.n ?? 0);
      const members = await this.#members(q, now);
      out.set(c.id, {
        stored: jsonText(stored!.find((x) => x.id === c.id)?.reason),
        facts: {
          calendar: c.calendar,
          zones: c.zones,
          limit: c.limit,
          live: Number(live!.find((l) => l.live_campaign === c.id)?.n ?? 0),
          lineGroup: g ? {
            name: String(g.name), capacity: Number(g.capacity), live: Number(g.live),
            sharedWith: sharers.filter((s) => s.line_group_id === g.id && s.id !== c.id).map((s) => String(s.name)),
          } : null,
          members: { ...members, dialing: state('dialing'), waitingResult: state('waiting_result') },
          agents: agents!.filter((a) => a.campaign_id === c.id).map((a): AgentFact => ({
            status: String(a.status), state: String(a.state), delayed: Boolean(Number(a.is_delayed)), registered: Boolean(Number(a.is_registered)), count: Number(a.n),
          })),
        },
      });
    }
    return out;
  }

  /** The claim's member lookup (claim-store pickMember), without locks; the later lookups only when needed. */
  async #members(q: FactsQuery, now: Date): Promise<Pick<CampaignFacts['members'], 'readyNowOpen' | 'readyNowAny' | 'nextReadyAt'>> {
    const ready = () => this.db('members').where({ campaign_id: q.campaign.id, state: 'ready' })
      .where((w) => w.whereNull('expire_at').orWhere('expire_at', '>', now));
    const due = () => ready().where('ready_at', '<=', now);
    const open = due().where((w) => {
      if (q.openZones.length) w.whereIn('timezone', q.openZones);
      if (q.calendarZoneOpen) w.orWhereNull('timezone');
      if (!q.openZones.length && !q.calendarZoneOpen) w.whereRaw('FALSE');
    });
    if (await open.first('id')) return { readyNowOpen: true, readyNowAny: true, nextReadyAt: null };
    if (await due().first('id')) return { readyNowOpen: false, readyNowAny: true, nextReadyAt: null };
    const next = await ready().where('ready_at', '>', now).orderBy('ready_at').first('ready_at');
    return { readyNowOpen: false, readyNowAny: false, nextReadyAt: next ? new Date(next.ready_at) : null };
  }

  async shareNodes(instanceId: string, nodes: NodeFact[], now: Date): Promise<void> {
    if (nodes.length === 0) return;
    await this.db('node_views')
      .insert(nodes.map((n) => ({ instance_id: instanceId, node: n.node, up: n.up, since: n.since ?? now, seen_at: now })))
      .onConflict(['instance_id', 'node']).merge(['up', 'since', 'seen_at']);
  }

  async nodeViews(seenAfter: Date): Promise<Array<NodeFact & { instanceId: string }>> {
    const rows = await this.db('node_views').where('seen_at', '>', seenAfter).select('instance_id', 'node', 'up', 'since');
    return rows.map((r) => ({ instanceId: String(r.instance_id), node: String(r.node), up: Boolean(r.up), since: new Date(r.since) }));
  }

  async saveReason(campaignId: number, reason: DialReason): Promise<boolean> {
    const n = await this.db('campaigns').where({ id: campaignId, state: 'running' }).update({ reason: JSON.stringify(reason) });
    return n > 0;
  }
}

/** A JSON column as its text (the driver may hand it over parsed), null when empty. */
function jsonText(v: unknown): string | null {
  return v == null ? null : typeof v === 'string' ? v : JSON.stringify(v);
}
