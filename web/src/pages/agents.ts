import { api } from '../api.js';
import { h, notice } from '../dom.js';
import { check, field, formErrorsBox, num, numberOf, select, submitted, text } from '../form.js';
import { board, onBoard } from '../live.js';
import { navigate, type Page } from '../router.js';
import type { Agent } from '../types.js';
import { agentCampaignsSection } from './agent-campaigns.js';

const STATUSES = ['Available', 'On Break', 'Logged Out'] as const;

export const agentsPage: Page = async (main) => {
  main.append(h('h1', null, 'Agents'), h('p', null, h('a', { href: '/agents/new', class: 'button' }, 'New agent')));
  const r = await api<Agent[]>('GET', '/api/v2/agents');
  if (!r.ok) return void main.append(h('p', { class: 'error' }, r.message));
  const tbody = h('tbody');
  const paint = () => tbody.replaceChildren(...(r.data.length === 0 ? [h('tr', null, h('td', { colspan: 6 }, 'No agent yet: create one with New agent, then put it on a campaign.'))] : []), ...r.data.map((a) => {
    const live = board.agents.get(a.id);
    const status = live?.status ?? a.status;
    const registered = live ? live.registered_node : a.registered_node;
    const statusSelect = select([...STATUSES], status);
    statusSelect.setAttribute('aria-label', `Status of ${a.name}`);
    // Applied by its button, not on change: arrow keys on a closed select change it, so a
    // keyboard user passing by would put the agent On Break.
    const set = h('button', { type: 'button', onclick: async () => {
      const s = await api<Agent>('PUT', `/api/v2/agents/${a.id}/status`, { status: statusSelect.value });
      if (!s.ok) return notice(s.message, 'error');
      a.status = s.data.status;
      notice(`${a.name} is ${s.data.status}`);
    } }, `Set status of ${a.name}`);
    return h('tr', null,
      h('td', null, h('a', { href: `/agents/${a.id}` }, a.name)), h('td', null, a.sip_user),
      h('td', null, h('span', { class: 'cell-edit' }, statusSelect, ' ', set)), h('td', null, live?.state ?? a.state),
      h('td', null, registered ? `yes (${registered})` : 'no'),
      h('td', null, h('button', { type: 'button', class: 'danger', onclick: async () => {
        if (!confirm(`Delete agent "${a.name}"?`)) return;
        const d = await api('DELETE', `/api/v2/agents/${a.id}`);
        if (!d.ok) return notice(d.message, 'error');
        navigate('/agents', true);
      } }, `Delete ${a.name}`)));
  }));
  paint();
  main.append(h('table', null, h('thead', null, h('tr', null,
    ['Name', 'SIP user', 'Status', 'State', 'Registered', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, 'Actions'))))), tbody));
  // Only repaint on pushes that change what this table shows, so a focused select is not replaced mid-use.
  let last = '';
  return onBoard(() => {
    const sig = [...board.agents.values()].map((a) => `${a.id}:${a.status}:${a.state}:${a.registered_node}`).join();
    if (sig !== last && !tbody.contains(document.activeElement)) {
      last = sig;
      paint();
    }
  });
};

export const agentEditPage: Page = async (main, params) => {
  const id = params.id;
  let a: Partial<Agent> = { name: '', sip_user: '', call_timeout: 60, wrapup_sec: 10, max_no_answer: 3, busy_delay_sec: 30,
    reject_delay_sec: 30, no_answer_delay_sec: 30, requires_client: false };
  if (id) {
    const r = await api<Agent>('GET', `/api/v2/agents/${id}`);
    if (!r.ok) return void main.append(h('p', { class: 'error' }, r.message));
    a = r.data;
  }
  const name = text(a.name);
  const sip = text(a.sip_user, { autocomplete: 'off', placeholder: '1000@pbx.example.com' });
  const n = (v: number | undefined) => num(v ?? '', { min: 0 });
  const f = {
    call_timeout: n(a.call_timeout), wrapup_sec: n(a.wrapup_sec), max_no_answer: n(a.max_no_answer),
    busy_delay_sec: n(a.busy_delay_sec), reject_delay_sec: n(a.reject_delay_sec), no_answer_delay_sec: n(a.no_answer_delay_sec),
  };
  const requiresClient = check(a.requires_client ?? false);
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'agent-form-h' },
    id ? h('h2', { id: 'agent-form-h' }, 'Settings') : h('h1', { id: 'agent-form-h' }, 'New agent'),
    formErrorsBox(),
    h('div', { class: 'row' },
      field('Name', name, { path: 'name', required: true }),
      field('SIP user', sip, { path: 'sip_user', required: true, hint: 'extension@domain, as in user/<sip user>' })),
    h('div', { class: 'row' },
      field('Call timeout, seconds', f.call_timeout, { path: 'call_timeout', hint: 'how long the agent\'s phone rings' }),
      field('Wrap-up, seconds', f.wrapup_sec, { path: 'wrapup_sec' }),
      field('Max no answer', f.max_no_answer, { path: 'max_no_answer', hint: 'then On Break' })),
    h('div', { class: 'row' },
      field('Busy delay, seconds', f.busy_delay_sec, { path: 'busy_delay_sec' }),
      field('Reject delay, seconds', f.reject_delay_sec, { path: 'reject_delay_sec' }),
      field('No-answer delay, seconds', f.no_answer_delay_sec, { path: 'no_answer_delay_sec' })),
    h('div', { class: 'row' },
      field('Calls only while a client is connected', requiresClient, { path: 'requires_client',
        hint: 'W2: the agent is offered calls only while its agent page or CRM toolbar is connected (10 s grace after it goes)' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, id ? 'Save agent' : 'Create agent'), ' ', h('a', { href: '/agents' }, 'Back to agents')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body: Record<string, unknown> = { name: name.value, sip_user: sip.value };
    for (const [k, input] of Object.entries(f)) body[k] = numberOf(input);
    body.requires_client = requiresClient.checked;
    const saved = await submitted(form, api<Agent>(id ? 'PUT' : 'POST', id ? `/api/v2/agents/${id}` : '/api/v2/agents', body));
    if (!saved) return;
    notice(`Agent "${saved.name}" saved`);
    if (!id) navigate(`/agents/${saved.id}`, true);
  });
  if (!id) return void main.append(form);
  const status = statusSection(a as Agent);
  main.append(h('h1', null, `Agent: ${a.name}`), status.el, form, await agentCampaignsSection(Number(id), a.name ?? ''));
  return status.off;
};

/** A5: the agent's status (log in, break, log out) and its live state, changed in place by pushes. */
function statusSection(a: Agent): { el: HTMLElement; off: () => void } {
  const status = select([...STATUSES], a.status);
  const line = h('p', { id: 'agent-live' });
  let shown: string = a.status;
  const paint = () => {
    const live = board.agents.get(a.id);
    const s = live ?? a;
    // A status changed elsewhere (a phone's *102, another supervisor) shows in the select too,
    // unless the user is choosing one right now.
    if (s.status !== shown) {
      shown = s.status;
      if (document.activeElement !== status) status.value = s.status;
    }
    const text = `Status ${s.status} · state ${s.state} · ${s.registered_node ? `phone registered on ${s.registered_node}` : 'phone not registered'}`;
    if (line.textContent !== text) line.textContent = text;
  };
  const form = h('form', { class: 'inline', novalidate: true }, formErrorsBox(),
    field('Status', status, { path: 'status', hint: 'Available gets calls; On Break and Logged Out do not' }),
    h('button', { type: 'submit' }, 'Set status'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const saved = await submitted(form, api<Agent>('PUT', `/api/v2/agents/${a.id}/status`, { status: status.value }));
    if (!saved) return;
    Object.assign(a, saved);
    shown = saved.status;
    const live = board.agents.get(a.id);
    if (live) live.status = saved.status;
    paint();
    notice(`${a.name} is ${saved.status}`);
  });
  paint();
  const el = h('section', { class: 'card', 'aria-labelledby': 'agent-status-h' }, h('h2', { id: 'agent-status-h' }, 'Status and state'), line, form);
  return { el, off: onBoard(paint) };
}
