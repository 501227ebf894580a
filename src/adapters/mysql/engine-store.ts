import type { Knex } from 'knex';
import type { WakeUp } from '../../app/ports/call-store.js';
import type { CampaignSettled, EngineStore, ExpiryCandidate, ExpiryPlan } from '../../app/ports/engine-store.js';
import { onStatusChange, type AgentStatus } from '../../domain/agent-state.js';
import type { EndReason } from '../../domain/dial-reason.js';
import { toCalendar } from './calendar-row.js';
import { withRetry } from './deadlock.js';
import { fromJsonColumn } from './row-mapping.js';
import { AGENT_COLUMNS, agentViewColumns, toAgentView } from './row-mappers.js';

const LIVE_STATES = ['previewing', 'reserved', 'ringing_agent', 'bridging', 'talking'];

export class MysqlEngineStore implements EngineStore {
  constructor(private readonly db: Knex) {}

  private tx<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return withRetry(() => this.db.transaction(fn));
  }

  async settleCampaign(campaignId: number, now: Date, seenState?: 'running'): Promise<CampaignSettled> {
    // Called after settles: a lock-free look first, so the common "still work to do" case
    // never queues behind the claims that hold the campaign row.
    const c = seenState ? { state: seenState } : await this.db('campaigns').where('id', campaignId).first('state');
    if (c?.state === 'running') {
      const left = await this.db('members').where('campaign_id', campaignId).whereIn('state', ['ready', 'dialing', 'waiting_result']).first('id');
      if (left) return null;
    } else if (c?.state === 'stopping') {
      if (await this.db('attempts').where('live_campaign', campaignId).first('id')) return null;
    } else {
      return null;
    }
    return this.tx(async (trx) => {
      const c = await trx('campaigns').where('id', campaignId).forUpdate().first('state');
      if (!c) return null;
      if (c.state === 'running') {
        const left = await trx('members').where('campaign_id', campaignId).whereIn('state', ['ready', 'dialing', 'waiting_result']).first('id');
        if (left) return null;
        const ended = await trx('members').where({ campaign_id: campaignId, state: 'done' }).count({ n: '*' }).first();
        const reason: EndReason = { code: 'finished', ended: Number(ended?.n ?? 0) };
        await trx('campaigns').where('id', campaignId).update({ state: 'finished', finished_at: now, updated_at: now,
          reason: JSON.stringify(reason), version: trx.raw('version + 1') });
        return 'finished';
      }
      if (c.state === 'stopping') {
        const live = await trx('attempts').where('live_campaign', campaignId).first('id');
        if (live) return null;
        await trx('campaigns').where('id', campaignId).update({ state: 'stopped', updated_at: now, version: trx.raw('version + 1') });
        return 'stopped';
      }
      return null;
    });
  }

  async campaignCalendars() {
    const rows = await this.db('campaigns as c').join('calendars as k', 'k.id', 'c.calendar_id')
      .whereIn('c.state', ['running', 'stopping'])
      .select('c.id', 'c.state', 'k.timezone', 'k.start_at', 'k.end_at', 'k.windows', 'k.holidays');
    return rows.map((r) => ({ id: r.id as number, state: r.state as string, calendar: toCalendar(r) }));
  }

  stopCampaign(campaignId: number, now: Date, reason: EndReason): Promise<CampaignSettled | 'stopping'> {
    return this.tx(async (trx) => {
      const c = await trx('campaigns').where('id', campaignId).forUpdate().first('state');
      if (!c || c.state !== 'running') return null;
      const live = await trx('attempts').where('live_campaign', campaignId).first('id');
      const state = live ? 'stopping' : 'stopped';
      await trx('campaigns').where('id', campaignId)
        .update({ state, updated_at: now, reason: JSON.stringify(reason), version: trx.raw('version + 1') });
      return state;
    });
  }

  async expiryCandidates(now: Date, batch: number): Promise<ExpiryCandidate[]> {
    // Members in a call are left to the settle step, which sees the expiry itself (M4).
    const [rows] = await withRetry(() => this.db.raw(
      `SELECT m.id, m.campaign_id, m.state, m.version, m.expire_at,
              CASE WHEN m.state = 'waiting_result' THEN
                (SELECT JSON_ARRAYAGG(a.id) FROM attempts a WHERE a.member_id = m.id AND a.state = 'waiting_result') END AS waiting
         FROM members m
        WHERE m.state IN ('ready', 'waiting_result') AND m.expire_at <= ?
        LIMIT ?`, [now, batch]));
    return (rows as Record<string, any>[]).map((r) => ({
      memberId: r.id, campaignId: r.campaign_id, state: r.state, version: r.version, expireAt: r.expire_at,
      waitingAttemptIds: fromJsonColumn<number[] | null>(r.waiting, null) ?? [],
    }));
  }

  async applyExpiry(p: ExpiryPlan, now: Date): Promise<boolean> {
    if (p.members.length === 0) return true;
    // One statement: each member guarded by the version read, its waiting attempts joined to it,
    // so an attempt is ended only with its member.
    const withAttempts = p.attempts.length > 0;
    const list = (n: number) => Array(n).fill('?').join(', ');
    const sets = ['m.state = ?', 'm.result = ?', 'm.ended_at = ?', 'm.updated_at = ?', 'm.version = m.version + 1'];
    const values: Knex.RawBinding[] = [p.member.state, p.member.result, p.member.endedAt, now];
    if (withAttempts) {
      sets.push('a.state = ?', 'a.outcome = ?');
      values.push(p.attempt.state, p.attempt.outcome);
      if (p.attempt.releasesMember) sets.push('a.active_member = NULL');
    }
    const sql = `UPDATE members m
      ${withAttempts ? `LEFT JOIN attempts a ON a.member_id = m.id AND a.state = 'waiting_result' AND a.id IN (${list(p.attempts.length)})` : ''}
      SET ${sets.join(', ')}
      WHERE m.id IN (${list(p.members.length)}) AND (m.id, m.version) IN (${p.members.map(() => '(?, ?)').join(', ')})`;
    const [res] = await withRetry(() => this.db.raw(sql, [
      ...(withAttempts ? p.attempts : []), ...values, ...p.members.map((m) => m.id), ...p.members.flatMap((m) => [m.id, m.expectVersion]),
    ]));
    return (res as { affectedRows: number }).affectedRows === p.members.length + p.attempts.length;
  }

  async nextExpiry(): Promise<Date | null> {
    const rows = await Promise.all(['ready', 'waiting_result'].map((state) =>
      this.db('members').where('state', state).whereNotNull('expire_at').min({ at: 'expire_at' }).first()));
    const times = rows.map((r) => r?.at as Date | null).filter((d): d is Date => d instanceof Date);
    return times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : null;
  }

  async pendingWakeUps(now: Date): Promise<WakeUp[]> {
    const out: WakeUp[] = [];
    // Only the earliest future ready_at per campaign matters: dispatch takes members in order.
    const members: { campaign_id: number; at: Date }[] = await this.db('members').where('state', 'ready')
      .where('ready_at', '>', now).groupBy('campaign_id').select('campaign_id').min({ at: 'ready_at' });
    for (const m of members) out.push({ kind: 'member-ready', campaignId: m.campaign_id, memberId: null, at: m.at });
    const agents = await this.db('agents').where('ready_at', '>', now).select('id', 'state', 'ready_at');
    for (const a of agents) {
      out.push(a.state === 'Wrap up'
        ? { kind: 'wrapup-end', agentId: a.id, at: a.ready_at }
        : { kind: 'agent-ready', agentId: a.id, at: a.ready_at });
    }
    const wrapped = await this.db('agents').where('state', 'Wrap up').where('ready_at', '<=', now).select('id');
    for (const a of wrapped) out.push({ kind: 'wrapup-end', agentId: a.id, at: now });
    const waiting = await this.db('attempts').where('state', 'waiting_result').select('id', 'result_deadline_at');
    for (const a of waiting) out.push({ kind: 'result-deadline', attemptId: a.id, at: a.result_deadline_at ?? now });
    return out;
  }

  setAgentStatusBySipUser(sipUser: string, status: AgentStatus, now: Date): Promise<number | null> {
    return this.tx(async (trx) => {
      const row = await trx('agents').where('sip_user', sipUser).forUpdate().first(...AGENT_COLUMNS);
      if (!row) return null;
      const next = onStatusChange(toAgentView(row), status, now);
      await trx('agents').where('id', row.id).update({ ...agentViewColumns(next, now), version: trx.raw('version + 1') });
      return row.id as number;
    });
  }

  async setRegistration(node: string, sipUser: string, contact: string | null): Promise<number | null> {
    if (contact === null) {
      await this.db('registrations').where({ sip_user: sipUser, node }).del();
    } else {
      await this.db('registrations').insert({ sip_user: sipUser, node, contact, updated_at: new Date() })
        .onConflict(['sip_user', 'node']).merge(['contact', 'updated_at']);
    }
    const agent = await this.db('agents').where('sip_user', sipUser).first('id');
    return agent ? (agent.id as number) : null;
  }

  async syncRegistrations(node: string, users: { sipUser: string; contact: string }[]): Promise<number[]> {
    const names = users.map((u) => u.sipUser);
    const gone: string[] = await this.tx(async (trx) => {
      const stale = trx('registrations').where('node', node);
      if (names.length) stale.whereNotIn('sip_user', names);
      const dropped: string[] = await stale.clone().pluck('sip_user');
      await stale.del();
      if (users.length) {
        const now = new Date();
        await trx('registrations').insert(users.map((u) => ({ sip_user: u.sipUser, node, contact: u.contact, updated_at: now })))
          .onConflict(['sip_user', 'node']).merge(['contact', 'updated_at']);
      }
      return dropped;
    });
    const touched = [...names, ...gone];
    return touched.length ? this.db('agents').whereIn('sip_user', touched).pluck('id') : [];
  }

  async releaseStuckAgents(now: Date): Promise<number> {
    return this.db('agents')
      .whereIn('state', ['Reserved', 'Receiving', 'In a queue call'])
      .where((w) => w.whereNull('attempt_id').orWhereNotExists(
        this.db('attempts').whereRaw('attempts.id = agents.attempt_id').whereIn('attempts.state', LIVE_STATES).select(this.db.raw('1')),
      ))
      .update({ state: 'Waiting', attempt_id: null, idle_since: now, ready_at: now, updated_at: now, version: this.db.raw('version + 1') });
  }

  overdueWrapups(endedBefore: Date): Promise<number[]> {
    return this.db('agents').where('state', 'Wrap up').where('ready_at', '<', endedBefore).pluck('id');
  }
}
