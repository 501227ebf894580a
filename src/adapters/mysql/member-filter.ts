import type { Knex } from 'knex';
import type { MemberFilter } from '../../contract/member-bulk-schemas.js';

/**
 * The members list's filters on a query of `members as m` of one campaign; they combine with AND.
 * One definition for the list and the bulk actions, so a bulk action changes what the list shows.
 * `now` places "later" for the wait filter.
 */
export function whereMemberFilter(query: Knex.QueryBuilder, campaignId: number, q: MemberFilter, now: Date): Knex.QueryBuilder {
  query.where('m.campaign_id', campaignId);
  if (q.state) query.where('m.state', q.state);
  if (q.result) query.where('m.result', q.result);
  if (q.name) query.where('m.name', 'like', `${q.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (q.number) {
    query.whereExists((sub) => {
      sub.from('communications as c').whereRaw('c.member_id = m.id').where('c.campaign_id', campaignId).where('c.number', q.number!);
    });
  }
  if (q.wait) query.where('m.state', 'ready').where('m.ready_at', '>', now);
  if (q.wait === 'callback') {
    // A call-back: the member's last call got a result status that set when to call again.
    query.whereExists((sub) => {
      sub.from('attempts as a').whereRaw('a.member_id = m.id')
        .whereRaw('a.id = (SELECT MAX(l.id) FROM attempts l WHERE l.member_id = m.id)')
        .whereRaw("JSON_VALUE(a.result_status, '$.next_after_sec') IS NOT NULL");
    });
  }
  return query;
}
