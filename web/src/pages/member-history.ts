import { api } from '../api.js';
import { fmtTime, h } from '../dom.js';
import type { Agent, Attempt } from '../types.js';

/** M5: every attempt of a member: number, agent, call ids, times, causes, talk time, outcome, result status. */
export async function memberHistory(campaignId: number, memberId: number, agentName: (id: number) => Promise<string>): Promise<HTMLElement> {
  const r = await api<Attempt[]>('GET', `/api/v2/dialer/${campaignId}/members/${memberId}/attempts`);
  if (!r.ok) return h('p', { class: 'error' }, r.message);
  if (r.data.length === 0) return h('p', null, 'Not dialled yet.');
  const names = await Promise.all(r.data.map((a) => (a.agent_id === null ? '' : agentName(a.agent_id))));
  return h('div', { class: 'scroll' }, h('table', { class: 'inner', id: `attempts-${memberId}` },
    h('caption', null, `Attempts of member ${memberId}`),
    h('thead', null, h('tr', null, ['Started', 'Number', 'Agent', 'Agent answered', 'Answered', 'Ended', 'Talk s', 'Wrap-up s', 'Agent cause',
      'Hangup cause', 'Outcome', 'Result status', 'Comment', 'Call ids'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, r.data.map((a, i) => h('tr', null,
      h('td', null, fmtTime(a.created_at)), h('td', null, a.number), h('td', null, names[i] ?? ''),
      h('td', null, fmtTime(a.agent_answered_at)), h('td', null, fmtTime(a.answered_at)), h('td', null, fmtTime(a.ended_at)),
      h('td', { class: 'num' }, a.talk_sec ?? ''),
      h('td', { class: 'num' }, a.wrap_up_sec ?? ''), h('td', null, a.agent_cause ?? ''), h('td', null, a.hangup_cause ?? ''),
      h('td', null, a.outcome ?? a.state), h('td', null, describeStatus(a.result_status)), h('td', null, a.comment ?? ''),
      h('td', { class: 'ids' }, a.agent_uuid ? h('div', null, 'agent leg ', h('code', null, a.agent_uuid)) : null,
        a.member_uuid ? h('div', null, 'subscriber leg ', h('code', null, a.member_uuid)) : null))))));
}

/** A name per agent id, read once per page; a deleted agent shows as its id. */
export function agentNames(): (id: number) => Promise<string> {
  let list: Promise<Map<number, string>> | undefined;
  return async (id) => {
    list ??= api<Agent[]>('GET', '/api/v2/agents').then((r) => new Map(r.ok ? r.data.map((a) => [a.id, a.name]) : []));
    return (await list).get(id) ?? `agent #${id}`;
  };
}

/** R1 body as stored with the attempt, in words. */
export function describeStatus(rs: unknown): string {
  if (!rs || typeof rs !== 'object') return '';
  const s = rs as { success?: boolean; reset_retries?: boolean; next_after_sec?: number; next_communication?: string; stop_communications?: string[] | 'all' };
  const parts = [s.success ? 'success' : 'not success'];
  if (s.reset_retries) parts.push('tries reset');
  if (s.next_after_sec !== undefined) parts.push(`next try after ${s.next_after_sec} s`);
  if (s.next_communication) parts.push(`next number ${s.next_communication}`);
  if (s.stop_communications) parts.push(`stopped ${s.stop_communications === 'all' ? 'all other numbers' : s.stop_communications.join(', ')}`);
  return parts.join('; ');
}
