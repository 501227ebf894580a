import type { Knex } from 'knex';
import type { ResultStatus } from '../../app/ports/result-status.js';
import { RESULT_SUCCESS, type CampaignRules, type MemberDecision } from '../../domain/attempt-rules.js';
import { applyResultStatus, type CommunicationView } from '../../domain/result-status.js';
import { fromJsonColumn } from './row-mapping.js';

/**
 * R1: a result status that came while the call was still live (the agent sent it before hanging
 * up) is this call's verdict: the call is settled as if it had been waiting for that status.
 * Its number changes were stored when it came; here it decides the member.
 * Returns null when the attempt carries no status.
 */
export async function pendingStatusDecision(trx: Knex.Transaction, attempt: { member_id: number; result_status: unknown },
  member: { tries: number }, rules: CampaignRules, now: Date): Promise<MemberDecision | null> {
  const s = fromJsonColumn<ResultStatus | null>(attempt.result_status, null);
  if (!s) return null;
  const communications: CommunicationView[] = await trx('communications').where('member_id', attempt.member_id)
    .select('id', 'number', 'priority', 'position', 'state');
  const d = applyResultStatus(rules, { state: 'waiting_result', tries: member.tries, readyAt: now, result: null, communications }, {
    success: s.success,
    resetRetries: false, // already applied when the status came
    nextAfterSec: s.next_after_sec,
    comment: s.comment,
  }, now);
  if (d.kind === 'conflict') return null;
  if (d.member.state === 'done') {
    return { kind: 'end', result: d.member.result ?? RESULT_SUCCESS, success: d.member.result === RESULT_SUCCESS, counts: 'try' };
  }
  return { kind: 'retry', readyAt: d.member.readyAt, counts: 'try', stopNumber: false };
}
