import { h } from '../dom.js';
import { check, field, num, numberOf, select, text } from '../form.js';
import type { Campaign } from '../types.js';

const KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'];

/**
 * P1: the settings of preview (P2) and predictive (P3-P5) campaigns. Only the group of the
 * chosen type is shown; every value is sent, so a type switched back keeps what was set.
 */
export function pacingFields(c: Campaign) {
  const previewSec = num(c.preview_sec, { min: 5, max: 600 });
  const previewTimeout = select([
    { value: 'return', label: 'Return the member to the queue and free the agent' },
    { value: 'dial', label: 'Dial the member' },
  ], c.preview_timeout);
  const cap = num(c.abandon_cap_pct, { min: 0.01, max: 10, step: '0.01', inputmode: 'decimal' });
  const target = num(c.abandon_target_pct, { min: 0.01, max: 10, step: '0.01', inputmode: 'decimal' });
  const window = select([
    { value: 'rolling-30-days', label: 'Rolling 30 days (US)' },
    { value: 'calendar-day', label: 'Calendar day (UK)' },
  ], c.compliance_window);
  const minRing = num(c.min_ring_sec, { min: 15, max: 300 });
  const message = text(c.info_message ?? '', { spellcheck: 'false', placeholder: '/usr/share/freeswitch/sounds/dialer-abandon.wav' });
  const optOut = select([{ value: '', label: 'None' }, ...KEYS.map((k) => ({ value: k, label: k }))], c.dnc_opt_out_key ?? '');
  const amd = check(c.amd);

  const preview = h('fieldset', { class: 'pacing-preview' }, h('legend', null, 'Preview'),
    h('div', { class: 'row' },
      field('Preview time, seconds', previewSec, { path: 'preview_sec', hint: 'the agent accepts or skips the member within this time' }),
      field('When the preview time passes', previewTimeout, { path: 'preview_timeout' })));
  const predictive = h('fieldset', { class: 'pacing-predictive' }, h('legend', null, 'Predictive'),
    h('div', { class: 'row' },
      field('Abandon cap, %', cap, { path: 'abandon_cap_pct', hint: 'abandoned ÷ answered calls never exceed this (US and UK rules: 3 %)' }),
      field('Abandon target, %', target, { path: 'abandon_target_pct', hint: 'what the pacer aims at; at most the cap' }),
      field('Compliance window', window, { path: 'compliance_window' })),
    h('div', { class: 'row' },
      field('Minimum ring time, seconds', minRing, { path: 'min_ring_sec', hint: 'an unanswered call rings at least this long' }),
      field('Information message', message, { path: 'info_message', hint: 'file path or URL the switch plays when no agent is free' }),
      field('Opt-out key', optOut, { path: 'dnc_opt_out_key', hint: 'pressed during the message, adds the number to the do-not-call list' })),
    field('Answering-machine detection', amd, { path: 'amd', hint: 'a setting only: no detection is run yet, every answer is taken as human (README)' }));

  return {
    preview,
    predictive,
    show(type: string): void {
      preview.hidden = type !== 'preview';
      predictive.hidden = type !== 'predictive';
    },
    values() {
      return {
        preview_sec: numberOf(previewSec), preview_timeout: previewTimeout.value,
        abandon_cap_pct: numberOf(cap), abandon_target_pct: numberOf(target), compliance_window: window.value,
        min_ring_sec: numberOf(minRing), info_message: message.value.trim() === '' ? null : message.value.trim(),
        dnc_opt_out_key: optOut.value === '' ? null : optOut.value, amd: amd.checked,
      };
    },
  };
}
