import { h } from '../dom.js';
import { board, onBoard, remainingMs, shownState, type AgentLive } from '../live.js';
import type { Page } from '../router.js';
import type { CampaignBoardRow } from '../types.js';
import { runStopButton } from './run-stop.js';

/**
 * The live boards: agents and campaigns as the server pushes them (GET /api/v2/live). The
 * delay countdown ticks locally between pushes; nothing here asks the server on a timer.
 */
export const boardsPage: Page = (main) => {
  const agentsBody = h('tbody', { id: 'agents-board' });
  const campaignsBody = h('tbody', { id: 'campaigns-board' });
  const stamp = h('p', { class: 'muted', id: 'board-stamp' });
  const health = h('p', { id: 'board-health' });
  main.append(h('h1', null, 'Live boards'), stamp, health,
    h('section', { 'aria-labelledby': 'cb-h' }, h('h2', { id: 'cb-h' }, 'Campaigns'),
      h('div', { class: 'scroll' }, h('table', { class: 'board' }, h('thead', null, h('tr', null,
        ['Campaign', 'State', 'Live calls / limit', 'Dialled', 'Succeeded', 'Failed', 'Remaining', 'Members', 'Result mix', ''].map((t) => h('th', { scope: 'col' }, t || h('span', { class: 'sr-only' }, 'Actions'))))),
        campaignsBody))),
    h('section', { 'aria-labelledby': 'ab-h' }, h('h2', { id: 'ab-h' }, 'Agents'),
      h('div', { class: 'scroll' }, h('table', { class: 'board' }, h('thead', null, h('tr', null,
        ['Agent', 'SIP user', 'Status', 'State', 'Registered', 'Client', 'Current call', 'Ready in'].map((t) => h('th', { scope: 'col' }, t)))),
        agentsBody))));

  const paint = () => {
    stamp.textContent = board.status === 'live' ? `Live · ${board.updates} update(s) received`
      : board.status === 'stale' ? 'Not live: these rows are as of the last snapshot; the server is not hearing every change right now.'
        : `Live feed ${board.status}…`;
    health.replaceChildren(...healthItems());
    // Keep keyboard focus on the same Run/Stop button (by its name) across a repaint.
    const focused = campaignsBody.contains(document.activeElement) ? document.activeElement?.getAttribute('data-focus-key') : null;
    const camps = [...board.campaigns.values()];
    campaignsBody.replaceChildren(...(camps.length ? camps.map(campaignRow) : [h('tr', null, h('td', { colspan: 10 }, 'No campaign yet.'))]));
    if (focused) campaignsBody.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
    const agents = [...board.agents.values()].sort((a, b) => a.name.localeCompare(b.name));
    agentsBody.replaceChildren(...(agents.length ? agents.map(agentRow) : [h('tr', null, h('td', { colspan: 7 }, 'No agent yet.'))]));
  };
  paint();
  const off = onBoard(paint);
  // Only the "ready in" cells change with time.
  const tick = window.setInterval(() => {
    for (const a of board.agents.values()) {
      const cell = document.getElementById(`agent-${a.id}-ready`);
      if (cell) cell.textContent = readyIn(a);
    }
  }, 1000);
  return () => {
    off();
    clearInterval(tick);
  };
};

function campaignRow(c: CampaignBoardRow): HTMLElement {
  const mix = Object.entries(c.results).sort((a, b) => b[1] - a[1]);
  const total = mix.reduce((s, [, n]) => s + n, 0);
  return h('tr', { id: `campaign-${c.id}` },
    h('th', { scope: 'row' }, h('a', { href: `/campaigns/${c.id}` }, c.name)),
    h('td', null, badge('state', c.state),
      c.reason ? h('span', { class: 'reason', 'data-k': 'reason' }, ` ${c.reason.text}`) : null),
    h('td', { class: 'num' }, h('meter', { min: 0, max: c.limit, value: c.live_calls, 'aria-label': `Live calls of ${c.name}` }), ` ${c.live_calls} / ${c.limit}`),
    h('td', { class: 'num', 'data-k': 'dialled' }, c.dialled), h('td', { class: 'num', 'data-k': 'succeeded' }, c.succeeded),
    h('td', { class: 'num', 'data-k': 'failed' }, c.failed), h('td', { class: 'num', 'data-k': 'remaining' }, c.remaining),
    h('td', { class: 'num' }, `${c.members.ready} ready · ${c.members.dialing} dialling · ${c.members.waiting_result} waiting · ${c.members.done} done`),
    h('td', null, total ? h('div', { class: 'mix' },
      h('div', { class: 'bar', 'aria-hidden': 'true' }, mix.map(([r, n], i) => h('span', { class: `seg s${i % 6}`, style: `width:${(100 * n) / total}%`, title: `${r}: ${n}` }))),
      h('span', { class: 'mix-text' }, mix.map(([r, n]) => `${r} ${n}`).join(', '))) : '—'),
    h('td', null, withFocusKey(runStopButton(c.id, c.name, c.state).el, `run-${c.id}`)));
}

/** Database, Redis and each FreeSWITCH node, up or down with since when, in words (not colour alone). */
function healthItems(): Array<HTMLElement | string> {
  const hh = board.health;
  if (!hh) return [];
  const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const item = (name: string, s: { up: boolean; since: string }) =>
    h('span', { class: `dep ${s.up ? 'up' : 'down'}`, 'data-dep': name }, s.up ? `${name} up` : `${name} down since ${time(s.since)}`);
  const items = [item('Database', hh.database), item('Redis', hh.redis),
    ...(hh.freeswitch ?? []).map((n) => item(`FreeSWITCH ${n.node}`, n))];
  return ['Dependencies: ', ...items.flatMap((x, i) => (i ? [' · ', x] : [x]))];
}

function withFocusKey(el: HTMLElement, key: string): HTMLElement {
  el.dataset.focusKey = key;
  return el;
}

function agentRow(a: AgentLive): HTMLElement {
  return h('tr', { id: `agent-${a.id}` },
    h('th', { scope: 'row' }, h('a', { href: `/agents/${a.id}` }, a.name)),
    h('td', null, a.sip_user),
    h('td', null, badge('status', a.status)),
    h('td', { 'data-k': 'state' }, a.state),
    h('td', null, a.registered_node ? `yes (${a.registered_node})` : 'no'),
    // W2: online through a CTI client; "offline" matters only to an agent that requires one.
    h('td', { 'data-k': 'client' }, a.client_online ? 'online' : a.requires_client ? 'offline (required)' : '—'),
    h('td', { 'data-k': 'call' }, a.call ? `${a.call.number} · ${a.call.state}` : '—'),
    h('td', { id: `agent-${a.id}-ready`, class: 'num' }, readyIn(a)));
}

function readyIn(a: AgentLive): string {
  const ms = remainingMs(a);
  return ms > 0 ? `${Math.ceil(ms / 1000)} s` : 'ready';
}

function badge(kind: 'state' | 'status', value: string): HTMLElement {
  const s = shownState(value);
  return h('span', { class: `${kind} ${s.cls}` }, s.text);
}
