import type { Knex } from 'knex';
import type { PreviewPlan, PreviewSnapshot, PreviewStore } from '../../app/ports/preview-store.js';
import type { PreviewTimeoutPolicy } from '../../domain/campaign-type.js';
import type { PreviewDecision } from '../../domain/preview.js';
import { withRetry } from './deadlock.js';
import { AGENT_COLUMNS, toAgentView } from './row-mappers.js';
import { UpdateSets } from './update-sets.js';

/** The preview's rows in one read: the attempt `a`, its member, its campaign and its attached agent `g`. */
const SNAPSHOT_COLUMNS = `a.id, a.state, a.preview_decision, a.campaign_id, a.member_id, a.agent_id, a.node,
  m.state AS m_state, m.tries AS m_tries, m.minus_tries AS m_minus_tries, m.expire_at AS m_expire_at, m.version AS m_version,
  c.state AS c_state, c.version AS c_version, c.retry_wait_sec AS c_retry_wait_sec, c.preview_timeout AS c_preview_timeout,
  ${AGENT_COLUMNS.map((k) => `g.${k} AS g_${k}`).join(', ')}`;
const SNAPSHOT_JOINS = `JOIN members m ON m.id = a.member_id JOIN campaigns c ON c.id = a.campaign_id
  LEFT JOIN agents g ON g.id = a.agent_id AND g.attempt_id = a.id`;

/** P2 over MySQL: snapshots without locks, and plans written by one guarded UPDATE (as settles are). */
export class MysqlPreviewStore implements PreviewStore {
  constructor(private readonly db: Knex) {}

  async agentPreview(agentId: number) {
    const [rows] = await withRetry(() => this.db.raw(
      `SELECT x.id AS agent_row, ${SNAPSHOT_COLUMNS}
         FROM agents x LEFT JOIN (attempts a ${SNAPSHOT_JOINS}) ON a.id = x.attempt_id
        WHERE x.id = ?`, [agentId]));
    const r = (rows as Record<string, any>[])[0];
    if (!r) return { kind: 'no-agent' as const };
    return { kind: 'agent' as const, snapshot: r.id === null ? null : toSnapshot(r) };
  }

  async previewSnapshot(attemptId: number): Promise<PreviewSnapshot | null> {
    const [rows] = await withRetry(() => this.db.raw(`SELECT ${SNAPSHOT_COLUMNS} FROM attempts a ${SNAPSHOT_JOINS} WHERE a.id = ?`, [attemptId]));
    const r = (rows as Record<string, any>[])[0];
    return r ? toSnapshot(r) : null;
  }

  async applyPreview(p: PreviewPlan, now: Date): Promise<boolean> {
    const w = previewWrites(p, now);
    const [res] = await withRetry(() => this.db.raw(w.sql, w.values));
    return (res as { affectedRows: number }).affectedRows > 0;
  }

  async startCall(attemptId: number, now: Date): Promise<boolean> {
    // As markRinging, from previewing: the attempt, then its Reserved agent, in one statement.
    const [r] = await withRetry(() => this.db.raw(
      `UPDATE attempts a LEFT JOIN agents g ON g.attempt_id = a.id AND g.state = 'Reserved'
          SET a.state = 'ringing_agent', g.state = 'Receiving', g.version = g.version + 1, g.updated_at = ?
        WHERE a.id = ? AND a.state = 'previewing'`, [now, attemptId]));
    return Number((r as { affectedRows?: number }).affectedRows ?? 0) > 0;
  }
}

function toSnapshot(r: Record<string, any>): PreviewSnapshot {
  return {
    attemptId: r.id,
    attemptState: r.state,
    previewDecision: r.preview_decision as PreviewDecision | null,
    campaignId: r.campaign_id,
    memberId: r.member_id,
    agentId: r.agent_id,
    node: r.node,
    member: { state: r.m_state, tries: r.m_tries, minusTries: r.m_minus_tries, expireAt: r.m_expire_at, version: r.m_version },
    campaign: { state: r.c_state, version: r.c_version, retryWaitSec: r.c_retry_wait_sec, previewTimeout: r.c_preview_timeout as PreviewTimeoutPolicy },
    agent: r.g_id === null ? null
      : { ...toAgentView(Object.fromEntries(AGENT_COLUMNS.map((k) => [k, r[`g_${k}`]]))), id: r.g_id, sipUser: r.g_sip_user, version: r.g_version },
  };
}

/**
 * A preview plan as one multi-table UPDATE: the attempt, and when the preview ends its member and
 * agent; each row joined only when written or expected, guarded by what the snapshot saw.
 */
function previewWrites(p: PreviewPlan, now: Date): { sql: string; values: Knex.RawBinding[] } {
  const u = new UpdateSets();
  u.set('a.preview_decision', p.decision);
  const end = p.end;
  if (end) {
    u.set('a.state', 'done');
    u.set('a.outcome', end.outcome);
    u.set('a.agent_cause', end.agentCause);
    u.set('a.comment', end.comment);
    u.set('a.ended_at', end.endedAt);
    // C2: the line is free and the member may be called by another attempt.
    u.raw('a.active_member = NULL', 'a.live_campaign = NULL', 'a.live_line_group = NULL');
    u.member(end.member, now);
    if (end.agent) u.agentFreed(end.agent.view, now);
  }
  const x = p.expect;
  const joins: string[] = [];
  const joinValues: Knex.RawBinding[] = [];
  const where = ['a.id = ?', "a.state = 'previewing'", 'a.preview_decision <=> ?'];
  const whereValues: Knex.RawBinding[] = [p.attemptId, x.decision];
  if (x.campaignVersion !== undefined) {
    joins.push('JOIN campaigns k ON k.id = a.campaign_id AND k.id = ?');
    joinValues.push(p.campaignId);
    where.push('k.version = ?');
    whereValues.push(x.campaignVersion);
  }
  if (end || x.memberVersion !== undefined) {
    joins.push('JOIN members m ON m.id = a.member_id AND m.id = ?');
    joinValues.push(p.memberId);
    if (x.memberVersion !== undefined) { where.push('m.version = ?'); whereValues.push(x.memberVersion); }
  }
  const agentId = end?.agent?.id ?? x.agentId;
  if (agentId !== undefined) {
    // The agent whose call the attempt still is.
    joins.push('JOIN agents g ON g.id = ? AND g.attempt_id = a.id');
    joinValues.push(agentId);
    if (x.agentId !== undefined) { where.push('a.agent_id = ?'); whereValues.push(x.agentId); }
    if (x.agentVersion !== undefined) { where.push('g.version = ?'); whereValues.push(x.agentVersion); }
  }
  const sql = `UPDATE attempts a ${joins.join(' ')} SET ${u.sets.join(', ')} WHERE ${where.join(' AND ')}`;
  return { sql, values: [...joinValues, ...u.values, ...whereValues] };
}
