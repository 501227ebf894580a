import { clock, type DeskAttempt, type DeskCall } from '../agent-desk-state.js';
import { fmtTime, h } from '../dom.js';

/** W3, W5: the member card — who is called, on which number, the how-many-th try, and what happened before. */
export function callCard(call: DeskCall): HTMLElement {
  const m = call.member;
  const vars = Object.entries(m.variables ?? {});
  return h('div', { class: 'call-card' },
    h('p', { class: 'member-name', id: 'member-name' }, m.name || `Member ${m.id}`),
    h('p', { class: 'member-number' }, h('span', { class: 'sr-only' }, 'Number: '), call.number),
    h('dl', { class: 'facts' },
      h('dt', null, 'Campaign'), h('dd', null, call.campaign.name),
      h('dt', null, 'Priority'), h('dd', null, String(m.priority)),
      h('dt', null, 'Try'), h('dd', null, String(call.try_number)),
      h('dt', null, 'Member id'), h('dd', null, String(m.id))),
    vars.length
      ? [h('h3', null, 'Variables'), h('dl', { class: 'facts vars' }, vars.map(([k, v]) =>
        [h('dt', null, k), h('dd', null, typeof v === 'string' ? v : JSON.stringify(v))]))]
      : null,
    h('h3', null, 'Earlier attempts'),
    call.previous_attempts.length ? history(call.previous_attempts) : h('p', { class: 'muted' }, 'None: this is the first call.'));
}

function history(list: DeskAttempt[]): HTMLElement {
  return h('div', { class: 'scroll' }, h('table', { class: 'grid history' },
    h('caption', { class: 'sr-only' }, 'Earlier attempts, newest first'),
    h('thead', null, h('tr', null, ['When', 'Number', 'Outcome', 'Cause', 'Talk', 'Comment'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, list.map((a) => h('tr', null,
      h('td', { class: 'nowrap' }, fmtTime(a.created_at)),
      h('td', { class: 'num' }, a.number),
      h('td', null, a.outcome ?? a.state),
      h('td', null, a.hangup_cause ?? a.agent_cause ?? ''),
      h('td', { class: 'num' }, a.talk_sec === null ? '' : clock(a.talk_sec)),
      h('td', null, a.comment ?? ''))))));
}
