import { api } from '../api.js';
import { fmtTime, h } from '../dom.js';
import { field, formErrorsBox, select, showIssues, clearIssues, text } from '../form.js';
import type { Page } from '../router.js';
import type { Attempt, Campaign, Member } from '../types.js';

/** M5: the members of a campaign, filtered and keyset-paged, each with its attempt history. */
export const membersPage: Page = async (main, params) => {
  const id = Number(params.id);
  const c = await api<Campaign>('GET', `/api/v2/dialer/${id}`);
  if (!c.ok) return void main.append(h('p', { class: 'error' }, c.message));
  const state = select([{ value: '', label: 'Any' }, 'ready', 'dialing', 'waiting_result', 'done'].map((s) => typeof s === 'string' ? { value: s, label: s } : s));
  const result = text('', { placeholder: 'NORMAL_CLEARING' });
  const number = text('', { inputmode: 'tel' });
  const name = text('');
  const limit = select(['25', '100', '500'], '25');
  const out = h('div');
  const pages: number[] = [0]; // cursors of the pages seen, for "Previous"
  const form = h('form', { class: 'filters', novalidate: true }, formErrorsBox(),
    field('State', state, { path: 'state' }), field('Result', result, { path: 'result' }),
    field('Number', number, { path: 'number', hint: 'exact' }), field('Name starts with', name, { path: 'name' }),
    field('Per page', limit, { path: 'limit' }), h('button', { type: 'submit' }, 'Filter'));

  const load = async (after: number) => {
    const q = new URLSearchParams({ limit: limit.value, after: String(after) });
    if (state.value) q.set('state', state.value);
    if (result.value.trim()) q.set('result', result.value.trim());
    if (number.value.trim()) q.set('number', number.value.trim());
    if (name.value.trim()) q.set('name', name.value.trim());
    const r = await api<{ items: Member[]; next_after: number | null }>('GET', `/api/v2/dialer/${id}/members?${q}`);
    if (!r.ok) return showIssues(form, r.message, r.issues);
    clearIssues(form);
    const rows = r.data.items.flatMap((m) => {
      const history = h('tr', { hidden: true, class: 'history' }, h('td', { colspan: 8 }));
      const btn = h('button', { type: 'button', 'aria-expanded': 'false', onclick: async () => {
        const open = btn.getAttribute('aria-expanded') === 'true';
        btn.setAttribute('aria-expanded', String(!open));
        history.hidden = open;
        if (!open) await showHistory(id, m.id, history.firstElementChild as HTMLElement);
      } }, `History of member ${m.id}`);
      return [h('tr', null,
        h('td', null, m.id), h('td', null, m.name), h('td', null, m.communications.map((x) => `${x.number}${x.state === 'stopped' ? ' (stopped)' : ''}`).join(', ')),
        h('td', null, m.priority), h('td', null, m.state), h('td', null, m.tries), h('td', null, m.result ?? ''), h('td', null, btn)), history];
    });
    out.replaceChildren(
      h('table', null, h('caption', null, `Members of ${c.data.name}${after ? ` after #${after}` : ''}`),
        h('thead', null, h('tr', null, ['Id', 'Name', 'Numbers', 'Priority', 'State', 'Tries', 'Result', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: 8 }, 'No member matches.')))),
      h('p', { class: 'pager' },
        pages.length > 1 ? h('button', { type: 'button', onclick: () => { pages.pop(); void load(pages[pages.length - 1]!); } }, 'Previous page') : null, ' ',
        r.data.next_after !== null ? h('button', { type: 'button', onclick: () => { pages.push(r.data.next_after!); void load(r.data.next_after!); } }, 'Next page') : null));
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    pages.length = 1;
    void load(0);
  });
  main.append(h('h1', null, `Members: ${c.data.name}`),
    h('p', null, h('a', { href: `/campaigns/${id}` }, 'Campaign'), ' · ', h('a', { href: `/campaigns/${id}/import` }, 'Upload members (CSV)')),
    h('div', { class: 'card' }, form), out);
  await load(0);
};

async function showHistory(campaignId: number, memberId: number, cell: HTMLElement): Promise<void> {
  const r = await api<Attempt[]>('GET', `/api/v2/dialer/${campaignId}/members/${memberId}/attempts`);
  if (!r.ok) return void cell.replaceChildren(h('p', { class: 'error' }, r.message));
  cell.replaceChildren(r.data.length === 0 ? h('p', null, 'Not dialled yet.') : h('table', { class: 'inner' },
    h('caption', null, `Attempts of member ${memberId}`),
    h('thead', null, h('tr', null, ['Started', 'Number', 'Agent', 'Answered', 'Ended', 'Agent cause', 'Hangup cause', 'Talk s', 'Outcome', 'Comment']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, r.data.map((a) => h('tr', null, h('td', null, fmtTime(a.created_at)), h('td', null, a.number), h('td', null, a.agent_id ?? ''),
      h('td', null, fmtTime(a.answered_at)), h('td', null, fmtTime(a.ended_at)), h('td', null, a.agent_cause ?? ''), h('td', null, a.hangup_cause ?? ''),
      h('td', null, a.talk_sec ?? ''), h('td', null, a.outcome ?? a.state), h('td', null, a.comment ?? ''))))));
}
