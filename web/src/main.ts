import './style.css';
import { api, setUnauthorizedHandler } from './api.js';
import { clear, h, notice } from './dom.js';
import { board, onBoard, startLive, stopLive } from './live.js';
import { navigate, onRoute, route, startRouter, type Cleanup } from './router.js';
import { clearSession, currentSession } from './session.js';
import { agentsPage, agentEditPage } from './pages/agents.js';
import { boardsPage } from './pages/boards.js';
import { calendarEditPage, calendarsPage } from './pages/calendars.js';
import { campaignEditPage, campaignsPage } from './pages/campaigns.js';
import { dncPage } from './pages/dnc.js';
import { importPage } from './pages/import.js';
import { lineGroupsPage } from './pages/line-groups.js';
import { loginPage } from './pages/login.js';
import { membersPage } from './pages/members.js';

const top = document.getElementById('top')!;
const main = document.getElementById('main')!;
let cleanup: Cleanup | void;

route('/login', 'Log in', loginPage);
route('/', 'Live boards', boardsPage);
route('/campaigns', 'Campaigns', campaignsPage);
route('/campaigns/new', 'New campaign', campaignEditPage);
route('/campaigns/:id', 'Campaign', campaignEditPage);
route('/campaigns/:id/members', 'Members', membersPage);
route('/campaigns/:id/import', 'Upload members', importPage);
route('/calendars', 'Calendars', calendarsPage);
route('/calendars/new', 'New calendar', calendarEditPage);
route('/calendars/:id', 'Calendar', calendarEditPage);
route('/line-groups', 'Line groups', lineGroupsPage);
route('/agents', 'Agents', agentsPage);
route('/agents/new', 'New agent', agentEditPage);
route('/agents/:id', 'Agent', agentEditPage);
route('/dnc', 'Do not call', dncPage);

const NAV: Array<[string, string]> = [
  ['/', 'Live boards'], ['/campaigns', 'Campaigns'], ['/calendars', 'Calendars'], ['/line-groups', 'Line groups'],
  ['/agents', 'Agents'], ['/dnc', 'Do not call'],
];

function header(): void {
  clear(top);
  const s = currentSession();
  if (!s) return;
  const here = location.pathname;
  const liveDot = h('span', { class: `live-dot ${board.status}`, id: 'live-status', role: 'status' }, `Live: ${board.status}`);
  top.append(h('nav', { 'aria-label': 'Main' },
    h('span', { class: 'brand' }, 'Dialer'),
    h('ul', null, NAV.map(([href, label]) => {
      const current = href === '/' ? here === '/' : here.startsWith(href);
      return h('li', null, h('a', { href, 'aria-current': current ? 'page' : false }, label));
    }),
    s.role === 'admin' ? h('li', null, h('a', { href: '/admin/queues', 'data-external': '', onclick: openQueues }, 'Queues')) : null),
    h('span', { class: 'who' }, liveDot, ` ${s.username} (${s.role}) `,
      h('button', { type: 'button', class: 'link', onclick: logout }, 'Log out'))));
}

/** The dashboard is a separate page: a single-use ticket turns into its cookie there. */
async function openQueues(e: Event): Promise<void> {
  e.preventDefault();
  const t = await api<{ ticket: string }>('POST', '/api/v2/live/ticket');
  if (!t.ok) return notice(t.message, 'error');
  location.assign(`/admin/queues/login?ticket=${encodeURIComponent(t.data.ticket)}`);
}

async function logout(): Promise<void> {
  await api('POST', '/logout');
  clearSession();
  stopLive();
  navigate('/login');
}

onBoard(() => {
  const dot = document.getElementById('live-status');
  if (dot && dot.textContent !== `Live: ${board.status}`) {
    dot.className = `live-dot ${board.status}`;
    dot.textContent = `Live: ${board.status}`;
  }
});

setUnauthorizedHandler((message) => {
  stopLive();
  if (location.pathname !== '/login') {
    navigate('/login', true);
    notice(`Please log in again: ${message}`, 'error');
  }
});

onRoute((page, params, title) => {
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  const loggedIn = currentSession() !== undefined;
  if (!loggedIn && page !== loginPage) {
    navigate('/login', true);
    return;
  }
  if (loggedIn) startLive();
  document.title = `${title} · Dialer`;
  header();
  clear(main);
  const result = page(main, params);
  if (result instanceof Promise) void result.then((c) => (cleanup = c));
  else cleanup = result;
  main.focus({ preventScroll: true });
});

startRouter();
