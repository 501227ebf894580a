import type { Knex } from 'knex';
import type { CallStore, OrphanedAttempt, SettlePlan, SettleSnapshot } from '../../app/ports/call-store.js';
import type { ResultStatus } from '../../app/ports/result-status.js';
import type { BridgePlan } from '../../app/ports/telephony.js';
import type { BridgeFacts } from '../../app/ports/dispatch-store.js';
import { onAgentAnswered, onWrapupEnded, type AgentView } from '../../domain/agent-state.js';
import { callVariables } from '../../domain/call-variables.js';
import type { CommunicationView } from '../../domain/result-status.js';
import { withRetry } from './deadlock.js';
import { DirectSql } from './direct-sql.js';
import { UpdateSets } from './update-sets.js';
import { fromJsonColumn } from './row-mapping.js';
import { AGENT_COLUMNS, agentViewColumns, CAMPAIGN_RULE_COLUMNS, toAgentView, toCampaignRules } from './row-mappers.js';

/** P2: a preview is live too: it holds its member, its agent and a line of the campaign. */
export const LIVE_STATES = ['previewing', 'reserved', 'ringing_agent', 'bridging', 'talking'];
const LIVE_IN = LIVE_STATES.map((x) => `'${x}'`).join(', ');

type Trx = Knex.Transaction;

type Written = { affectedRows: number };

export class MysqlCallStore implements CallStore {
  /** The statements of every call (ringing, bridge, answer, settle): written out, sent without knex's runner. */
  readonly #sql: DirectSql;

  constructor(private readonly db: Knex) {
    this.#sql = new DirectSql(db);
  }

  async markRinging(attemptId: number, now: Date): Promise<void> {
    // One statement (attempt, then its Reserved agent): it runs on every call.
    await withRetry(() => this.#sql.run(
      `UPDATE attempts a LEFT JOIN agents g ON g.attempt_id = a.id AND g.state = 'Reserved'
          SET a.state = 'ringing_agent', g.state = 'Receiving', g.version = g.version + 1, g.updated_at = ?
        WHERE a.id = ? AND a.state = 'reserved'`, [now, attemptId]));
  }

  async planBridge(attemptId: number, agentLegUuid: string, now: Date, known?: BridgeFacts): Promise<BridgePlan> {
    if (known) return this.#bridgeKnown(attemptId, agentLegUuid, now, known);
    for (let round = 0; round < 20; round++) {
      const [rows] = await withRetry(() => this.db.raw(
        `SELECT a.id, a.state, a.agent_uuid, a.campaign_id, a.member_id, a.agent_id, a.number,
                m.variables AS member_variables, c.variables AS campaign_variables, c.name AS campaign_name,
                ${AGENT_SNAPSHOT}
           FROM attempts a JOIN members m ON m.id = a.member_id JOIN campaigns c ON c.id = a.campaign_id
           LEFT JOIN agents g ON g.id = a.agent_id
          WHERE a.id = ?`, [attemptId]));
      const a = (rows as Record<string, any>[])[0];
      if (!a || a.agent_uuid !== agentLegUuid || !['reserved', 'ringing_agent'].includes(a.state)) {
        return { kind: 'hangup', cause: 'NORMAL_CLEARING' };
      }
      const agent = a.g_id === null ? null : toAgentView(agentOf(a));
      // One statement, written only while the attempt and its agent are as read (else read again).
      const sets = ['a.state = \'bridging\'', 'a.agent_answered_at = ?'];
      const values: Knex.RawBinding[] = [now];
      if (agent) {
        const cols = agentViewColumns(onAgentAnswered(agent, now), now);
        for (const [k, v] of Object.entries(cols)) { sets.push(`g.${k} = ?`); values.push(v as Knex.RawBinding); }
        sets.push('g.version = g.version + 1');
      }
      const [res] = await withRetry(() => this.db.raw(
        `UPDATE attempts a${agent ? ' JOIN agents g ON g.id = a.agent_id' : ''} SET ${sets.join(', ')}
          WHERE a.id = ? AND a.agent_uuid = ? AND a.state IN ('reserved', 'ringing_agent')${agent ? ' AND g.version = ?' : ''}`,
        [...values, attemptId, agentLegUuid, ...(agent ? [a.g_version] : [])]));
      if ((res as { affectedRows: number }).affectedRows === 0) continue;
      return bridgePlan({ attemptId, campaignId: a.campaign_id, memberId: a.member_id, agentId: a.agent_id, number: a.number },
        fromJsonColumn(a.campaign_variables, {}), fromJsonColumn(a.member_variables, {}), a.campaign_name);
    }
    throw new Error(`attempt ${attemptId}: its rows changed under every bridge round`);
  }

  /**
   * The bridge of an attempt claimed by this process: one statement. The agent's columns that
   * answering changes (A3) are written, nothing else, so a status change meanwhile is kept.
   */
  async #bridgeKnown(attemptId: number, agentLegUuid: string, now: Date, k: BridgeFacts): Promise<BridgePlan> {
    const sets = ['a.state = \'bridging\'', 'a.agent_answered_at = ?'];
    const values: Knex.RawBinding[] = [now];
    for (const [col, v] of Object.entries(changedAgentColumns(k.agent, onAgentAnswered(k.agent, now), now))) {
      sets.push(`g.${col} = ?`);
      values.push(v as Knex.RawBinding);
    }
    sets.push('g.version = g.version + 1');
    const res = await withRetry(() => this.#sql.run<Written>(
      `UPDATE attempts a LEFT JOIN agents g ON g.id = a.agent_id AND g.attempt_id = a.id SET ${sets.join(', ')}
        WHERE a.id = ? AND a.agent_uuid = ? AND a.state IN ('reserved', 'ringing_agent')`,
      [...values, attemptId, agentLegUuid]));
    if (res.affectedRows === 0) return { kind: 'hangup', cause: 'NORMAL_CLEARING' };
    return bridgePlan({ attemptId, campaignId: k.campaignId, memberId: k.memberId, agentId: k.agentId, number: k.number },
      k.campaignVariables, k.memberVariables, k.campaignName);
  }

  async markMemberAnswered(attemptId: number, memberUuid: string | null, at: Date): Promise<void> {
    // Written out (not built): it runs on every answered call.
    await withRetry(() => this.#sql.run(
      `UPDATE attempts SET state = 'talking', answered_at = ?, member_uuid = ? WHERE id = ? AND state IN (${LIVE_IN})`,
      [at, memberUuid, attemptId]));
  }

  async settleSnapshot(attemptId: number): Promise<SettleSnapshot | null> {
    // One read, no locks: applySettle writes only while the rows are still as read here.
    const [rows] = await withRetry(() => this.db.raw(
      `SELECT a.id, a.state, a.campaign_id, a.member_id, a.communication_id, a.agent_id, a.node, a.member_uuid, a.ended_at,
              a.result_status, m.state AS m_state, m.tries AS m_tries, m.minus_tries AS m_minus_tries,
              m.expire_at AS m_expire_at, m.version AS m_version, c.state AS c_state, c.version AS c_version,
              ${CAMPAIGN_RULE_COLUMNS.map((k) => `c.${k}`).join(', ')},
              (SELECT JSON_ARRAYAGG(JSON_OBJECT('id', x.id, 'number', x.number, 'priority', x.priority,
                        'position', x.position, 'state', x.state) ORDER BY x.position)
                 FROM communications x WHERE x.member_id = a.member_id) AS communications,
              ${AGENT_SNAPSHOT}
         FROM attempts a JOIN members m ON m.id = a.member_id JOIN campaigns c ON c.id = a.campaign_id
         LEFT JOIN agents g ON g.id = a.agent_id AND g.attempt_id = a.id
        WHERE a.id = ?`, [attemptId]));
    const r = (rows as Record<string, any>[])[0];
    if (!r) return null;
    return {
      attemptId: r.id,
      attemptState: r.state,
      campaignId: r.campaign_id,
      memberId: r.member_id,
      communicationId: r.communication_id,
      agentId: r.agent_id,
      node: r.node,
      memberUuid: r.member_uuid,
      endedAt: r.ended_at,
      resultStatus: fromJsonColumn<ResultStatus | null>(r.result_status, null),
      member: { state: r.m_state, tries: r.m_tries, minusTries: r.m_minus_tries, expireAt: r.m_expire_at, version: r.m_version },
      communications: fromJsonColumn<CommunicationView[]>(r.communications, []),
      rules: toCampaignRules(r),
      campaignState: r.c_state,
      campaignVersion: r.c_version,
      agent: r.g_id === null ? null : { ...toAgentView(agentOf(r)), id: r.g_id, sipUser: r.g_sip_user, version: r.g_version },
    };
  }

  async applySettle(p: SettlePlan, now: Date): Promise<boolean> {
    const w = settleWrites(p, now);
    if (!p.dropRegistration) return (await withRetry(() => this.#sql.run<Written>(w.sql, w.values))).affectedRows > 0;
    const drop = p.dropRegistration;
    return withRetry(() => this.#sql.transaction(async (sql) => {
      if ((await sql<Written>(w.sql, w.values)).affectedRows === 0) return false;
      await sql('DELETE FROM registrations WHERE sip_user = ? AND node = ?', [drop.sipUser, drop.node]);
      return true;
    }));
  }

  async endWrapup(agentId: number, now: Date): Promise<boolean> {
    for (let round = 0; round < 20; round++) {
      const row = await this.db('agents').where({ id: agentId, state: 'Wrap up' }).first(...AGENT_COLUMNS);
      if (!row) return false;
      const next = onWrapupEnded(toAgentView(row), now);
      if (next.state !== 'Waiting') return false;
      const n = await withRetry(() => this.db('agents').where({ id: agentId, version: row.version })
        .update({ ...agentViewColumns(next, now), version: this.db.raw('version + 1') }));
      if (n > 0) return true;
    }
    return false;
  }

  async renewLeases(instanceId: string, until: Date): Promise<number> {
    return withRetry(() => this.db('attempts').where('instance_id', instanceId).whereIn('state', LIVE_STATES).update({ lease_until: until }));
  }

  async orphanedAttempts(instanceId: string, now: Date, ownBefore?: Date, reservedBefore?: Date): Promise<OrphanedAttempt[]> {
    const rows = await this.db('attempts')
      .whereIn('state', LIVE_STATES)
      .where((w) => {
        w.where((o) => o.where((l) => l.where('lease_until', '<', now).orWhereNull('lease_until'))
          .where((i) => i.whereNot('instance_id', instanceId).orWhereNull('instance_id')));
        if (ownBefore) w.orWhere((o) => o.where('instance_id', instanceId).where('created_at', '<', ownBefore));
        if (reservedBefore) w.orWhere((o) => o.where({ instance_id: instanceId, state: 'reserved' }).where('created_at', '<', reservedBefore));
      })
      .select('id', 'campaign_id', 'agent_id', 'state', 'node', 'agent_uuid', 'member_uuid', 'answered_at', 'instance_id', 'lease_until');
    return rows.map((r) => ({
      id: r.id as number, campaignId: r.campaign_id as number, agentId: r.agent_id as number | null, state: r.state as string,
      node: r.node as string | null, agentUuid: r.agent_uuid as string | null, memberUuid: r.member_uuid as string | null,
      answeredAt: r.answered_at as Date | null, instanceId: r.instance_id as string | null, leaseUntil: r.lease_until as Date | null,
    }));
  }

  async takeOver(o: OrphanedAttempt, instanceId: string, until: Date): Promise<boolean> {
    // Compared as read (NULL-safe): a renewal or another process's takeover since then wins.
    const n = await withRetry(() => this.db('attempts').where('id', o.id).whereIn('state', LIVE_STATES)
      .whereRaw('instance_id <=> ?', [o.instanceId]).whereRaw('lease_until <=> ?', [o.leaseUntil])
      .update({ instance_id: instanceId, lease_until: until }));
    return n === 1;
  }

  async liveCount(instanceId: string): Promise<number> {
    // A preview ends only when its agent decides or its time passes (minutes): a shutdown does not
    // wait for it; the restart, or another process after the lease, recovers it (S3).
    const r = await this.db('attempts').where('instance_id', instanceId).whereIn('state', LIVE_STATES.filter((s) => s !== 'previewing'))
      .count({ n: '*' }).first();
    return Number(r?.n ?? 0);
  }
}

/** A4, C8: the subscriber's number and the call's channel variables. */
function bridgePlan(a: { attemptId: number; campaignId: number; memberId: number; agentId: number | null; number: string },
  campaignVariables: Record<string, unknown>, memberVariables: Record<string, unknown>, campaignName: string | undefined): BridgePlan {
  const variables = callVariables(campaignVariables, memberVariables, a);
  return {
    kind: 'bridge',
    number: a.number,
    variables,
    callerIdNumber: variables.dialer_caller_id_number ?? '',
    callerIdName: variables.dialer_caller_id_name ?? campaignName ?? '',
  };
}

/** The agent columns a transition changed, with updated_at. */
function changedAgentColumns(before: AgentView, after: AgentView, now: Date): Record<string, unknown> {
  const was = agentViewColumns(before, now);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(agentViewColumns(after, now))) {
    const old = was[k];
    const same = v instanceof Date && old instanceof Date ? v.getTime() === old.getTime() : v === old;
    if (!same || k === 'updated_at') out[k] = v;
  }
  return out;
}

/** The agent's columns in a snapshot read, prefixed g_ (the agent is `g`). */
const AGENT_SNAPSHOT = AGENT_COLUMNS.map((k) => `g.${k} AS g_${k}`).join(', ');

function agentOf(r: Record<string, any>): Record<string, any> {
  return Object.fromEntries(AGENT_COLUMNS.map((k) => [k, r[`g_${k}`]]));
}

/**
 * A settle plan as one multi-table UPDATE: the attempt, its member, the number called and the
 * agent, each guarded by what the snapshot saw (state, versions), so a stale plan writes nothing.
 */
function settleWrites(p: SettlePlan, now: Date): { sql: string; values: Knex.RawBinding[] } {
  const u = new UpdateSets();
  const at = p.attempt;
  u.set('a.state', at.state);
  u.set('a.outcome', at.outcome);
  // A leg end that names no subscriber leg keeps the one recorded when it answered.
  if (at.memberUuid !== undefined) { u.sets.push('a.member_uuid = COALESCE(?, a.member_uuid)'); u.values.push(at.memberUuid); }
  if (at.answeredAt !== undefined) u.set('a.answered_at', at.answeredAt);
  if (at.endedAt !== undefined) u.set('a.ended_at', at.endedAt);
  if (at.hangupCause !== undefined) u.set('a.hangup_cause', at.hangupCause);
  if (at.talkSec !== undefined) u.set('a.talk_sec', at.talkSec);
  if (at.messageAt !== undefined) u.set('a.message_at', at.messageAt);
  if (at.agentCause !== undefined) u.set('a.agent_cause', at.agentCause);
  if (at.resultDeadlineAt !== undefined) u.set('a.result_deadline_at', at.resultDeadlineAt);
  if (at.leavesLine) u.raw('a.live_campaign = NULL', 'a.live_line_group = NULL');
  if (at.releasesMember) u.raw('a.active_member = NULL');
  u.member(p.member, now);
  const c = p.communication;
  if (c) {
    if (c.countTry) u.raw('c.tries = c.tries + 1');
    u.set('c.last_cause', c.lastCause);
    if (c.stop) u.raw("c.state = 'stopped'");
  }
  const g = p.agent;
  if (g) u.agentFreed(g.view, now);
  const where = ['a.id = ?', `a.state IN (${p.expectAttemptStates.map(() => '?').join(', ')})`, 'm.version = ?', 'k.version = ?'];
  const whereValues: Knex.RawBinding[] = [p.attemptId, ...p.expectAttemptStates, p.expectMemberVersion, p.expectCampaignVersion];
  if (p.expectNoResultStatus) where.push('a.result_status IS NULL');
  if (g) { where.push('g.version = ?'); whereValues.push(p.expectAgentVersion ?? -1); }
  // The campaign is only read (its rules and state decided the plan): a change of either since voids it.
  const sql = `UPDATE attempts a JOIN campaigns k ON k.id = ? JOIN members m ON m.id = a.member_id AND m.id = ?
    ${c ? 'JOIN communications c ON c.id = ?' : ''}
    ${g ? 'JOIN agents g ON g.id = ? AND g.attempt_id = a.id' : ''}
    SET ${u.sets.join(', ')}
    WHERE ${where.join(' AND ')}`;
  const joinValues: Knex.RawBinding[] = [p.campaignId, p.memberId, ...(c ? [c.id] : []), ...(g ? [g.id] : [])];
  return { sql, values: [...joinValues, ...u.values, ...whereValues] };
}
