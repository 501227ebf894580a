import { api, download } from '../api.js';
import { h, notice } from '../dom.js';

/*
 * Issue 13 §3: reset tries, delete or export every member the list's filter matches. Reset and
 * delete first say how many members will change and how many are skipped (in a call), and ask.
 */

/** The filter the list shows now (not the form's unsent edits): field → value, empty fields left out. */
export type MemberFilterValues = Record<string, string>;

type Action = 'reset-tries' | 'delete';
const WORDS: Record<Action, { verb: string; done: string }> = {
  'reset-tries': { verb: 'Reset the tries of', done: 'Tries reset for' },
  delete: { verb: 'Delete', done: 'Deleted' },
};

const plural = (n: number) => `${n} member${n === 1 ? '' : 's'}`;

/** "state done, name starts with Test" or "no filter: every member of the campaign". */
function describe(f: MemberFilterValues): string {
  const names: Record<string, string> = { state: 'state', result: 'result', number: 'number', name: 'name starts with', wait: 'waiting' };
  const parts = Object.entries(f).map(([k, v]) => `${names[k] ?? k} ${v}`);
  return parts.length ? `filter: ${parts.join(', ')}` : 'no filter: every member of the campaign';
}

export function memberBulkBox(campaignId: number, filter: () => MemberFilterValues, changed: () => Promise<void>): HTMLElement {
  const base = `/api/v2/dialer/${campaignId}/members/bulk`;
  const confirmBox = h('div', { id: 'bulk-confirm', hidden: true, role: 'group', 'aria-label': 'Confirm the bulk action' });
  const closeConfirm = () => {
    confirmBox.hidden = true;
    confirmBox.replaceChildren();
  };
  const ask = async (action: Action, opener: HTMLButtonElement) => {
    const f = filter();
    const count = await api<{ matching: number; in_call: number }>('GET', `${base}/count?${new URLSearchParams(f)}`);
    if (!count.ok) return notice(count.message, 'error');
    const { matching, in_call: inCall } = count.data;
    const will = matching - inCall;
    const skipped = inCall ? ` ${plural(inCall)} in a call or waiting for a result will be skipped.` : '';
    const go = h('button', { type: 'button', class: action === 'delete' ? 'danger' : '', disabled: will === 0, onclick: async () => {
      go.disabled = true;
      const r = await api<{ matched: number; changed: number; skipped_in_call: number }>('POST', `${base}/${action}`, { filter: f }, 600_000);
      closeConfirm();
      opener.focus();
      if (!r.ok) return notice(r.message, 'error');
      notice(`${WORDS[action].done} ${plural(r.data.changed)}${r.data.skipped_in_call ? `; ${r.data.skipped_in_call} skipped (in a call or waiting for a result)` : ''}.`);
      await changed();
    } }, `${WORDS[action].verb} ${plural(will)}`);
    const cancel = h('button', { type: 'button', onclick: () => { closeConfirm(); opener.focus(); } }, 'Cancel');
    confirmBox.replaceChildren(
      h('p', { 'data-k': 'bulk-question' }, will === 0
        ? `No member to change (${describe(f)}).${skipped}`
        : `${WORDS[action].verb} ${plural(will)} (${describe(f)})${action === 'delete' ? ', with their numbers and attempt history' : ''}?${skipped}`),
      go, ' ', cancel);
    confirmBox.hidden = false;
    (will ? go : cancel).focus();
  };
  const reset: HTMLButtonElement = h('button', { type: 'button', onclick: () => void ask('reset-tries', reset) }, 'Reset tries…');
  const del: HTMLButtonElement = h('button', { type: 'button', class: 'danger', onclick: () => void ask('delete', del) }, 'Delete…');
  const exp = h('button', { type: 'button', onclick: async () => {
    const r = await download(`${base}/export?${new URLSearchParams(filter())}`, `members-${campaignId}.csv`);
    if (!r.ok) notice(r.message, 'error');
  } }, 'Export CSV');
  return h('section', { class: 'card', 'aria-labelledby': 'bulk-title' },
    h('h2', { id: 'bulk-title' }, 'Every member matching the filter'),
    h('p', { class: 'small muted' }, 'Acts on all pages of the list as last filtered. Members in a call or waiting for a result are never reset or deleted.'),
    reset, ' ', del, ' ', exp, confirmBox);
}
