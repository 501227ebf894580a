import { api, type ApiResult, type Issue } from '../api.js';
import { h } from '../dom.js';
import { field, formErrorsBox, fromLocalInput, jsonField, num, numberOf, submitted, text, toLocalInput } from '../form.js';
import type { Member } from '../types.js';

/**
 * M1: one member, new or changed: name, priority, expiry, time zone, variables and its numbers
 * (each with a priority; higher is dialled first). The API's messages land next to the field
 * they name, numbers included (`communications.1.number`).
 */
export function memberForm(campaignId: number, member: Member | undefined, onSaved: (id: number) => void, onCancel?: () => void): HTMLFormElement {
  const name = text(member?.name ?? '');
  const priority = num(member?.priority ?? 0);
  const expireAt = h('input', { type: 'datetime-local', value: toLocalInput(member?.expire_at) });
  const timezone = text(member?.timezone ?? '', { list: 'tz-list-member', autocomplete: 'off', placeholder: 'campaign calendar\'s zone' });
  const variables = h('textarea', { rows: 3, spellcheck: 'false' }, JSON.stringify(member?.variables ?? {}, null, 1));
  const numbers = h('tbody');
  const addNumber = (n: { number: string; priority: number }) => {
    const tr = h('tr');
    const number = text(n.number, { inputmode: 'tel', size: 18 });
    const prio = num(n.priority, { class: 'short' });
    number.dataset.col = 'number';
    prio.dataset.col = 'priority';
    tr.append(h('td', null, number), h('td', null, prio),
      h('td', null, h('button', { type: 'button', class: 'link', onclick: () => { tr.remove(); renumber(); } }, 'Remove')));
    numbers.append(tr);
    renumber();
    return number;
  };
  const renumber = () => [...numbers.children].forEach((tr, i) => {
    for (const el of tr.querySelectorAll<HTMLElement>('[data-col]')) {
      el.dataset.path = `communications.${i}.${el.dataset.col}`;
      el.setAttribute('aria-label', `Number ${i + 1}: ${el.dataset.col === 'number' ? 'number' : 'priority'}`);
    }
    tr.querySelector('button')?.setAttribute('aria-label', `Remove number ${i + 1}`);
  });
  (member?.communications.length ? member.communications : [{ number: '', priority: 0 }]).forEach(addNumber);

  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const label = member ? `Change member ${member.id}` : 'New member';
  const form = h('form', { class: 'card', novalidate: true, 'aria-label': label }, h('h2', null, label), formErrorsBox(),
    h('div', { class: 'row' },
      field('Name', name, { path: 'name' }),
      field('Priority', priority, { path: 'priority', hint: 'higher is dialled first' })),
    h('div', { class: 'row' },
      field('Expires at', expireAt, { path: 'expire_at', hint: 'optional; your browser\'s local time' }),
      field('Time zone', timezone, { path: 'timezone', hint: 'optional IANA zone; its calendar hours apply' })),
    h('datalist', { id: 'tz-list-member' }, zones.map((z) => h('option', { value: z }))),
    h('fieldset', { 'data-path': 'communications' }, h('legend', null, 'Numbers'),
      h('table', { class: 'grid' }, h('thead', null, h('tr', null, ['Number', 'Priority (higher first)', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, 'Actions'))))), numbers),
      h('button', { type: 'button', onclick: () => addNumber({ number: '', priority: 0 }).focus() }, 'Add number')),
    field('Variables (JSON object)', variables, { path: 'variables', hint: 'set on the call; they override the campaign\'s' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, member ? 'Save member' : 'Add member'),
      onCancel ? [' ', h('button', { type: 'button', class: 'link', onclick: onCancel }, 'Cancel')] : null));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const vars = jsonField(variables, 'variables');
    if ('issue' in vars) return void (await submitted(form, Promise.resolve(vars.issue)));
    const communications = [...numbers.children].map((tr) => ({
      number: (tr.querySelector('[data-col="number"]') as HTMLInputElement).value.trim(),
      priority: numberOf(tr.querySelector('[data-col="priority"]') as HTMLInputElement),
    }));
    const body = { name: name.value, priority: numberOf(priority), expire_at: fromLocalInput(expireAt.value), timezone: timezone.value.trim() || null,
      variables: vars.value, communications };
    const base = `/api/v2/dialer/${campaignId}/members`;
    const call: Promise<ApiResult<number>> = member
      ? api<Member>('PUT', `${base}/${member.id}`, body).then((r) => (r.ok ? { ...r, data: r.data.id } : r))
      : api<{ ids: number[] }>('POST', base, body).then((r) => (r.ok ? { ...r, data: r.data.ids[0]! } : withItemIssues(r, communications)));
    const saved = await submitted(form, call);
    if (saved !== undefined) onSaved(saved);
  });
  return form;
}

/**
 * M1, M2: POST …/members reports each refused item as `{index, reason}` (the reason starts with
 * the field path, or names a number another member has): turned into field issues here.
 */
function withItemIssues(r: ApiResult<unknown> & { ok: false }, communications: Array<{ number: string }>): ApiResult<never> {
  if (r.issues.length) return r;
  const items = (r.details as { items?: Array<{ reason: string; number?: string }> } | null)?.items ?? [];
  const issues: Issue[] = items.map((it) => {
    const dup = it.number === undefined ? -1 : communications.findIndex((c) => c.number === it.number);
    if (dup >= 0) return { path: `body.communications.${dup}.number`, message: it.reason };
    const m = /^([\w.]+): (.*)$/.exec(it.reason);
    return m ? { path: `body.${m[1]}`, message: m[2]! } : { path: 'body', message: it.reason };
  });
  return { ...r, issues };
}
