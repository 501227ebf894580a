import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ClaimInput, ClaimResult, DispatchStore, OpenCampaign, RunningCampaign } from '../../app/ports/dispatch-store.js';
import { pickCommunication, type CommunicationChoice } from '../../domain/selection.js';
import { toCalendar } from './calendar-row.js';
import { withRetry } from './deadlock.js';

/** Members skipped in one claim because of DNC or no number left, before giving up on a campaign. */
const MAX_MEMBER_SKIPS = 20;

export class MysqlDispatchStore implements DispatchStore {
  constructor(private readonly db: Knex) {}

  async runningCampaigns(): Promise<RunningCampaign[]> {
    const rows = await this.db('campaigns as c')
      .join('calendars as k', 'k.id', 'c.calendar_id')
      .where('c.state', 'running')
      .select('c.id', 'c.priority', 'c.call_limit', 'c.line_group_id', 'k.timezone', 'k.start_at', 'k.end_at',
        'k.windows', 'k.holidays');
    if (rows.length === 0) return [];
    const zones = await this.db('campaign_zones').whereIn('campaign_id', rows.map((r) => r.id)).select('campaign_id', 'timezone');
    return rows.map((r) => ({
      id: r.id,
      priority: r.priority,
      limit: r.call_limit,
      lineGroupId: r.line_group_id,
      calendar: toCalendar(r),
      zones: zones.filter((z) => z.campaign_id === r.id).map((z) => z.timezone as string),
    }));
  }

  claimNext(input: ClaimInput): Promise<ClaimResult> {
    return withRetry(() => this.db.transaction((trx) => claimInTransaction(trx, input), { isolationLevel: 'read committed' }));
  }
}

/*
 * The claim (DESIGN §2 step 2). Locks, always in this order, so two claims never deadlock:
 *   1. one agent row            FOR UPDATE SKIP LOCKED  (another claim takes another agent)
 *   2. the agent's candidate campaign rows, by id, FOR UPDATE  (serialises live-call counting, C2)
 *   3. their line-group rows, by id, FOR UPDATE                (C3)
 *   4. one member row           FOR UPDATE SKIP LOCKED  (M3 order)
 * Live calls are counted from attempts.live_campaign / live_line_group under those locks, so the
 * counts are exact with any number of engine processes. Settling only clears those columns.
 * Output: the attempt row inserted (state reserved, agent_uuid chosen before any originate, F2),
 * the member 'dialing', the agent 'Reserved'.
 */
async function claimInTransaction(trx: Knex.Transaction, input: ClaimInput): Promise<ClaimResult> {
  const byId = new Map(input.campaigns.map((c) => [c.id, c]));
  const campaignIds = [...byId.keys()];
  if (campaignIds.length === 0 || input.upNodes.length === 0) return { kind: 'no-agent' };

  const agent = await pickAgent(trx, input, campaignIds);
  if (!agent) return { kind: 'no-agent' };

  const candidates = await trx('tiers as t')
    .join('campaigns as c', 'c.id', 't.campaign_id')
    .where('t.agent_id', agent.id)
    .whereIn('c.id', campaignIds)
    .orderBy('c.id')
    .forUpdate()
    .select('c.id', 'c.state', 'c.priority', 'c.dialled', 'c.call_limit', 'c.line_group_id');
  const running = candidates.filter((c) => c.state === 'running');
  const groupIds = [...new Set(running.map((c) => c.line_group_id).filter((g): g is number => g !== null))].sort((a, b) => a - b);
  const groups = groupIds.length
    ? await trx('line_groups').whereIn('id', groupIds).orderBy('id').forUpdate().select('id', 'capacity')
    : [];
  const liveByCampaign = await countLive(trx, 'live_campaign', running.map((c) => c.id));
  const liveByGroup = await countLive(trx, 'live_line_group', groupIds);
  const capacity = new Map(groups.map((g) => [g.id as number, g.capacity as number]));

  // C3: higher priority first; equal priorities share fairly (fewest dialled first).
  running.sort((a, b) => b.priority - a.priority || a.dialled - b.dialled || a.id - b.id);
  const exhausted: number[] = [];
  for (const c of running) {
    if ((liveByCampaign.get(c.id) ?? 0) >= c.call_limit) { exhausted.push(c.id); continue; }
    if (c.line_group_id !== null && (liveByGroup.get(c.line_group_id) ?? 0) >= (capacity.get(c.line_group_id) ?? 0)) {
      exhausted.push(c.id);
      continue;
    }
    const picked = await pickMember(trx, c.id, byId.get(c.id)!, input.now);
    if (!picked) { exhausted.push(c.id); continue; }

    const agentLegUuid = randomUUID();
    const [attemptId] = await trx('attempts').insert({
      campaign_id: c.id,
      member_id: picked.memberId,
      communication_id: picked.comm.id,
      number: picked.comm.number,
      agent_id: agent.id,
      line_group_id: c.line_group_id,
      node: agent.registered_node,
      instance_id: input.instanceId,
      lease_until: input.leaseUntil,
      state: 'reserved',
      agent_uuid: agentLegUuid,
      created_at: input.now,
      active_member: picked.memberId,
      live_campaign: c.id,
      live_line_group: c.line_group_id,
    });
    await trx('members').where('id', picked.memberId).update({
      state: 'dialing',
      next_communication_id: null,
      last_communication_id: picked.comm.id,
      version: trx.raw('version + 1'),
      updated_at: input.now,
    });
    await trx('agents').where({ id: agent.id, version: agent.version }).update({
      state: 'Reserved',
      attempt_id: attemptId,
      version: trx.raw('version + 1'),
      updated_at: input.now,
    });
    await trx('campaigns').where('id', c.id).increment('dialled', 1);
    return {
      kind: 'claimed',
      attempt: {
        attemptId: attemptId!,
        campaignId: c.id,
        memberId: picked.memberId,
        communicationId: picked.comm.id,
        number: picked.comm.number,
        agentId: agent.id,
        sipUser: agent.sip_user,
        node: agent.registered_node,
        agentLegUuid,
        ringSec: agent.call_timeout,
      },
    };
  }
  return { kind: 'agent-idle', agentId: agent.id, exhaustedCampaignIds: exhausted };
}

interface AgentRow { id: number; version: number; sip_user: string; registered_node: string; call_timeout: number }

/** A2: Available + Waiting + registered on an up node + every delay passed; best campaign priority, then longest idle. */
async function pickAgent(trx: Knex.Transaction, input: ClaimInput, campaignIds: number[]): Promise<AgentRow | undefined> {
  const idList = campaignIds.map(() => '?').join(',');
  const nodeList = input.upNodes.map(() => '?').join(',');
  // The registration is read without a lock: a phone that unregisters meanwhile fails the originate.
  const registeredOn = `SELECT r.node FROM registrations r WHERE r.sip_user = a.sip_user AND r.node IN (${nodeList})`;
  const q = trx('agents as a')
    .where('a.status', 'Available')
    .where('a.state', 'Waiting')
    .where('a.ready_at', '<=', input.now)
    .whereRaw(`EXISTS (${registeredOn})`, input.upNodes)
    .whereRaw(`EXISTS (SELECT 1 FROM tiers t WHERE t.agent_id = a.id AND t.campaign_id IN (${idList}))`, campaignIds)
    .orderByRaw(
      `(SELECT MAX(c.priority) FROM tiers t JOIN campaigns c ON c.id = t.campaign_id
         WHERE t.agent_id = a.id AND c.id IN (${idList})) DESC, a.idle_since, a.id`,
      campaignIds,
    )
    .first('a.id', 'a.version', 'a.sip_user', 'a.call_timeout', trx.raw(`(${registeredOn} ORDER BY r.updated_at DESC LIMIT 1) AS registered_node`, input.upNodes))
    .forUpdate()
    .skipLocked();
  if (input.excludeAgentIds.length) q.whereNotIn('a.id', input.excludeAgentIds);
  return (await q) as AgentRow | undefined;
}

async function countLive(trx: Knex.Transaction, column: 'live_campaign' | 'live_line_group', ids: number[]): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map();
  const rows: { k: number; n: number }[] = await trx('attempts').whereIn(column, ids).groupBy(column)
    .select({ k: column }).count({ n: '*' });
  return new Map(rows.map((r) => [Number(r.k), Number(r.n)]));
}

/**
 * M3: best priority, then longest ready; only members whose local window is open (K3) and not
 * expired (M4). A member whose numbers are all on the DNC list or stopped is ended here.
 */
async function pickMember(trx: Knex.Transaction, campaignId: number, open: OpenCampaign, now: Date) {
  for (let skips = 0; skips < MAX_MEMBER_SKIPS; skips++) {
    const q = trx('members')
      .where({ campaign_id: campaignId, state: 'ready' })
      .where('ready_at', '<=', now)
      .where((w) => w.whereNull('expire_at').orWhere('expire_at', '>', now))
      .where((w) => {
        if (open.openZones.length) w.whereIn('timezone', open.openZones);
        if (open.calendarZoneOpen) w.orWhereNull('timezone');
        if (!open.openZones.length && !open.calendarZoneOpen) w.whereRaw('FALSE');
      })
      .orderBy([{ column: 'priority', order: 'desc' }, { column: 'ready_at' }, { column: 'id' }])
      .first('id', 'next_communication_id', 'last_communication_id')
      .forUpdate()
      .skipLocked();
    const member = await q;
    if (!member) return null;

    const comms: CommunicationChoice[] = await trx('communications')
      .where('member_id', member.id)
      .select('id', 'number', 'priority', 'position', 'state');
    let choice = pickCommunication(comms, member.next_communication_id, member.last_communication_id);
    let dnc = false;
    while (choice && (await onDncList(trx, campaignId, choice.number))) {
      dnc = true;
      // Checked at dial time: a number added to the DNC list after upload is never dialled.
      await trx('communications').where('id', choice.id).update({ state: 'stopped', last_cause: 'DNC' });
      choice.state = 'stopped';
      choice = pickCommunication(comms, null, choice.id);
    }
    if (choice) return { memberId: member.id as number, comm: choice };
    await trx('members').where('id', member.id).update({
      state: 'done',
      result: dnc ? 'DNC' : 'NO_COMMUNICATIONS',
      ended_at: now,
      version: trx.raw('version + 1'),
      updated_at: now,
    });
  }
  return null;
}

async function onDncList(trx: Knex.Transaction, campaignId: number, number: string): Promise<boolean> {
  const hit = await trx('dnc').where('number', number).whereIn('scope', [0, campaignId]).first('id');
  return hit !== undefined;
}
