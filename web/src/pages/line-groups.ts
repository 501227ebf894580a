import { api } from '../api.js';
import { h, notice } from '../dom.js';
import { clearIssues, field, formErrorsBox, num, numberOf, submitted, text } from '../form.js';
import { navigate, type Page } from '../router.js';
import type { LineGroup } from '../types.js';

/** C3: line groups (shared outbound capacity): list, create, change, delete on one page. */
export const lineGroupsPage: Page = async (main) => {
  main.append(h('h1', null, 'Line groups'));
  const r = await api<LineGroup[]>('GET', '/api/v2/line-groups');
  if (!r.ok) return void main.append(h('p', { class: 'error' }, r.message));
  let editing: LineGroup | undefined;
  const name = text('');
  const capacity = num(10, { min: 1 });
  const title = h('h2', null, 'New line group');
  const submit = h('button', { type: 'submit' }, 'Create line group');
  const form = h('form', { class: 'card', novalidate: true }, title, formErrorsBox(),
    field('Name', name, { path: 'name', required: true }),
    field('Capacity (simultaneous calls)', capacity, { path: 'capacity', required: true, hint: 'shared by every campaign naming this group' }),
    h('div', { class: 'actions' }, submit, ' ', h('button', { type: 'button', class: 'link', onclick: () => edit(undefined) }, 'Clear')));
  const edit = (g: LineGroup | undefined) => {
    editing = g;
    name.value = g?.name ?? '';
    capacity.value = String(g?.capacity ?? 10);
    title.textContent = g ? `Change line group ${g.name}` : 'New line group';
    submit.textContent = g ? 'Save line group' : 'Create line group';
    clearIssues(form);
    name.focus();
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { name: name.value, capacity: numberOf(capacity) };
    const saved = await submitted(form, api<LineGroup>(editing ? 'PUT' : 'POST', editing ? `/api/v2/line-groups/${editing.id}` : '/api/v2/line-groups', body));
    if (!saved) return;
    notice(`Line group "${saved.name}" saved`);
    navigate('/line-groups', true);
  });
  main.append(h('table', null,
    h('thead', null, h('tr', null, ['Name', 'Capacity', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, 'Actions'))))),
    h('tbody', null, r.data.length === 0 ? h('tr', null, h('td', { colspan: 3 }, 'No line group yet. A campaign without one is held only by its own limit.')) : r.data.map((g) => h('tr', null, h('td', null, g.name), h('td', null, g.capacity),
      h('td', null,
        h('button', { type: 'button', onclick: () => edit(g) }, `Edit ${g.name}`), ' ',
        h('button', { type: 'button', class: 'danger', onclick: async () => {
          if (!confirm(`Delete line group "${g.name}"?`)) return;
          const d = await api('DELETE', `/api/v2/line-groups/${g.id}`);
          if (!d.ok) return notice(d.message, 'error');
          navigate('/line-groups', true);
        } }, `Delete ${g.name}`)))))), form);
};
