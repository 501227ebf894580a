import type { Knex } from 'knex';
import type { Attempt, Member, MemberListQuery } from '../../contract/member-schemas.js';
import type { ParsedMember } from '../../contract/member-input.js';
import { whereMemberFilter } from './member-filter.js';
import { fromJsonColumn, isDuplicateKey, isoOrNull, toJsonColumn } from './row-mapping.js';
import type { MemberChange, MemberStore } from '../../app/ports/member-store.js';

/*
 * Members as the REST layer reads, changes and deletes them. Inserting is
 * member-writer.ts (shared with the CSV import).
 */

type Row = Record<string, unknown>;

function toMember(r: Row, comms: Row[]): Member {
  return {
    id: Number(r.id),
    campaign_id: Number(r.campaign_id),
    name: String(r.name),
    priority: Number(r.priority),
    expire_at: isoOrNull(r.expire_at),
    timezone: r.timezone === null ? null : String(r.timezone),
    variables: fromJsonColumn(r.variables, {}),
    communications: comms.map((c) => ({
      id: Number(c.id),
      number: String(c.number),
      priority: Number(c.priority),
      state: c.state as 'active' | 'stopped',
      tries: Number(c.tries),
      last_cause: c.last_cause === null ? null : String(c.last_cause),
    })),
    state: r.state as Member['state'],
    ready_at: isoOrNull(r.ready_at),
    tries: Number(r.tries),
    minus_tries: Number(r.minus_tries),
    result: r.result === null ? null : String(r.result),
    ended_at: isoOrNull(r.ended_at),
    created_at: isoOrNull(r.created_at),
    updated_at: isoOrNull(r.updated_at),
  };
}

export function toAttempt(r: Row): Attempt {
  const n = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  const s = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
  return {
    id: Number(r.id),
    communication_id: Number(r.communication_id),
    number: String(r.number),
    agent_id: n(r.agent_id),
    node: s(r.node),
    state: String(r.state),
    agent_uuid: s(r.agent_uuid),
    member_uuid: s(r.member_uuid),
    created_at: isoOrNull(r.created_at),
    agent_answered_at: isoOrNull(r.agent_answered_at),
    answered_at: isoOrNull(r.answered_at),
    ended_at: isoOrNull(r.ended_at),
    agent_cause: s(r.agent_cause),
    hangup_cause: s(r.hangup_cause),
    talk_sec: n(r.talk_sec),
    wrap_up_sec: n(r.wrap_up_sec),
    outcome: s(r.outcome),
    result_status: fromJsonColumn(r.result_status, null),
    comment: s(r.comment),
    preview_deadline_at: isoOrNull(r.preview_deadline_at),
    preview_decision: r.preview_decision === null || r.preview_decision === undefined ? null
      : (String(r.preview_decision) as Attempt['preview_decision']),
  };
}

export class MemberRepository implements MemberStore {
  constructor(private readonly db: Knex) {}

  /** Keyset page on id; filters combine with AND. `now` places "later" for the wait filter. */
  async list(campaignId: number, q: MemberListQuery, now: Date): Promise<{ items: Member[]; next_after: number | null }> {
    const query = whereMemberFilter(this.db('members as m'), campaignId, q, now).where('m.id', '>', q.after)
      .orderBy('m.id').limit(q.limit + 1).select('m.*');
    const rows: Row[] = await query;
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const items = await this.withCommunications(this.db, page);
    return { items, next_after: more ? items[items.length - 1]!.id : null };
  }

  async get(campaignId: number, memberId: number, trx: Knex = this.db): Promise<Member | undefined> {
    const r = await trx('members').where({ id: memberId, campaign_id: campaignId }).first();
    if (!r) return undefined;
    return (await this.withCommunications(trx, [r]))[0];
  }

  /**
   * Replaces the member's fields with the merged, validated member. Numbers it
   * keeps keep their tries; a number another member of the campaign has is
   * refused (M2). A member being dialled is left alone.
   */
  async update(campaignId: number, memberId: number, m: ParsedMember, now: Date): Promise<MemberChange> {
    try {
      return await this.db.transaction(async (trx) => {
        const cur = await trx('members').where({ id: memberId, campaign_id: campaignId }).forUpdate().first('state');
        if (!cur) return { kind: 'not-found' } as const;
        if (cur.state === 'dialing') return { kind: 'dialing' } as const;
        const numbers = m.communications.map((c) => c.number);
        const taken: Row[] = await trx('communications').where({ campaign_id: campaignId }).whereIn('number', numbers)
          .whereNot('member_id', memberId).select('number');
        if (taken.length > 0) return { kind: 'duplicates', numbers: taken.map((t) => String(t.number)) } as const;

        await trx('members').where({ id: memberId }).update({
          name: m.name, priority: m.priority, expire_at: m.expire_at, timezone: m.timezone,
          variables: toJsonColumn(m.variables), updated_at: now, version: trx.raw('version + 1'),
        });
        if (m.timezone) {
          await trx('campaign_zones').insert({ campaign_id: campaignId, timezone: m.timezone }).onConflict().ignore();
        }
        const existing: Row[] = await trx('communications').where({ member_id: memberId }).select('id', 'number');
        const byNumber = new Map(existing.map((e) => [String(e.number), Number(e.id)]));
        const gone = existing.filter((e) => !numbers.includes(String(e.number))).map((e) => Number(e.id));
        if (gone.length > 0) await trx('communications').whereIn('id', gone).delete();
        for (const [position, c] of m.communications.entries()) {
          const id = byNumber.get(c.number);
          if (id !== undefined) await trx('communications').where({ id }).update({ priority: c.priority, position });
          else await trx('communications').insert({ member_id: memberId, campaign_id: campaignId, number: c.number, priority: c.priority, position });
        }
        return { kind: 'ok', member: (await this.get(campaignId, memberId, trx))! } as const;
      });
    } catch (err) {
      // A concurrent upload took one of the numbers between the check and the write.
      if (isDuplicateKey(err)) return { kind: 'duplicates', numbers: m.communications.map((c) => c.number) };
      throw err;
    }
  }

  /** Attempts go with the member (history is per member); a member being dialled stays. */
  async delete(campaignId: number, memberId: number): Promise<'deleted' | 'not-found' | 'dialing'> {
    return this.db.transaction(async (trx) => {
      const cur = await trx('members').where({ id: memberId, campaign_id: campaignId }).forUpdate().first('state');
      if (!cur) return 'not-found' as const;
      if (cur.state === 'dialing') return 'dialing' as const;
      await trx('members').where({ id: memberId }).delete();
      return 'deleted' as const;
    });
  }

  /** M5: every attempt of the member, oldest first. */
  async attempts(campaignId: number, memberId: number): Promise<Attempt[] | undefined> {
    if (!(await this.db('members').where({ id: memberId, campaign_id: campaignId }).first('id'))) return undefined;
    return (await this.db('attempts').where({ member_id: memberId }).orderBy('id')).map(toAttempt);
  }

  private async withCommunications(trx: Knex, rows: Row[]): Promise<Member[]> {
    if (rows.length === 0) return [];
    const comms: Row[] = await trx('communications').whereIn('member_id', rows.map((r) => r.id as number))
      .orderBy(['member_id', { column: 'priority', order: 'desc' }, 'position']);
    const byMember = new Map<number, Row[]>();
    for (const c of comms) {
      const list = byMember.get(Number(c.member_id)) ?? [];
      list.push(c);
      byMember.set(Number(c.member_id), list);
    }
    return rows.map((r) => toMember(r, byMember.get(Number(r.id)) ?? []));
  }
}
