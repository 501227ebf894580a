import type { Knex } from 'knex';
import type { MemberFilter } from '../../contract/member-bulk-schemas.js';
import type { BulkMemberAction, MemberBatchOutcome, MemberBulkStore, MemberExportRow } from '../../app/ports/member-bulk-store.js';
import { RESULT_MAX_TRIES } from '../../domain/attempt-rules.js';
import { withRetry } from './deadlock.js';
import { whereMemberFilter } from './member-filter.js';
import { fromJsonColumn } from './row-mapping.js';

/** A member with a live attempt: its call or the wait for the call's result status (C7) owns it. */
const IN_CALL = ['dialing', 'waiting_result'];

type Row = Record<string, unknown>;
const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string).toISOString());

/** Issue 13 §3: the bulk member actions, batch by batch (app/members/member-bulk.ts drives them). */
export class MysqlMemberBulkStore implements MemberBulkStore {
  constructor(private readonly db: Knex) {}

  async campaignExists(campaignId: number): Promise<boolean> {
    return (await this.db('campaigns').where('id', campaignId).first('id')) !== undefined;
  }

  async count(campaignId: number, filter: MemberFilter, now: Date): Promise<{ matching: number; inCall: number }> {
    const r = await whereMemberFilter(this.db('members as m'), campaignId, filter, now)
      .first(this.db.raw('COUNT(*) AS matching'), this.db.raw(`COALESCE(SUM(m.state IN (${IN_CALL.map(() => '?').join(',')})), 0) AS in_call`, IN_CALL));
    return { matching: Number(r?.matching ?? 0), inCall: Number(r?.in_call ?? 0) };
  }

  /**
   * The batch's ids are found without locks (a locking range scan would also lock the rows of
   * other campaigns it passes), then locked by primary key with the filter checked again, so a
   * member a claim took meanwhile is seen in its call and left alone.
   */
  applyBatch(action: BulkMemberAction, campaignId: number, filter: MemberFilter, afterId: number, size: number, now: Date): Promise<MemberBatchOutcome> {
    return withRetry(() => this.db.transaction(async (trx) => {
      const ids = (await whereMemberFilter(trx('members as m'), campaignId, filter, now)
        .where('m.id', '>', afterId).orderBy('m.id').limit(size).pluck('m.id')).map(Number);
      const lastId = ids.length === size ? ids[ids.length - 1]! : null;
      if (ids.length === 0) return { matched: 0, changed: 0, inCall: 0, lastId };
      const locked: Row[] = await whereMemberFilter(trx('members as m'), campaignId, filter, now)
        .whereIn('m.id', ids).forUpdate().select('m.id', 'm.state');
      const free = locked.filter((r) => !IN_CALL.includes(String(r.state))).map((r) => Number(r.id));
      if (free.length > 0 && action === 'delete') {
        // Their numbers and attempts go with them (foreign keys ON DELETE CASCADE), as for one member.
        await trx('members').whereIn('id', free).delete();
      }
      if (free.length > 0 && action === 'reset-tries') {
        // As R1 reset_retries: every attempt count, the uncounted (C9 minus) ones and each number's too.
        await trx('communications').whereIn('member_id', free).update({ tries: 0 });
        await trx('members').whereIn('id', free).update({ tries: 0, minus_tries: 0, version: trx.raw('version + 1'), updated_at: now });
        // C5: a member that ended only because it used its tries has tries again: ready now.
        await trx('members').whereIn('id', free).where({ state: 'done', result: RESULT_MAX_TRIES })
          .update({ state: 'ready', result: null, ended_at: null, ready_at: now });
      }
      return { matched: locked.length, changed: free.length, inCall: locked.length - free.length, lastId };
    }));
  }

  async exportBatch(campaignId: number, filter: MemberFilter, afterId: number, size: number, now: Date): Promise<{ rows: MemberExportRow[]; lastId: number | null }> {
    const members: Row[] = await whereMemberFilter(this.db('members as m'), campaignId, filter, now)
      .where('m.id', '>', afterId).orderBy('m.id').limit(size)
      .select('m.id', 'm.name', 'm.priority', 'm.state', 'm.ready_at', 'm.tries', 'm.minus_tries', 'm.result', 'm.ended_at',
        'm.expire_at', 'm.timezone', 'm.variables', 'm.created_at');
    if (members.length === 0) return { rows: [], lastId: null };
    const comms: Row[] = await this.db('communications').whereIn('member_id', members.map((m) => Number(m.id)))
      .orderBy(['member_id', { column: 'priority', order: 'desc' }, 'position']).select('member_id', 'number');
    const numbers = new Map<number, string[]>();
    for (const c of comms) {
      const list = numbers.get(Number(c.member_id)) ?? [];
      list.push(String(c.number));
      numbers.set(Number(c.member_id), list);
    }
    const rows = members.map((m): MemberExportRow => [
      Number(m.id), String(m.name), Number(m.priority), String(m.state), m.state === 'ready' ? iso(m.ready_at) : null,
      Number(m.tries), Number(m.minus_tries), m.result == null ? null : String(m.result), iso(m.ended_at), iso(m.expire_at),
      m.timezone == null ? null : String(m.timezone), (numbers.get(Number(m.id)) ?? []).join(' '),
      JSON.stringify(fromJsonColumn(m.variables, {})), iso(m.created_at),
    ]);
    return { rows, lastId: members.length === size ? Number(members[members.length - 1]!.id) : null };
  }
}
