import { h } from '../dom.js';
import { board, onBoard, remainingMs, serverNow, shownState, type AgentLive } from '../live.js';
import type { Page } from '../router.js';
import type { CampaignBoardRow } from '../types.js';
import { runStopButton } from './run-stop.js';

/**
 * The live boards: agents and campaigns as the server pushes them (GET /api/v2/live). Timers
 * (call time, the delay countdown) tick locally between pushes; nothing here asks the server
 * on a timer. Every figure has its definition in a tooltip (the header's abbr).
 */
export const boardsPage: Page = (main) => {
  const agentsBody = h('tbody', { id: 'agents-board' });
  const campaignsBody = h('tbody', { id: 'campaigns-board' });
  const stamp = h('p', { class: 'muted', id: 'board-stamp' });
  const health = h('p', { id: 'board-health' });
  const agentSummary = h('p', { id: 'agents-summary', class: 'summary' });
  main.append(h('div', { class: 'board-head' }, h('h1', null, 'Live boards'),
    h('a', { href: '/wallboard', class: 'button', id: 'wallboard-link' }, 'Wallboard (full screen)')), stamp, health,
    h('section', { 'aria-labelledby': 'cb-h' }, h('h2', { id: 'cb-h' }, 'Campaigns'),
      h('div', { class: 'scroll' }, h('table', { class: 'board' }, h('thead', null, h('tr', null,
        CAMPAIGN_COLUMNS.map(([t, def]) => h('th', { scope: 'col' }, def ? h('abbr', { title: def }, t) : t || h('span', { class: 'sr-only' }, 'Actions'))))),
        campaignsBody))),
    h('section', { 'aria-labelledby': 'ab-h' }, h('h2', { id: 'ab-h' }, 'Agents'), agentSummary,
      h('div', { class: 'scroll' }, h('table', { class: 'board' }, h('thead', null, h('tr', null,
        AGENT_COLUMNS.map(([t, def]) => h('th', { scope: 'col' }, def ? h('abbr', { title: def }, t) : t)))),
        agentsBody))));

  const paint = () => {
    stamp.textContent = board.status === 'live' ? `Live · ${board.updates} update(s) received`
      : board.status === 'stale' ? 'Not live: these rows are as of the last snapshot; the server is not hearing every change right now.'
        : `Live feed ${board.status}…`;
    health.replaceChildren(...healthItems());
    // Keep keyboard focus on the same Run/Stop button (by its name) across a repaint.
    const focused = campaignsBody.contains(document.activeElement) ? document.activeElement?.getAttribute('data-focus-key') : null;
    const camps = sortedCampaigns();
    campaignsBody.replaceChildren(...(camps.length ? camps.map(campaignRow) : [h('tr', null, h('td', { colspan: CAMPAIGN_COLUMNS.length }, 'No campaign yet.'))]));
    if (focused) campaignsBody.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
    const agents = sortedAgents();
    agentSummary.replaceChildren(...agentCounts(agents).flatMap(([label, n], i) =>
      [i ? ' · ' : '', h('span', { 'data-count': label }, `${label} `, h('strong', null, n))]));
    agentsBody.replaceChildren(...(agents.length ? agents.map(agentRow) : [h('tr', null, h('td', { colspan: AGENT_COLUMNS.length }, 'No agent yet.'))]));
  };
  paint();
  const off = onBoard(paint);
  const tick = window.setInterval(() => tickTimers(agentsBody), 1000);
  return () => {
    off();
    clearInterval(tick);
  };
};

const CAMPAIGN_COLUMNS: Array<[string, string | null]> = [
  ['Campaign', null],
  ['State', 'running, stopping, stopped, finished or idle, and why it is (not) dialling'],
  ['Live calls / limit', 'dial level: calls in progress now (agent ringing, subscriber ringing or talking) against the campaign\'s limit of simultaneous calls; below, what else bounds it: the lines of its line group in use (shared with other campaigns) and the Available agents with a registered phone'],
  ['Dialled', 'attempts that dialled (or are dialling) a subscriber: every attempt but one that ended at the agent\'s phone; the same figure as "dialled" of GET /stats'],
  ['Succeeded', 'members ended by a successful call'],
  ['Failed', 'members ended without success (an error cause, out of tries, expired)'],
  ['Remaining', 'members not ended yet: ready, being dialled or waiting for a result'],
  ['Next due', 'when the next ready member may be called: now, or the time of the earliest retry or call-back'],
  ['Members', 'members by state: ready to dial (now or later), in a call, waiting for a result status, ended'],
  ['Result mix', 'ended members by their result'],
  ['', null],
];

const AGENT_COLUMNS: Array<[string, string | null]> = [
  ['Agent', null],
  ['Status', 'set by the agent or a supervisor: Available gets calls, On Break and Logged Out do not'],
  ['State', 'what the agent is doing now'],
  ['Time in state', 'how long the agent has had this status and state, on the server\'s clock'],
  ['Registered', 'whether the agent\'s phone is registered on a FreeSWITCH node (open for the contact)'],
  ['Client', 'online through a CTI client (the agent desk)'],
  ['Current call', 'the subscriber number and the call\'s stage, with the talk time once the subscriber answered (before that, the time since the attempt started)'],
  ['Ready in', 'shown only while a delay after a busy, rejected or unanswered call runs'],
];

const natural = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Agent 2 before Agent 10. */
export function sortedAgents(): AgentLive[] {
  return [...board.agents.values()].sort((a, b) => natural.compare(a.name, b.name) || a.id - b.id);
}

export function sortedCampaigns(): CampaignBoardRow[] {
  return [...board.campaigns.values()].sort((a, b) => natural.compare(a.name, b.name) || a.id - b.id);
}

/** Agents by what they can do now, in words and numbers (the summary above the table). */
export function agentCounts(agents: AgentLive[]): Array<[string, number]> {
  const count = (f: (a: AgentLive) => boolean) => agents.filter(f).length;
  const available = (a: AgentLive) => a.status === 'Available';
  return [
    ['In a call', count((a) => a.call !== null)],
    ['Waiting', count((a) => available(a) && a.call === null && a.state === 'Waiting' && remainingMs(a) === 0)],
    ['Other state', count((a) => available(a) && a.call === null && (a.state !== 'Waiting' || remainingMs(a) > 0))],
    ['On Break', count((a) => a.status === 'On Break')],
    ['Logged Out', count((a) => a.status === 'Logged Out')],
  ];
}

function campaignRow(c: CampaignBoardRow): HTMLElement {
  const mix = Object.entries(c.results).sort((a, b) => b[1] - a[1]);
  const total = mix.reduce((s, [, n]) => s + n, 0);
  return h('tr', { id: `campaign-${c.id}` },
    h('th', { scope: 'row' }, h('a', { href: `/campaigns/${c.id}` }, c.name)),
    h('td', { class: 'wrap' }, badge('state', c.state),
      c.reason ? h('span', { class: 'reason', 'data-k': 'reason' }, ` ${c.reason.text}`) : null),
    h('td', { class: 'num wrap', 'data-k': 'live' }, `${c.live_calls} / ${c.limit} `,
      h('meter', { min: 0, max: c.limit, value: c.live_calls, 'aria-label': `Live calls of ${c.name}` }),
      h('div', { class: 'small muted', 'data-k': 'dial-level' }, dialLevel(c)),
      c.pacing ? h('div', { class: 'small', 'data-k': 'pacing' }, pacingText(c.pacing)) : null,
      c.pacing?.pacer ? h('div', { class: 'small', 'data-k': 'pacer' }, pacerText(c.pacing.pacer)) : null),
    h('td', { class: 'num', 'data-k': 'dialled' }, c.dialled), h('td', { class: 'num', 'data-k': 'succeeded' }, c.succeeded),
    h('td', { class: 'num', 'data-k': 'failed' }, c.failed), h('td', { class: 'num', 'data-k': 'remaining' }, c.remaining),
    h('td', { class: 'num', 'data-k': 'next-due' }, nextDue(c.next_due_at)),
    h('td', { class: 'wrap', 'data-k': 'members' }, `${c.members.ready} ready · ${c.members.dialing} in a call · ${c.members.waiting_result} waiting for a result · ${c.members.done} ended`),
    h('td', { class: 'wrap' }, total ? h('div', { class: 'mix' },
      h('div', { class: 'bar', 'aria-hidden': 'true' }, mix.map(([r, n], i) => h('span', { class: `seg s${i % 6}`, style: `width:${(100 * n) / total}%`, title: `${r}: ${n}` }))),
      h('span', { class: 'mix-text' }, mix.map(([r, n]) => `${r} ${n}`).join(', '))) : '—'),
    h('td', null, withFocusKey(runStopButton(c.id, c.name, c.state).el, `run-${c.id}`)));
}

/** "now" once due (on the server's clock), else the time (and the day when not today); "—" when no member is ready. */
function nextDue(at: string | null): string {
  if (!at) return '—';
  const t = Date.parse(at);
  if (t <= serverNow()) return 'now';
  const d = new Date(t);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return d.toDateString() === new Date(serverNow()).toDateString() ? time : `${d.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' })} ${time}`;
}

/** What else bounds the dial level: the shared lines and the agents who could take a call. */
function dialLevel(c: CampaignBoardRow): string {
  const lines = c.line_group ? `lines ${c.line_group.live_calls}/${c.line_group.capacity} in ${c.line_group.name} · ` : '';
  return `${lines}${c.agents_ready} agent(s) available`;
}

/** P3, P4: how hard a predictive campaign dials, and its abandon rate against the cap over its window. */
export function pacingText(p: NonNullable<CampaignBoardRow['pacing']>): string {
  const window = p.compliance_window === 'calendar-day' ? 'today' : 'last 30 days';
  const status = { 'under-target': 'under the target', 'over-target': 'over the target', 'at-guard': 'near the cap: one line per idle agent', 'over-cap': 'OVER THE CAP' }[p.status];
  return `dial level ${p.dial_level.toFixed(2)} (${p.lines_in_flight} ringing, ${p.working_agents} agent(s) on line) · abandoned ${p.abandon_rate_pct.toFixed(2)} % `
    + `of ${p.answered} answered ${window} (${p.abandoned}); cap ${p.abandon_cap_pct} %, target ${p.abandon_target_pct} %: ${status}`;
}

const PACER_REASONS: Record<string, string> = {
  paced: 'paced ahead of the agents',
  'few-answers': 'one line per idle agent: fewer than 100 answers known',
  'few-agents': 'one line per idle agent: fewer than 3 agents working',
  'window-near-cap': 'one line per idle agent: the abandon rate is near the cap',
  'no-recent-answer': 'one line per idle agent: no recent answer to measure',
};

/** P3, P4, P7: the pacer's last decision — how many lines per agent it dials at, and why. */
export function pacerText(d: NonNullable<NonNullable<CampaignBoardRow['pacing']>['pacer']>): string {
  const at = new Date(d.decided_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return `pacer: dial level ${d.dial_level.toFixed(2)} (${d.lines_in_flight} line(s) in flight + ${d.lines} new, ${d.working_agents} agent(s)) · `
    + `${d.mode}, ${PACER_REASONS[d.reason] ?? d.reason} · at ${at}`;
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
    h('th', { scope: 'row' }, h('a', { href: `/agents/${a.id}` }, a.name), h('div', { class: 'muted small' }, a.sip_user)),
    h('td', null, badge('status', a.status)),
    h('td', { 'data-k': 'state' }, a.state),
    h('td', { class: 'num', 'data-k': 'in-state' }, timeInState(a)),
    // Yes or no at a glance; the node (the contact) when opened.
    h('td', { 'data-k': 'registered' }, a.registered_node
      ? h('details', { class: 'contact' }, h('summary', null, 'yes'), `on ${a.registered_node}`, a.registered_contact ? h('div', { class: 'small' }, a.registered_contact) : null) : 'no'),
    // W2: online through a CTI client; "offline" matters only to an agent that requires one.
    h('td', { 'data-k': 'client' }, a.client_online ? 'online' : a.requires_client ? 'offline (required)' : '—'),
    h('td', { 'data-k': 'call' }, a.call ? [`${a.call.number} · ${a.call.state} · `, a.call.answered_at ? 'talking ' : '',
      h('span', { class: 'elapsed', 'data-k': 'call-timer', 'data-since': a.call.answered_at ?? a.call.since ?? '' }, elapsed(a.call.answered_at ?? a.call.since))] : '—'),
    h('td', { id: `agent-${a.id}-ready`, class: 'num', 'data-k': 'ready-in' }, readyIn(a)));
}

/** Time in the current status and state, whatever they are. */
function timeInState(a: AgentLive): HTMLElement | null {
  if (!a.state_since) return null;
  return h('span', { class: 'elapsed', 'data-since': a.state_since }, elapsed(a.state_since));
}

/** m:ss since an ISO time on the server's clock; h:mm:ss from an hour on (a shift spent On Break). */
export function elapsed(since: string | null | undefined): string {
  const at = since ? Date.parse(since) : NaN;
  if (!Number.isFinite(at)) return '';
  const sec = Math.max(0, Math.floor((serverNow() - at) / 1000));
  const ss = String(sec % 60).padStart(2, '0');
  if (sec < 3600) return `${Math.floor(sec / 60)}:${ss}`;
  return `${Math.floor(sec / 3600)}:${String(Math.floor(sec / 60) % 60).padStart(2, '0')}:${ss}`;
}

/** Only the timers change with time: call times and the delay countdown. */
function tickTimers(root: HTMLElement): void {
  for (const t of root.querySelectorAll<HTMLElement>('.elapsed')) t.textContent = elapsed(t.dataset.since);
  for (const a of board.agents.values()) {
    const cell = document.getElementById(`agent-${a.id}-ready`);
    if (cell) cell.textContent = readyIn(a);
  }
}

/** Empty unless a delay runs: "ready" on every row said nothing. */
function readyIn(a: AgentLive): string {
  const ms = remainingMs(a);
  return ms > 0 ? `${Math.ceil(ms / 1000)} s` : '';
}

function badge(kind: 'state' | 'status', value: string): HTMLElement {
  const s = shownState(value);
  return h('span', { class: `${kind} ${s.cls}` }, s.text);
}
