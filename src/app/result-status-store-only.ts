import type { Knex } from 'knex';
import type { ApplyResultStatus, ResultStatus } from './ports/result-status.js';

/**
 * R1 until the engine lands: keeps the status on the member's latest attempt
 * (result_status + comment) and changes nothing else. R2: once the member is
 * done, only a repeat of the stored status is accepted; anything else is a 409.
 * `getMember` renders the member for the answer.
 */
export function storeOnlyResultStatus(
  db: Knex,
  getMember: (campaignId: number, memberId: number) => Promise<unknown>,
): ApplyResultStatus {
  return async (campaignId, memberId, status: ResultStatus) => {
    const outcome = await db.transaction(async (trx) => {
      const member = await trx('members').where({ id: memberId, campaign_id: campaignId }).forUpdate().first('state');
      if (!member) return { kind: 'not-found' } as const;
      const attempt = await trx('attempts').where({ member_id: memberId }).orderBy('id', 'desc').first('id', 'result_status');
      const stored = attempt?.result_status === null || attempt?.result_status === undefined
        ? undefined
        : typeof attempt.result_status === 'string' ? JSON.parse(attempt.result_status) : attempt.result_status;
      if (member.state === 'done') {
        if (stored !== undefined && sameStatus(stored, status)) return { kind: 'same' } as const;
        return { kind: 'conflict', reason: 'member is finished; a result status can no longer change it' } as const;
      }
      if (!attempt) return { kind: 'conflict', reason: 'member has no attempt to attach a result status to' } as const;
      await trx('attempts').where({ id: attempt.id }).update({
        result_status: JSON.stringify(status),
        comment: status.comment ?? null,
      });
      return { kind: 'applied' } as const;
    });
    if (outcome.kind === 'not-found' || outcome.kind === 'conflict') return outcome;
    return { kind: 'applied', member: await getMember(campaignId, memberId) };
  };
}

function sameStatus(a: unknown, b: ResultStatus): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)]));
  }
  return v;
}
