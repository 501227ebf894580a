import type { Knex } from 'knex';
import type { ResultStatus, StatusApplied, StatusPlan, StatusSnapshot, StatusStore } from '../../app/ports/result-status.js';
import type { CommunicationView } from '../../domain/result-status.js';
import { withRetry } from './deadlock.js';
import { fromJsonColumn, isDuplicateKey } from './row-mapping.js';
import { CAMPAIGN_RULE_COLUMNS, toCampaignRules } from './row-mappers.js';

/** R1, R2: the rows a result status reads and writes (the decision is result-status-plan.ts). */
export class MysqlStatusStore implements StatusStore {
  constructor(private readonly db: Knex) {}

  async statusSnapshot(campaignId: number, memberId: number): Promise<StatusSnapshot | null> {
    const [rows] = await this.db.raw(
      `SELECT m.id, m.state, m.tries, m.ready_at, m.result, m.version,
              ${CAMPAIGN_RULE_COLUMNS.map((k) => `c.${k}`).join(', ')},
              a.id AS a_id, a.state AS a_state, a.outcome AS a_outcome, a.result_status AS a_result_status,
              (SELECT JSON_ARRAYAGG(JSON_OBJECT('id', x.id, 'number', x.number, 'priority', x.priority,
                        'position', x.position, 'state', x.state) ORDER BY x.position)
                 FROM communications x WHERE x.member_id = m.id) AS communications
         FROM members m JOIN campaigns c ON c.id = m.campaign_id
         LEFT JOIN attempts a ON a.id = (SELECT MAX(l.id) FROM attempts l WHERE l.member_id = m.id)
        WHERE m.id = ? AND m.campaign_id = ?`, [memberId, campaignId]);
    const r = (rows as Record<string, any>[])[0];
    if (!r) return null;
    return {
      campaignId,
      member: { id: r.id, state: r.state, tries: r.tries, readyAt: r.ready_at, result: r.result, version: r.version },
      communications: fromJsonColumn<CommunicationView[]>(r.communications, []),
      attempt: r.a_id === null ? null
        : { id: r.a_id, state: r.a_state, outcome: r.a_outcome, resultStatus: fromJsonColumn<ResultStatus | null>(r.a_result_status, null) },
      rules: toCampaignRules(r),
    };
  }

  async applyStatus(p: StatusPlan, now: Date): Promise<StatusApplied> {
    try {
      return await withRetry(() => this.db.transaction((trx) => applyInTransaction(trx, p, now)));
    } catch (err) {
      // M2: next_communication named a number another member of the campaign already has.
      if (isDuplicateKey(err)) return { kind: 'duplicate-number' };
      throw err;
    }
  }

  memberView(memberId: number): Promise<unknown> {
    return memberView(this.db, memberId);
  }
}

async function applyInTransaction(trx: Knex.Transaction, p: StatusPlan, now: Date): Promise<StatusApplied> {
  const dm = p.member;
  // First, and guarded: it locks the member and finds out whether the snapshot still holds.
  const changed = await trx('members').where({ id: p.memberId, version: p.expectMemberVersion }).update({
    state: dm.state,
    tries: dm.tries,
    ...(dm.clearMinusTries ? { minus_tries: 0 } : {}),
    ready_at: dm.readyAt,
    result: dm.result,
    ended_at: dm.endedAt,
    ...(p.next && 'id' in p.next ? { next_communication_id: p.next.id } : {}),
    version: trx.raw('version + 1'),
    updated_at: now,
  });
  if (changed === 0) return { kind: 'stale' };
  for (const c of p.addCommunications) {
    const [id] = await trx('communications').insert({ member_id: p.memberId, campaign_id: p.campaignId, ...c });
    if (p.next && 'addedNumber' in p.next && p.next.addedNumber === c.number) {
      await trx('members').where('id', p.memberId).update({ next_communication_id: id });
    }
  }
  for (const c of p.updateCommunications) await trx('communications').where('id', c.id).update({ state: c.state, priority: c.priority });
  if (p.resetTries) await trx('communications').where('member_id', p.memberId).update({ tries: 0 });
  const a = p.attempt;
  if (a) {
    await trx('attempts').where('id', a.id).update({
      result_status: JSON.stringify(a.resultStatus),
      comment: a.comment,
      ...(a.state ? { state: a.state } : {}),
      ...(a.releasesMember ? { active_member: null } : {}),
      ...(a.outcome ? { outcome: a.outcome } : {}),
    });
  }
  return { kind: 'applied', member: await memberView(trx, p.memberId) };
}

async function memberView(db: Knex, memberId: number) {
  const m = await db('members').where('id', memberId).first('id', 'campaign_id', 'state', 'tries', 'ready_at', 'result', 'ended_at');
  const comms = await db('communications').where('member_id', memberId).orderBy('position')
    .select('number', 'priority', 'state', 'tries');
  return {
    id: m.id, campaign_id: m.campaign_id, state: m.state, tries: m.tries,
    ready_at: m.ready_at?.toISOString() ?? null, result: m.result, ended_at: m.ended_at?.toISOString() ?? null,
    communications: comms,
  };
}
