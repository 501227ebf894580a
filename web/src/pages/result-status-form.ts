import { api } from '../api.js';
import { h, uid } from '../dom.js';
import { check, field, formErrorsBox, num, numberOf, submitted, text } from '../form.js';
import type { Member } from '../types.js';

/**
 * R1: the result status of the member's call, as a script or a CRM would send it: success
 * ends the member; otherwise it may reset the tries, set when to try next and with which
 * number, and stop numbers. A late or conflicting status is refused (R2) with the reason.
 */
export function resultStatusForm(campaignId: number, m: Member, onSaved: (m: Member) => void, onCancel?: () => void): HTMLFormElement {
  const success = check(false);
  const resetRetries = check(false);
  const nextAfter = num('', { min: 0 });
  const nextNumber = text('', { inputmode: 'tel', list: `${uid('nums')}` });
  const comment = h('textarea', { rows: 2 });
  const stopAll = check(false);
  const stops = m.communications.map((c) => ({ number: c.number, stopped: c.state === 'stopped', box: check(false) }));
  stops.forEach((s) => (s.box.id = uid('f')));
  stopAll.addEventListener('change', () => stops.forEach((s) => (s.box.disabled = stopAll.checked)));
  const label = `Result status of member ${m.id}`;
  const form = h('form', { class: 'card', novalidate: true, 'aria-label': label }, h('h2', null, label), formErrorsBox(),
    h('div', { class: 'row' },
      field('Success (the member is done)', success, { path: 'success' }),
      field('Reset the tries', resetRetries, { path: 'reset_retries' })),
    h('div', { class: 'row' },
      field('Next try after, seconds', nextAfter, { path: 'next_after_sec', hint: 'optional; else the campaign\'s retry wait' }),
      field('Next number', nextNumber, { path: 'next_communication', hint: 'optional; a new one is added at the top priority' })),
    h('datalist', { id: nextNumber.getAttribute('list')! }, m.communications.map((c) => h('option', { value: c.number }))),
    h('fieldset', { 'data-path': 'stop_communications' }, h('legend', null, 'Stop numbers'),
      h('div', { class: 'row' }, stops.map((s) => h('div', { class: 'field check' }, s.box,
        h('label', { for: s.box.id }, `Stop ${s.number}`, s.stopped ? h('span', { class: 'muted' }, ' (already stopped)') : null))),
        field('All but the next number', stopAll, { path: 'stop_all' }))),
    field('Comment', comment, { path: 'comment', hint: 'kept with the attempt' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Send result status'),
      onCancel ? [' ', h('button', { type: 'button', class: 'link', onclick: onCancel }, 'Cancel')] : null));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body: Record<string, unknown> = { success: success.checked };
    if (resetRetries.checked) body.reset_retries = true;
    if (nextAfter.value.trim() !== '') body.next_after_sec = numberOf(nextAfter);
    if (nextNumber.value.trim() !== '') body.next_communication = nextNumber.value.trim();
    const stopped = stops.filter((s) => s.box.checked).map((s) => s.number);
    if (stopAll.checked) body.stop_communications = 'all';
    else if (stopped.length) body.stop_communications = stopped;
    if (comment.value.trim() !== '') body.comment = comment.value;
    const saved = await submitted(form, api<Member>('PUT', `/api/v2/dialer/${campaignId}/members/${m.id}/status`, body), 'Not sent');
    if (saved) onSaved(saved);
  });
  return form;
}
