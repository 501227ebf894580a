import type { Knex } from 'knex';
import type { SettleResult, WakeUp } from '../../app/ports/call-store.js';
import type { NoPreview, PreviewStore } from '../../app/ports/preview-store.js';
import type { PreviewTimeoutPolicy } from '../../domain/campaign-type.js';
import {
  agentAfterPreview, memberAfterPreview, onPreviewTimeout, PREVIEW_SKIPPED_CAUSE, PREVIEW_TIMEOUT_CAUSE, SKIPPED_OUTCOME,
  type PreviewDecision,
} from '../../domain/preview.js';
import { expireIfDue, freeAgent, writeMember } from './call-store.js';
import { withRetry } from './deadlock.js';

type Trx = Knex.Transaction;

/** P2 over MySQL: the attempt row is locked first, as every write of an attempt's life does. */
export class MysqlPreviewStore implements PreviewStore {
  constructor(private readonly db: Knex) {}

  private tx<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    return withRetry(() => this.db.transaction(fn));
  }

  accept(agentId: number) {
    return this.tx(async (trx) => {
      const found = await agentsPreview(trx, agentId);
      if (found.kind !== 'found') return found;
      const a = found.attempt;
      await trx('attempts').where('id', a.id).update({ preview_decision: 'accepted' satisfies PreviewDecision });
      return { kind: 'accepted' as const, attemptId: Number(a.id), campaignId: Number(a.campaign_id) };
    });
  }

  skip(agentId: number, reason: string, now: Date) {
    return this.tx(async (trx) => {
      const found = await agentsPreview(trx, agentId);
      if (found.kind !== 'found') return found;
      const result = await endPreview(trx, found.attempt, 'skipped', reason, now);
      return { kind: 'skipped' as const, attemptId: Number(found.attempt.id), result };
    });
  }

  async startCall(attemptId: number, now: Date): Promise<boolean> {
    // As markRinging, from previewing: the attempt, then its Reserved agent, in one statement.
    const [r] = await withRetry(() => this.db.raw(
      `UPDATE attempts a LEFT JOIN agents g ON g.attempt_id = a.id AND g.state = 'Reserved'
          SET a.state = 'ringing_agent', g.state = 'Receiving', g.version = g.version + 1, g.updated_at = ?
        WHERE a.id = ? AND a.state = 'previewing'`, [now, attemptId]));
    return Number((r as { affectedRows?: number }).affectedRows ?? 0) > 0;
  }

  deadlinePassed(attemptId: number, now: Date) {
    return this.tx(async (trx) => {
      const a = await trx('attempts').where({ id: attemptId, state: 'previewing' }).forUpdate().first();
      if (!a) return { kind: 'gone' as const };
      const c = await trx('campaigns').where('id', a.campaign_id).first('preview_timeout');
      const policy = (c?.preview_timeout ?? 'return') as PreviewTimeoutPolicy;
      if (onPreviewTimeout(a.preview_decision as PreviewDecision | null, policy) === 'dial') {
        if (a.preview_decision === null) await trx('attempts').where('id', a.id).update({ preview_decision: 'timed_out' satisfies PreviewDecision });
        return { kind: 'dial' as const };
      }
      return { kind: 'returned' as const, result: await endPreview(trx, a, 'timed_out', null, now) };
    });
  }
}

/** The agent's current attempt, locked, when it is a preview nobody decided yet. */
async function agentsPreview(trx: Trx, agentId: number): Promise<{ kind: 'found'; attempt: Record<string, any> } | NoPreview | { kind: 'no-agent' }> {
  const agent = await trx('agents').where('id', agentId).first('id', 'attempt_id');
  if (!agent) return { kind: 'no-agent' };
  const a = agent.attempt_id === null ? undefined : await trx('attempts').where('id', agent.attempt_id).forUpdate().first();
  if (!a || a.agent_id !== agentId || a.state !== 'previewing' || a.preview_decision !== null) {
    return { kind: 'no-preview', state: a ? String(a.state) : null };
  }
  return { kind: 'found', attempt: a };
}

/** A preview that is not dialled: kept as a skipped attempt, no try used, member after its retry wait, agent freed. */
async function endPreview(trx: Trx, a: Record<string, any>, how: 'skipped' | 'timed_out', reason: string | null, now: Date): Promise<SettleResult> {
  const [m, c] = await Promise.all([
    trx('members').where('id', a.member_id).forUpdate().first('id', 'expire_at'),
    trx('campaigns').where('id', a.campaign_id).first('retry_wait_sec'),
  ]);
  await trx('attempts').where('id', a.id).update({
    state: 'done', outcome: SKIPPED_OUTCOME, preview_decision: how satisfies PreviewDecision,
    agent_cause: how === 'skipped' ? PREVIEW_SKIPPED_CAUSE : PREVIEW_TIMEOUT_CAUSE, comment: reason, ended_at: now,
    active_member: null, live_campaign: null, live_line_group: null,
  });
  const decision = expireIfDue(memberAfterPreview(Number(c?.retry_wait_sec ?? 0), now), m?.expire_at ?? null, now);
  const wakeUps: WakeUp[] = [];
  await writeMember(trx, a.campaign_id, a.member_id, decision, now, wakeUps);
  await freeAgent(trx, a as { id: number; agent_id: number | null; node: string | null }, now, wakeUps, (view) => agentAfterPreview(view, how, now));
  return { kind: 'settled', campaignId: a.campaign_id, memberId: a.member_id, agentId: a.agent_id, decision, wakeUps };
}
