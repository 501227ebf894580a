import type { Knex } from 'knex';
import type { AppliedStatus, WakeUp } from '../../app/ports/call-store.js';
import type { ResultStatus } from '../../app/ports/result-status.js';
import { applyResultStatus, type CommunicationView } from '../../domain/result-status.js';
import { withRetry } from './deadlock.js';
import { CAMPAIGN_RULE_COLUMNS, toCampaignRules } from './row-mappers.js';

function sameStatus(stored: unknown, s: ResultStatus): boolean {
  const a = typeof stored === 'string' ? JSON.parse(stored) : stored;
  return JSON.stringify(a) === JSON.stringify(s);
}

/*
 * R1, R2 in one transaction. Locks the member row, then its latest attempt.
 * - Same status again for the same attempt: answered as before, nothing changes (idempotent).
 * - Member done: 409, nothing changes (a late or duplicate status never rewrites a result).
 * - Otherwise the domain decides; the status and comment are stored on the latest attempt.
 * - W4: a status for a given attempt (an agent's call) that is no longer the member's latest: 409.
 */
export async function applyResultStatusInDb(db: Knex, campaignId: number, memberId: number, s: ResultStatus, now: Date,
  attemptId?: number): Promise<AppliedStatus> {
  try {
    return await applyInTransaction(db, campaignId, memberId, s, now, attemptId);
  } catch (err) {
    // M2: next_communication named a number another member of the campaign already has.
    if ((err as { code?: string }).code !== 'ER_DUP_ENTRY') throw err;
    const reason = `number ${s.next_communication} belongs to another member of this campaign`;
    return { outcome: { kind: 'conflict', reason }, wakeUps: [], campaignId: null };
  }
}

function applyInTransaction(db: Knex, campaignId: number, memberId: number, s: ResultStatus, now: Date, attemptId?: number): Promise<AppliedStatus> {
  return withRetry(() => db.transaction(async (trx) => {
    const m = await trx('members').where({ id: memberId, campaign_id: campaignId }).forUpdate()
      .first('id', 'state', 'tries', 'ready_at', 'result', 'next_communication_id');
    if (!m) return { outcome: { kind: 'not-found' }, wakeUps: [], campaignId: null };
    const attempt = await trx('attempts').where('member_id', memberId).orderBy('id', 'desc').forUpdate()
      .first('id', 'state', 'outcome', 'result_status');
    if (attemptId !== undefined && Number(attempt?.id) !== attemptId) {
      const reason = `attempt ${attemptId} is no longer member ${memberId}'s latest call (attempt ${attempt?.id ?? 'none'} is)`;
      return { outcome: { kind: 'conflict', reason }, wakeUps: [], campaignId: null };
    }
    if (attempt?.result_status && sameStatus(attempt.result_status, s)) {
      return { outcome: { kind: 'applied', member: await memberView(trx, memberId) }, wakeUps: [], campaignId: null };
    }
    const [c, comms] = await Promise.all([
      trx('campaigns').where('id', campaignId).first(...CAMPAIGN_RULE_COLUMNS),
      trx('communications').where('member_id', memberId).orderBy('position').select('id', 'number', 'priority', 'position', 'state'),
    ]);
    const decision = applyResultStatus(toCampaignRules(c), {
      state: m.state,
      tries: m.tries,
      readyAt: m.ready_at,
      result: m.result,
      communications: comms as CommunicationView[],
    }, {
      success: s.success,
      resetRetries: s.reset_retries,
      nextAfterSec: s.next_after_sec,
      nextCommunication: s.next_communication,
      stopCommunications: s.stop_communications,
      comment: s.comment,
    }, now);
    if (decision.kind === 'conflict') return { outcome: { kind: 'conflict', reason: decision.reason }, wakeUps: [], campaignId: null };

    let nextId: number | null = null;
    let position = comms.length;
    for (const cv of decision.communications) {
      if (cv.id === null) {
        const [id] = await trx('communications').insert({
          member_id: memberId, campaign_id: campaignId, number: cv.number, priority: cv.priority, position: position++, state: cv.state,
        });
        if (cv.number === decision.nextCommunication) nextId = id!;
        continue;
      }
      const before = comms.find((x) => x.id === cv.id);
      if (before && (before.state !== cv.state || before.priority !== cv.priority)) {
        await trx('communications').where('id', cv.id).update({ state: cv.state, priority: cv.priority });
      }
      if (cv.number === decision.nextCommunication) nextId = cv.id;
    }
    if (decision.resetTries) await trx('communications').where('member_id', memberId).update({ tries: 0 });
    const dm = decision.member;
    await trx('members').where('id', memberId).update({
      state: dm.state,
      tries: dm.tries,
      // R1 reset_retries clears every attempt count, the uncounted (C9 minus) ones too.
      ...(decision.resetTries ? { minus_tries: 0 } : {}),
      ready_at: dm.readyAt,
      result: dm.result,
      ended_at: dm.state === 'done' ? now : null,
      next_communication_id: nextId ?? m.next_communication_id,
      version: trx.raw('version + 1'),
      updated_at: now,
    });
    if (attempt) {
      await trx('attempts').where('id', attempt.id).update({
        result_status: JSON.stringify(s),
        comment: s.comment ?? null,
        // C7: a status ends the wait for a result.
        ...(attempt.state === 'waiting_result'
          ? { state: 'done', active_member: null, outcome: dm.state === 'done' && s.success ? 'success' : 'retry' }
          // A success for a member whose call had settled unsuccessfully (no status within the
          // wrap-up) is that call's success: the boards count succeeded members by it.
          : attempt.state === 'done' && dm.state === 'done' && s.success && (attempt.outcome === 'retry' || attempt.outcome === 'minus')
            ? { outcome: 'success' }
            : {}),
      });
    }
    const wakeUps: WakeUp[] = dm.state === 'ready' ? [{ kind: 'member-ready', campaignId, memberId, at: dm.readyAt }] : [];
    return {
      outcome: { kind: 'applied', member: await memberView(trx, memberId) },
      wakeUps,
      campaignId: dm.state === 'done' ? campaignId : null,
    };
  }));
}

async function memberView(trx: Knex.Transaction, memberId: number) {
  const m = await trx('members').where('id', memberId).first('id', 'campaign_id', 'state', 'tries', 'ready_at', 'result', 'ended_at');
  const comms = await trx('communications').where('member_id', memberId).orderBy('position')
    .select('number', 'priority', 'state', 'tries');
  return {
    id: m.id, campaign_id: m.campaign_id, state: m.state, tries: m.tries,
    ready_at: m.ready_at?.toISOString() ?? null, result: m.result, ended_at: m.ended_at?.toISOString() ?? null,
    communications: comms,
  };
}
