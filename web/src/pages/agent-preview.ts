import type { ApiResult } from '../api.js';
import { clock, type DeskCall } from '../agent-desk-state.js';
import { h, notice } from '../dom.js';
import { field, formErrorsBox, showIssues, clearIssues, text } from '../form.js';

export interface PreviewPanel {
  el: HTMLElement;
  /** Shown while the call is a preview nobody decided yet. */
  update(call: DeskCall | null): void;
  /** Once a second: the time left to decide. */
  tick(): void;
  /** Y accepts, K goes to the skip reason; true when it was one of them. */
  key(k: string): boolean;
}

/**
 * P2, W5: the agent sees the member card before anything is dialled and accepts it (its phone
 * then rings and the member is dialled) or skips it with a reason, before the preview time ends.
 */
export function previewPanel(command: (type: string, data?: unknown) => Promise<ApiResult<unknown>>): PreviewPanel {
  const left = h('span', { class: 'countdown', id: 'preview-left' });
  const accept = h('button', { type: 'button', class: 'primary big', 'aria-keyshortcuts': 'Y', onclick: () => void doAccept() },
    'Accept — call this member', h('kbd', null, 'Y'));
  const reason = text('', { maxlength: '500', autocomplete: 'off', list: 'skip-reasons' });
  const skip = h('button', { type: 'submit', class: 'danger' }, 'Skip');
  const form = h('form', { class: 'skip-form', novalidate: true },
    formErrorsBox(),
    field('Reason to skip', reason, { path: 'reason', required: true, hint: 'kept in the member\'s history; no try is used (K)' }),
    h('datalist', { id: 'skip-reasons' }, ['Spoke to them recently', 'Wrong person for me', 'Known complaint', 'Needs a specialist']
      .map((r) => h('option', { value: r }))),
    skip);
  const el = h('div', { class: 'preview', id: 'preview', hidden: true, role: 'group', 'aria-label': 'Preview' },
    h('p', { class: 'preview-time' }, 'Time to decide: ', left),
    h('div', { class: 'preview-actions' }, accept),
    form);
  let deadline: string | null = null;
  let busy = false;

  async function doAccept(): Promise<void> {
    if (busy) return;
    busy = true;
    const r = await command('preview_accept');
    busy = false;
    if (!r.ok) notice(`Not accepted: ${r.message}`, 'error');
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      if (busy) return;
      busy = true;
      const r = await command('preview_skip', { reason: reason.value });
      busy = false;
      if (!r.ok) return showIssues(form, r.message, r.issues, 'Not skipped');
      clearIssues(form);
      reason.value = '';
      notice('Skipped');
    })();
  });

  function tick(): void {
    const sec = deadline ? Math.max(0, (Date.parse(deadline) - Date.now()) / 1000) : 0;
    const t = deadline ? clock(Math.ceil(sec)) : '';
    if (left.textContent !== t) left.textContent = t;
  }

  return {
    el,
    update(call) {
      const open = call?.attempt.state === 'previewing' && call.attempt.preview_decision === null;
      if (el.hidden === open) el.hidden = !open;
      deadline = open ? call.attempt.preview_deadline_at : null;
      tick();
    },
    tick,
    key(k) {
      if (el.hidden) return false;
      if (k === 'y') void doAccept();
      else if (k === 'k') reason.focus();
      else return false;
      return true;
    },
  };
}
