import type { AgentLink } from '../agent-link.js';
import type { DeskCall } from '../agent-desk-state.js';
import { h, notice, uid } from '../dom.js';
import { check, clearIssues, field, formErrorsBox, num, showIssues, text } from '../form.js';

export interface ResultForm {
  form: HTMLFormElement;
  /** The call changed (progress, result accepted): which buttons apply. */
  update(call: DeskCall): void;
  /** A shortcut of the form (s, f, c, t, n, x); true when it was one. */
  key(k: string): boolean;
}

/**
 * W4, W5: the result of the agent's call, the R1 body sent over the socket: success; or failure
 * with when to call back, on which number, and numbers to stop; a comment with either.
 */
export function resultForm(call: DeskCall, link: AgentLink): ResultForm {
  const comment = h('textarea', { rows: 3, maxlength: '4000' });
  const after = num('', { min: 0, max: 525600, class: 'short' });
  const nextNumber = text('', { inputmode: 'tel', list: uid('nums'), autocomplete: 'off' });
  const numbers = [...new Set([call.number, ...call.previous_attempts.map((a) => a.number)])];
  const stops = numbers.map((n) => ({ number: n, box: check(false) }));
  const state = h('p', { class: 'result-state', id: 'result-state', role: 'status' });
  const success = h('button', { type: 'button', class: 'result-btn ok', 'aria-keyshortcuts': 'S', onclick: () => void send(true) },
    'Success', h('kbd', null, 'S'));
  const failure = h('button', { type: 'button', class: 'result-btn', 'aria-keyshortcuts': 'F', onclick: () => void send(false) },
    'Failure — call back', h('kbd', null, 'F'));
  let busy = false;
  let current = call;

  const form = h('form', { novalidate: true, 'aria-labelledby': 'result-h', tabindex: '-1' },
    formErrorsBox(), state,
    field('Comment', comment, { path: 'comment', hint: 'kept with the call (C)' }),
    h('div', { class: 'result-actions' }, success),
    h('fieldset', null, h('legend', null, 'If it failed'),
      h('div', { class: 'row' },
        field('Call back in, minutes', after, { path: 'next_after_sec', hint: 'empty: the campaign\'s wait (T)' }),
        field('Call-back number', nextNumber, { path: 'next_communication', hint: 'empty: the usual order (N)' })),
      h('datalist', { id: nextNumber.getAttribute('list')! }, numbers.map((n) => h('option', { value: n }))),
      h('div', { class: 'stops', 'data-path': 'stop_communications' }, h('span', { class: 'label' }, 'Stop numbers'),
        stops.map((s, i) => field(`Stop ${s.number}${i === 0 ? ' (X)' : ''}`, s.box, { path: `stop_communications.${i}` }))),
      h('div', { class: 'result-actions' }, failure)));
  form.addEventListener('submit', (e) => e.preventDefault());

  async function send(ok: boolean): Promise<void> {
    if (busy || success.disabled) return;
    const body: Record<string, unknown> = { success: ok };
    if (!ok) {
      if (after.value.trim() !== '') {
        const min = Number(after.value);
        if (!Number.isInteger(min) || min < 0) {
          showIssues(form, 'not a whole number of minutes', [{ path: 'body.next_after_sec', message: 'must be a whole number of minutes, 0 or more' }], 'Not sent');
          return;
        }
        body.next_after_sec = min * 60;
      }
      if (nextNumber.value.trim() !== '') body.next_communication = nextNumber.value.trim();
      const stopped = stops.filter((s) => s.box.checked).map((s) => s.number);
      if (stopped.length) body.stop_communications = stopped;
    }
    if (comment.value.trim() !== '') body.comment = comment.value.trim();
    busy = true;
    const r = await link.command('result', body);
    busy = false;
    if (!r.ok) {
      showIssues(form, r.message, r.issues, 'Result not sent');
      return;
    }
    clearIssues(form);
    notice(ok ? 'Result sent: success' : 'Result sent: failure');
  }

  function update(c: DeskCall): void {
    current = c;
    const a = c.attempt;
    const done = a.result_status !== null && a.result_status !== undefined;
    const can = a.agent_answered_at !== null && !done;
    for (const el of [success, failure, comment, after, nextNumber, ...stops.map((s) => s.box)]) el.disabled = !can;
    const words = done ? `Result accepted: ${a.outcome ?? ''}${a.comment ? ` — “${a.comment}”` : ''}`
      : can ? (c.live ? 'You may send the result now or when the call ends.' : 'Send the result of this call.')
        : 'The result can be sent once you have answered the call.';
    if (state.textContent !== words) state.textContent = words;
    state.className = `result-state${done ? ' done' : ''}`;
    // The button pressed is now disabled: keyboard focus stays in the form, not lost to the page.
    if (done && form.contains(document.activeElement) && (document.activeElement as HTMLButtonElement).disabled) form.focus();
    if (done && document.activeElement === document.body && form.isConnected) form.focus();
  }

  function key(k: string): boolean {
    const focus = (el: HTMLElement) => (el.hasAttribute('disabled') ? undefined : el.focus());
    if (k === 's') void send(true);
    else if (k === 'f') void send(false);
    else if (k === 'c') focus(comment);
    else if (k === 't') focus(after);
    else if (k === 'n') focus(nextNumber);
    else if (k === 'x' && stops[0] && !stops[0].box.disabled) stops[0].box.checked = !stops[0].box.checked;
    else return false;
    return true;
  }

  update(current);
  return { form, update, key };
}
