import { api } from '../api.js';
import { fmtTime, h, notice } from '../dom.js';
import { clearIssues, field, formErrorsBox, select, showIssues, text } from '../form.js';
import type { Page } from '../router.js';
import type { Campaign, Member } from '../types.js';
import { agentNames, memberHistory } from './member-history.js';
import { memberBulkBox, type MemberFilterValues } from './member-bulk.js';
import { memberForm } from './member-form.js';
import { resultStatusForm } from './result-status-form.js';

type Panel = 'history' | 'edit' | 'status';

/** M5: the members of a campaign, filtered and keyset-paged; each with its history, edit, result status (R1), delete. */
export const membersPage: Page = async (main, params) => {
  const id = Number(params.id);
  const c = await api<Campaign>('GET', `/api/v2/dialer/${id}`);
  if (!c.ok) return void main.append(h('p', { class: 'error' }, c.message));
  const state = select([{ value: '', label: 'Any' }, 'ready', 'dialing', 'waiting_result', 'done'].map((s) => typeof s === 'string' ? { value: s, label: s } : s));
  const result = text('', { placeholder: 'NORMAL_CLEARING' });
  const number = text('', { inputmode: 'tel' });
  const name = text('');
  const wait = select([{ value: '', label: 'Any' }, { value: 'later', label: 'Next try later' }, { value: 'callback', label: 'Call-backs (time set by a result)' }]);
  const limit = select(['25', '100', '500'], '25');
  // Busy while a list is on its way, so a reader (and a screen reader) knows the rows are not yet those asked for.
  const out = h('div', { id: 'member-list', 'aria-busy': 'false' });
  const pages: number[] = [0]; // cursors of the pages seen, for "Previous"
  const agentName = agentNames();
  const form = h('form', { class: 'filters', novalidate: true }, formErrorsBox(),
    field('State', state, { path: 'state' }), field('Result', result, { path: 'result' }),
    field('Number (exact)', number, { path: 'number' }), field('Name starts with', name, { path: 'name' }),
    field('Waiting', wait, { path: 'wait' }),
    field('Per page', limit, { path: 'limit' }), h('button', { type: 'submit' }, 'Filter'));

  /** `pager`: the page button that asked, whose new self (or the table) then gets keyboard focus. */
  /** The filter of the list on screen: what the bulk actions apply to. */
  let shown: MemberFilterValues = {};
  /** The newest list asked for: an older answer arriving after it (the first list, slow) is dropped, not shown over it. */
  let asked = 0;
  const load = async (after: number, pager?: string) => {
    const mine = ++asked;
    const f: MemberFilterValues = {};
    if (state.value) f.state = state.value;
    if (result.value.trim()) f.result = result.value.trim();
    if (number.value.trim()) f.number = number.value.trim();
    if (name.value.trim()) f.name = name.value.trim();
    if (wait.value) f.wait = wait.value;
    const q = new URLSearchParams({ ...f, limit: limit.value, after: String(after) });
    out.setAttribute('aria-busy', 'true');
    const r = await api<{ items: Member[]; next_after: number | null }>('GET', `/api/v2/dialer/${id}/members?${q}`);
    if (mine !== asked) return;
    out.setAttribute('aria-busy', 'false');
    if (!r.ok) return showIssues(form, r.message, r.issues, 'Not filtered');
    clearIssues(form);
    shown = f;
    out.replaceChildren(
      h('table', null, h('caption', { tabindex: -1 }, `Members of ${c.data.name}${after ? ` after #${after}` : ''}`),
        h('thead', null, h('tr', null, ['Id', 'Name', 'Numbers', 'Priority', 'State', 'Next try at', 'Tries', 'Result', 'Actions'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, r.data.items.length ? r.data.items.flatMap(memberRows) : h('tr', null, h('td', { colspan: 9 }, 'No member matches.')))),
      h('p', { class: 'pager' },
        pages.length > 1 ? h('button', { type: 'button', onclick: () => { pages.pop(); void load(pages[pages.length - 1]!, 'Previous page'); } }, 'Previous page') : null, ' ',
        r.data.next_after !== null ? h('button', { type: 'button', onclick: () => { pages.push(r.data.next_after!); void load(r.data.next_after!, 'Next page'); } }, 'Next page') : null));
    // The pager was rebuilt with the list: the keyboard goes on paging from the same button, or
    // reads the new page from its caption when that button is gone (first or last page).
    if (pager) {
      const again = [...out.querySelectorAll<HTMLElement>('.pager button')].find((x) => x.textContent === pager);
      (again ?? out.querySelector<HTMLElement>('caption'))?.focus();
    }
  };
  const reload = () => load(pages[pages.length - 1]!);
  /** After a bulk action: the list again from its start, with the filter it acted on (not unsent edits). */
  const reloadShown = async () => {
    state.value = shown.state ?? '';
    result.value = shown.result ?? '';
    number.value = shown.number ?? '';
    name.value = shown.name ?? '';
    wait.value = shown.wait ?? '';
    pages.length = 1;
    await load(0);
  };

  /** A member's row, and a row under it for the panel one of its buttons opens. */
  const memberRows = (m: Member): HTMLElement[] => {
    const detail = h('tr', { hidden: true, class: 'history' }, h('td', { colspan: 9 }));
    const cell = detail.firstElementChild as HTMLElement;
    const buttons = new Map<Panel, HTMLButtonElement>();
    let open: Panel | undefined;
    const close = (focusBack: boolean) => {
      const was = open && buttons.get(open);
      open = undefined;
      detail.hidden = true;
      cell.replaceChildren();
      for (const b of buttons.values()) b.setAttribute('aria-expanded', 'false');
      if (focusBack && was) was.focus();
    };
    const show = async (p: Panel) => {
      if (open === p) return close(false);
      close(false);
      open = p;
      buttons.get(p)!.setAttribute('aria-expanded', 'true');
      detail.hidden = false;
      // The list is read again; the keyboard goes back to the button that opened the form.
      const done = (what: string) => async () => {
        notice(what);
        const label = buttons.get(p)!.getAttribute('aria-label')!;
        await reload();
        out.querySelector<HTMLElement>(`[aria-label="${CSS.escape(label)}"]`)?.focus();
      };
      if (p === 'history') cell.replaceChildren(await memberHistory(id, m.id, agentName));
      else if (p === 'edit') cell.replaceChildren(memberForm(id, m, done(`Member ${m.id} saved`), () => close(true)));
      else cell.replaceChildren(resultStatusForm(id, m, done(`Result status of member ${m.id} applied`), () => close(true)));
      if (p !== 'history') cell.querySelector<HTMLElement>('input, select, textarea')?.focus();
    };
    const toggle = (p: Panel, label: string, ariaLabel: string) => {
      const b = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-label': ariaLabel, onclick: () => void show(p) }, label);
      buttons.set(p, b);
      return b;
    };
    const remove = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete member ${m.id}`, onclick: async () => {
      if (!confirm(`Delete member ${m.id} (${m.name || 'no name'}) and its attempt history?`)) return;
      const d = await api('DELETE', `/api/v2/dialer/${id}/members/${m.id}`);
      if (!d.ok) return notice(d.message, 'error');
      notice(`Member ${m.id} deleted`);
      await reload();
    } }, 'Delete');
    return [h('tr', { id: `member-${m.id}` },
      h('td', null, m.id), h('td', null, m.name), h('td', null, m.communications.map((x) => `${x.number}${x.state === 'stopped' ? ' (stopped)' : ''}`).join(', ')),
      h('td', null, m.priority), h('td', null, m.state), h('td', { 'data-k': 'next-try' }, nextTry(m)), h('td', null, m.tries), h('td', null, m.result ?? ''),
      h('td', { class: 'nowrap' }, toggle('history', 'History', `History of member ${m.id}`), ' ',
        toggle('edit', 'Edit', `Edit member ${m.id}`), ' ', toggle('status', 'Result status', `Result status of member ${m.id}`), ' ', remove)), detail];
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    pages.length = 1;
    void load(0);
  });
  const addBox = h('div', { hidden: true, id: 'add-member' });
  const addToggle = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': addBox.id, onclick: () => {
    const opening = addBox.hidden;
    addBox.hidden = !opening;
    addToggle.setAttribute('aria-expanded', String(opening));
    if (opening) {
      addBox.replaceChildren(memberForm(id, undefined, async (mid) => {
        notice(`Member ${mid} added`);
        addBox.hidden = true;
        addToggle.setAttribute('aria-expanded', 'false');
        addToggle.focus();
        await reload();
      }, () => { addBox.hidden = true; addToggle.setAttribute('aria-expanded', 'false'); addToggle.focus(); }));
      addBox.querySelector<HTMLElement>('input')?.focus();
    }
  } }, 'Add a member');
  // The call-backs view: members waiting for a time that a result status set.
  const callBacks = h('button', { type: 'button', id: 'show-call-backs', onclick: () => {
    state.value = '';
    result.value = '';
    number.value = '';
    name.value = '';
    wait.value = 'callback';
    pages.length = 1;
    void load(0);
  } }, 'Show call-backs');
  main.append(h('h1', null, `Members: ${c.data.name}`),
    h('p', null, h('a', { href: `/campaigns/${id}` }, 'Campaign'), ' · ', h('a', { href: `/campaigns/${id}/import` }, 'Upload members (CSV)'), ' · ', addToggle, ' ', callBacks),
    addBox, h('div', { class: 'card' }, form), memberBulkBox(id, () => shown, reloadShown), out);
  await load(0);
};

/** When a ready member is next tried: its time when still to come, "now" when due; nothing once it is in a call or ended. */
function nextTry(m: Member): string {
  if (m.state !== 'ready' || !m.ready_at) return '';
  return Date.parse(m.ready_at) > Date.now() ? fmtTime(m.ready_at) : 'now';
}
