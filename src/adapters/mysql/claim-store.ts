import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { SettleSnapshot } from '../../app/ports/call-store.js';
import type { ClaimedAttempt, ClaimInput, ClaimResult, DispatchStore, OpenCampaign, RunningCampaign } from '../../app/ports/dispatch-store.js';
import { pickCommunication, type CommunicationChoice } from '../../domain/selection.js';
import { toCalendar } from './calendar-row.js';
import { fromJsonColumn } from './row-mapping.js';
import { AGENT_COLUMNS, CAMPAIGN_RULE_COLUMNS, toAgentView, toCampaignRules } from './row-mappers.js';
import { onAgentAnswered } from '../../domain/agent-state.js';
import { withRetry } from './deadlock.js';

/** Members skipped in one claim because of DNC or no number left, before giving up on a campaign. */
const MAX_MEMBER_SKIPS = 20;

export class MysqlDispatchStore implements DispatchStore {
  constructor(private readonly db: Knex) {}

  async runningCampaigns(): Promise<RunningCampaign[]> {
    const rows = await this.db('campaigns as c')
      .join('calendars as k', 'k.id', 'c.calendar_id')
      .where('c.state', 'running')
      .select('c.id', 'c.priority', 'c.call_limit', 'c.line_group_id', 'c.type', 'k.timezone', 'k.start_at', 'k.end_at',
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
      predictive: r.type === 'predictive',
    }));
  }

  claimNext(input: ClaimInput): Promise<ClaimResult> {
    return withRetry(() => this.db.transaction((trx) => claimInTransaction(trx, input)));
  }
}

/*
 * The claim (DESIGN §2 step 2). Locks, in this order:
 *   1. one agent row            FOR UPDATE SKIP LOCKED  (another claim takes another agent)
 *   2. one member row           FOR UPDATE SKIP LOCKED  (M3 order; DNC checked now)
 *   3. the campaign row, then its line-group row, FOR UPDATE (serialise live-call counting, C2, C3)
 * Live calls are counted from attempts.live_campaign / live_line_group under those locks, so the
 * counts are exact with any number of engine processes; settling only clears those columns.
 * The campaign and line-group rows are locked last and held for the few writes that follow,
 * so claims of one campaign queue behind each other as briefly as possible.
 * Output: the attempt row inserted (state reserved, agent_uuid chosen before any originate, F2),
 * the member 'dialing', the agent 'Reserved'.
 * This SQL is the selection rule production runs (A2, W2, C2, C3, M3, M4, K3). domain/selection.ts
 * chooseClaim states the same choice in plain code; test/integration/selection-oracle.test.ts runs
 * random worlds through both and requires the same agent, campaign and member. Change them together.
 */
async function claimInTransaction(trx: Knex.Transaction, input: ClaimInput): Promise<ClaimResult> {
  const byId = new Map(input.campaigns.map((c) => [c.id, c]));
  const campaignIds = [...byId.keys()];
  if (campaignIds.length === 0 || input.upNodes.length === 0) return { kind: 'no-agent' };

  const found = await pickAgent(trx, input, campaignIds);
  if (!found) return { kind: 'no-agent' };
  const { agent, candidates, searched } = found;

  const exhausted: number[] = [];
  const fullLineGroupIds: number[] = [];
  const idle = (agentMayRetry: boolean) =>
    ({ kind: 'agent-idle', agentId: agent.id, exhaustedCampaignIds: exhausted, fullLineGroupIds, agentMayRetry, searched }) as const;
  for (const c of candidates) {
    // P3: a predictive campaign's lines are dialled by its pacer (pacer-store.ts), never claimed
    // for an agent; an agent on a nailed-up leg takes no other call (its phone is in that one).
    if (c.type === 'predictive' || agent.nailed_uuid !== null) continue;
    // C3: once a line group was seen full for a higher campaign, a line that frees meanwhile is
    // not for a lower one: skip the group's later campaigns in this claim.
    if (c.line_group_id !== null && fullLineGroupIds.includes(c.line_group_id)) { exhausted.push(c.id); continue; }
    // The look without locks (read with the agent), so a full campaign costs no member lock.
    let full = fullness(c);
    if (full === 'group') fullLineGroupIds.push(c.line_group_id!);
    if (full) { exhausted.push(c.id); continue; }
    const picked = await pickMember(trx, c.id, byId.get(c.id)!, input.now);
    if (!picked) { exhausted.push(c.id); continue; }
    full = await lockedFullness(trx, c);
    if (full) {
      // Another claim took the last line meanwhile. Locks are held to the end of a transaction,
      // so rather than lock a second campaign here (and risk a lock-order cycle), let the
      // dispatcher try this agent again without this campaign.
      if (full === 'group') fullLineGroupIds.push(c.line_group_id!);
      exhausted.push(c.id);
      return idle(true);
    }
    return { kind: 'claimed', attempt: await reserve(trx, input, agent, c, picked), searched };
  }
  return idle(false);
}

interface CandidateRow {
  id: number; call_limit: number; line_group_id: number | null; type: string; preview_sec: number; name: string; variables: unknown; version: number;
  retry_wait_sec: number; max_tries: number; min_success_sec: number; wait_result: number | boolean; wrapup_sec: number;
  causes: unknown; max_minus_attempts: number;
  campaign_live: number; group_live: number; capacity: number | null;
}

/** C2, C3: which cap, if any, the live calls of the campaign or of its line group have reached. */
function fullness(c: Pick<CandidateRow, 'call_limit' | 'line_group_id' | 'campaign_live' | 'group_live' | 'capacity'>): 'campaign' | 'group' | null {
  if (c.line_group_id !== null && Number(c.group_live) >= Number(c.capacity ?? 0)) return 'group';
  return Number(c.campaign_live) >= c.call_limit ? 'campaign' : null;
}

/**
 * C2, C3 under the locks: the campaign row, then its line group's, locked (FOR UPDATE
 * serialises the claims of a campaign), and the live calls counted in the same statement. The
 * counts are subqueries on each locked row, so they are read after the lock was granted and see
 * every claim committed before (READ COMMITTED reads afresh per statement); they lock nothing.
 */
async function lockedFullness(trx: Knex.Transaction, c: CandidateRow): Promise<'campaign' | 'group' | null> {
  const [rows] = await trx.raw(
    `SELECT c.state, l.capacity,
            (SELECT COUNT(*) FROM attempts x WHERE x.live_campaign = c.id) AS campaign_live,
            (SELECT COUNT(*) FROM attempts x WHERE x.live_line_group = l.id) AS group_live
       FROM campaigns c LEFT JOIN line_groups l ON l.id = c.line_group_id
      WHERE c.id = ? FOR UPDATE`, [c.id]);
  const r = (rows as { state: string; capacity: number | null; campaign_live: number; group_live: number }[])[0];
  if (!r || r.state !== 'running') return 'campaign';
  return fullness({ call_limit: c.call_limit, line_group_id: c.line_group_id, campaign_live: r.campaign_live,
    group_live: r.group_live ?? 0, capacity: r.capacity });
}

/**
 * Writes the reservation: attempt row, member dialing, agent Reserved, campaign's fair-share count.
 * P2: an attempt of a preview campaign starts `previewing` until its agent decides or its time passes.
 */
async function reserve(trx: Knex.Transaction, input: ClaimInput, agent: AgentRow, c: CandidateRow,
  picked: PickedMember): Promise<ClaimedAttempt> {
  const agentLegUuid = randomUUID();
  const previewUntil = c.type === 'preview' ? new Date(input.now.getTime() + c.preview_sec * 1000) : null;
  // Spelled as the query builder spells it: the claim race test finds the claim waiting here by its text.
  const [inserted] = await trx.raw(
    `insert into \`attempts\` (campaign_id, member_id, communication_id, number, agent_id, line_group_id, node, instance_id,
       lease_until, state, preview_deadline_at, agent_uuid, created_at, active_member, live_campaign, live_line_group)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [c.id, picked.memberId, picked.comm.id, picked.comm.number, agent.id, c.line_group_id,
      agent.registered_node,
      input.instanceId, input.leaseUntil, previewUntil ? 'previewing' : 'reserved', previewUntil,
      agentLegUuid, input.now, picked.memberId, c.id, c.line_group_id]);
  const attemptId = (inserted as { insertId: number }).insertId;
  // The member dialing, the agent Reserved, the campaign's fair-share count, in one statement.
  await trx.raw(
    `UPDATE members m JOIN agents g ON g.id = ? JOIN campaigns c ON c.id = ?
        SET m.state = 'dialing', m.next_communication_id = NULL, m.last_communication_id = ?, m.version = m.version + 1,
            m.updated_at = ?, g.state = 'Reserved', g.attempt_id = ?, g.version = g.version + 1, g.updated_at = ?,
            c.dialled = c.dialled + 1
      WHERE m.id = ?`,
    [agent.id, c.id, picked.comm.id, input.now, attemptId, input.now, picked.memberId]);
  return {
    attemptId,
    campaignId: c.id,
    memberId: picked.memberId,
    communicationId: picked.comm.id,
    number: picked.comm.number,
    agentId: agent.id,
    sipUser: agent.sip_user,
    node: agent.registered_node,
    agentLegUuid,
    ringSec: agent.call_timeout,
    previewUntil,
    bridge: {
      campaignId: c.id,
      memberId: picked.memberId,
      agentId: agent.id,
      number: picked.comm.number,
      memberVariables: fromJsonColumn<Record<string, unknown>>(picked.row.variables, {}),
      campaignVariables: fromJsonColumn<Record<string, unknown>>(c.variables, {}),
      campaignName: c.name,
      agent: toAgentView(agent),
    },
    settleOnceBridged: onceBridged(attemptId, agent, c, picked, input.now),
  };
}

interface AgentRow {
  id: number; version: number; sip_user: string; registered_node: string; call_timeout: number; nailed_uuid: string | null;
  [view: string]: unknown;
}

interface MemberRow { variables: unknown; tries: number; minus_tries: number; expire_at: Date | null; version: number }
/** A member row as the claim reads it (WITH_NUMBERS). */
interface ReadyMemberRow extends MemberRow { id: number; next_communication_id: number | null; last_communication_id: number | null; numbers: unknown }
interface PickedMember { memberId: number; comm: CommunicationChoice; row: MemberRow; numbers: CommunicationChoice[] }

/**
 * The rows of the attempt as this claim, then its ringing and its bridge (call-store.ts) leave
 * them: each of those three writes moves the agent's version by one, the claim the member's.
 * Settling a call this process placed starts from it; the settle's guards find out when
 * anything else changed the rows meanwhile, and the rows are then read.
 */
function onceBridged(attemptId: number, agent: AgentRow, c: CandidateRow, picked: PickedMember, now: Date): SettleSnapshot {
  return {
    attemptId,
    attemptState: 'talking',
    attemptStateOneOf: ['bridging', 'talking'],
    campaignId: c.id,
    memberId: picked.memberId,
    communicationId: picked.comm.id,
    agentId: agent.id,
    node: agent.registered_node,
    memberUuid: null,
    endedAt: null,
    resultStatus: null,
    member: { state: 'dialing', tries: picked.row.tries, minusTries: picked.row.minus_tries, expireAt: picked.row.expire_at, version: picked.row.version + 1 },
    communications: picked.numbers.map(({ id, number, priority, position, state }) => ({ id, number, priority, position, state })),
    rules: toCampaignRules(c),
    campaignState: 'running',
    campaignVersion: c.version,
    agent: { ...onAgentAnswered(toAgentView(agent), now), id: agent.id, sipUser: agent.sip_user, version: agent.version + 3 },
  };
}


/** The agent's columns of its view (A3), read with the lock for the bridge. */
const AGENT_VIEW = AGENT_COLUMNS.filter((k) => k !== 'id' && k !== 'sip_user' && k !== 'version');

/** Candidates read per search; the first one no other claim holds is taken, the rest are offered to the next claims. */
const AGENT_CANDIDATES = 32;

interface PickedAgent {
  agent: AgentRow;
  /** C3: the agent's running campaigns among those open, best first, each with its live calls as read (no locks). */
  candidates: CandidateRow[];
  /** The ready agents a search found, best first, when this claim searched. */
  searched: number[] | undefined;
}

/**
 * A2: Available + Waiting + registered on an up node + every delay passed; best campaign
 * priority, then longest idle. The ordered search is read without locks (an ordered
 * `FOR UPDATE SKIP LOCKED` locks every row it scans, which would make concurrent claims queue);
 * then one candidate at a time is locked by primary key, re-checked, and skipped when another
 * claim holds it (each sibling claim of a pass starts at its own slot in the list). A claim
 * given `agentId` (the next of an earlier search's list) tries that agent first and searches
 * only when it is taken or no longer ready.
 */
async function pickAgent(trx: Knex.Transaction, input: ClaimInput, campaignIds: number[]): Promise<PickedAgent | undefined> {
  const idList = campaignIds.map(() => '?').join(',');
  const nodeList = input.upNodes.map(() => '?').join(',');
  // The registration is read without a lock: a phone that unregisters meanwhile fails the originate.
  const registeredOn = `SELECT r.node FROM registrations r WHERE r.sip_user = a.sip_user AND r.node IN (${nodeList})`;
  const ready = (q: Knex.QueryBuilder) => q
    .where('a.status', 'Available')
    .where('a.state', 'Waiting')
    .where('a.ready_at', '<=', input.now)
    // W2: an agent that requires a client only while one is connected (the engine read who is, from Redis).
    .where((w) => {
      w.where('a.requires_client', false);
      if (input.presentAgentIds?.length) w.orWhereIn('a.id', input.presentAgentIds);
    })
    .whereRaw(`EXISTS (${registeredOn})`, input.upNodes);
  // The agent locked with its campaigns (C3 order) and their live calls; subqueries lock nothing.
  const lock = async (id: number): Promise<PickedAgent | undefined> => {
    const row = await ready(trx('agents as a'))
      .where('a.id', id)
      .first('a.id', 'a.version', 'a.sip_user', 'a.call_timeout', 'a.nailed_uuid', ...AGENT_VIEW.map((k) => `a.${k}`),
        trx.raw(`(${registeredOn} ORDER BY r.updated_at DESC LIMIT 1) AS registered_node`, input.upNodes),
        trx.raw(`(SELECT JSON_ARRAYAGG(JSON_OBJECT('id', c.id, 'call_limit', c.call_limit, 'line_group_id', c.line_group_id,
                   'type', c.type, 'preview_sec', c.preview_sec, 'name', c.name, 'variables', c.variables, 'version', c.version,
                   ${CAMPAIGN_RULE_COLUMNS.map((k) => `'${k}', c.${k}`).join(', ')},
                   'campaign_live', (SELECT COUNT(*) FROM attempts x WHERE x.live_campaign = c.id),
                   'group_live', (SELECT COUNT(*) FROM attempts x WHERE x.live_line_group = c.line_group_id),
                   'capacity', (SELECT l.capacity FROM line_groups l WHERE l.id = c.line_group_id))
                   ORDER BY c.priority DESC, c.dialled, c.id)
                  FROM tiers t JOIN campaigns c ON c.id = t.campaign_id
                 WHERE t.agent_id = a.id AND c.state = 'running' AND c.id IN (${idList})) AS candidates`, campaignIds))
      .forUpdate()
      .skipLocked();
    if (!row) return undefined;
    const { candidates, ...agent } = row as AgentRow & { candidates: unknown };
    return { agent, candidates: fromJsonColumn<CandidateRow[]>(candidates, []), searched: undefined };
  };
  if (input.agentId !== undefined && !input.excludeAgentIds.includes(input.agentId)) {
    const given = await lock(input.agentId);
    if (given) return given;
  }
  const search = ready(trx('agents as a'))
    .whereRaw(`EXISTS (SELECT 1 FROM tiers t WHERE t.agent_id = a.id AND t.campaign_id IN (${idList}))`, campaignIds)
    .orderByRaw(
      `(SELECT MAX(c.priority) FROM tiers t JOIN campaigns c ON c.id = t.campaign_id
         WHERE t.agent_id = a.id AND c.id IN (${idList})) DESC, a.idle_since, a.id`,
      campaignIds,
    )
    .limit(AGENT_CANDIDATES)
    .pluck('a.id');
  const skip = input.agentId === undefined ? input.excludeAgentIds : [...input.excludeAgentIds, input.agentId];
  if (skip.length) search.whereNotIn('a.id', skip);
  const found = (await search) as number[];
  const start = found.length ? (input.slot ?? 0) % found.length : 0;
  for (const id of [...found.slice(start), ...found.slice(0, start)]) {
    const picked = await lock(id);
    if (picked) return { ...picked, searched: found };
  }
  return undefined;
}

/** M3: best priority first, then longest ready. */
const M3_ORDER = 'ORDER BY priority DESC, ready_at, id';

/**
 * A member's columns for the claim, with its numbers (a subquery, evaluated for the row returned;
 * it locks nothing). Checked at dial time: a number put on a DNC list after upload is never
 * dialled. Its one binding is the campaign id (the DNC list's scope).
 */
const WITH_NUMBERS = `id, next_communication_id, last_communication_id, variables, tries, minus_tries, expire_at, version,
  (SELECT JSON_ARRAYAGG(JSON_OBJECT('id', c.id, 'number', c.number, 'priority', c.priority, 'position', c.position,
     'state', c.state, 'dnc', EXISTS (SELECT 1 FROM dnc d WHERE d.number = c.number AND d.scope IN (0, ?))))
    FROM communications c WHERE c.member_id = members.id) AS numbers`;

/**
 * M3/M4/K3/P6: the condition of a member ready to dial now, with its bindings: ready and due, not
 * expired, its local window open, and (P6) no call of it abandoned since `abandonedSince`.
 */
function readyMembers(campaignId: number, open: OpenCampaign, now: Date, abandonedSince?: Date): [string, Knex.Value[]] {
  let sql = "campaign_id = ? AND state = 'ready'";
  const values: Knex.Value[] = [campaignId];
  if (abandonedSince) {
    // P6: a member whose call was abandoned since then waits, unless an agent is reserved for it
    sql += " AND NOT EXISTS (SELECT 1 FROM attempts x WHERE x.member_id = members.id AND x.hangup_cause = 'ABANDONED' AND x.ended_at > ?)";
    values.push(abandonedSince);
  }
  sql += ' AND ready_at <= ? AND (expire_at IS NULL OR expire_at > ?)';
  values.push(now, now);
  const zones: string[] = [];
  if (open.openZones.length) {
    zones.push(`timezone IN (${open.openZones.map(() => '?').join(', ')})`);
    values.push(...open.openZones);
  }
  if (open.calendarZoneOpen) zones.push('timezone IS NULL');
  sql += zones.length ? ` AND (${zones.join(' OR ')})` : ' AND FALSE';
  return [sql, values];
}

/**
 * M3: best priority, then longest ready; only members whose local window is open (K3) and not
 * expired (M4). A member whose numbers are all on the DNC list or stopped is ended here.
 */
export async function pickMember(trx: Knex.Transaction, campaignId: number, open: OpenCampaign, now: Date, abandonedSince?: Date) {
  // The statements are written out rather than built: this runs at least once per attempt, and
  // composing them with the query builder cost more CPU than the rest of the claim's code.
  const [readyWhere, readyValues] = readyMembers(campaignId, open, now, abandonedSince);
  const first = async (sql: string, values: Knex.Value[]) => ((await trx.raw(sql, values))[0] as ReadyMemberRow[])[0];
  for (let skips = 0; skips < MAX_MEMBER_SKIPS; skips++) {
    let member = await first(`SELECT ${WITH_NUMBERS} FROM members WHERE ${readyWhere} ${M3_ORDER} LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [campaignId, ...readyValues]);
    if (!member) {
      // C3: every ready member is held by another claim in flight. If that claim does not take it
      // (its line group filled meanwhile), it is still this campaign's to dial: wait for the
      // holder rather than let a lower campaign of the line group take the line.
      const held = await first(`SELECT id FROM members WHERE ${readyWhere} ${M3_ORDER} LIMIT 1`, readyValues);
      if (!held) return null;
      member = await first(`SELECT ${WITH_NUMBERS} FROM members WHERE ${readyWhere} AND id = ? LIMIT 1 FOR UPDATE`,
        [campaignId, ...readyValues, held.id]);
      if (!member) continue;
    }
    // (JSON_OBJECT spells the EXISTS as "0" or "1".)
    const comms = fromJsonColumn<(CommunicationChoice & { dnc: string | number })[]>(member.numbers, []);
    // Members and their numbers are written in one transaction (member-writer.ts), so a member read
    // here without numbers really has none, and ends NO_COMMUNICATIONS below.
    let choice = pickCommunication(comms, member.next_communication_id, member.last_communication_id);
    let dnc = false;
    while (choice && Number(comms.find((x) => x.id === choice!.id)!.dnc) === 1) {
      dnc = true;
      await trx('communications').where('id', choice.id).update({ state: 'stopped', last_cause: 'DNC' });
      choice.state = 'stopped';
      choice = pickCommunication(comms, null, choice.id);
    }
    if (choice) return { memberId: member.id, comm: choice, row: member, numbers: comms };
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

