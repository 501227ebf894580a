import { api } from '../api.js';
import { fmtTime, h, notice } from '../dom.js';
import { field, formErrorsBox, select, submitted, text } from '../form.js';
import type { Page } from '../router.js';
import type { Campaign, DncEntry } from '../types.js';

/** Do-not-call lists: the global one and each campaign's, keyset-paged. */
export const dncPage: Page = async (main) => {
  const camps = await api<Campaign[]>('GET', '/api/v2/dialer');
  const scope = select([{ value: '', label: 'Global (every campaign)' },
    ...(camps.ok ? camps.data.map((c) => ({ value: String(c.id), label: `Campaign ${c.name}` })) : [])]);
  const list = h('div');
  const number = text('', { inputmode: 'tel', placeholder: '+380891234567' });
  const form = h('form', { class: 'inline', novalidate: true }, formErrorsBox(),
    field('Number', number, { path: 'number', required: true }), h('button', { type: 'submit' }, 'Add to list'));
  const base = () => (scope.value ? `/api/v2/dialer/${scope.value}/dnc` : '/api/v2/dnc');
  let after = 0;
  const load = async () => {
    const r = await api<{ items: DncEntry[]; next_after: number | null }>('GET', `${base()}?limit=100&after=${after}`);
    if (!r.ok) return void list.replaceChildren(h('p', { class: 'error' }, r.message));
    list.replaceChildren(
      r.data.items.length === 0 ? h('p', null, 'The list is empty.') : h('table', null,
        h('thead', null, h('tr', null, ['Number', 'Added', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, 'Actions'))))),
        h('tbody', null, r.data.items.map((d) => h('tr', null, h('td', null, d.number), h('td', null, fmtTime(d.created_at)),
          h('td', null, h('button', { type: 'button', class: 'danger', onclick: async () => {
            const x = await api('DELETE', `${base()}/${encodeURIComponent(d.number)}`);
            if (!x.ok) return notice(x.message, 'error');
            await load();
          } }, `Remove ${d.number}`)))))),
      h('p', null,
        after ? h('button', { type: 'button', onclick: () => { after = 0; void load(); } }, 'First page') : null, ' ',
        r.data.next_after ? h('button', { type: 'button', onclick: () => { after = r.data.next_after!; void load(); } }, 'Next page') : null));
  };
  scope.addEventListener('change', () => { after = 0; void load(); });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await submitted(form, api('POST', base(), { number: number.value.trim() }))) {
      notice(`${number.value} added`);
      number.value = '';
      await load();
    }
  });
  main.append(h('h1', null, 'Do not call'), h('div', { class: 'card' }, field('List', scope, { path: 'scope' }), form, list));
  await load();
};
