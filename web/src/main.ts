import './style.css';
import { api, setUnauthorizedHandler } from './api.js';
import { clear, clearStaleNotice, h, notice } from './dom.js';
import { board, onBoard, startLive, stopLive } from './live.js';
import { navigate, onRoute, route, startRouter, type Cleanup } from './router.js';
import { clearSession, currentSession, resumeSession } from './session.js';
import { agentDeskPage } from './pages/agent-desk.js';
import { agentsPage, agentEditPage } from './pages/agents.js';
import { boardsPage } from './pages/boards.js';
import { calendarEditPage, calendarsPage } from './pages/calendars.js';
import { campaignEditPage, campaignsPage } from './pages/campaigns.js';
import { dncPage } from './pages/dnc.js';
import { importPage } from './pages/import.js';
import { lineGroupsPage } from './pages/line-groups.js';
import { loginPage, loginPath, nextPage } from './pages/login.js';
import { membersPage } from './pages/members.js';
import { usersPage } from './pages/users.js';
import { wallboardPage } from './pages/wallboard.js';

const top = document.getElementById('top')!;
const main = document.getElementById('main')!;
let cleanup: Cleanup | void;
let firstRender = true;

route('/login', 'Log in', loginPage);
route('/', 'Live boards', boardsPage);
route('/wallboard', 'Wallboard', wallboardPage);
route('/campaigns', 'Campaigns', campaignsPage);
route('/campaigns/new', 'New campaign', campaignEditPage);
route('/campaigns/:id', 'Campaign', campaignEditPage);
route('/campaigns/:id/members', 'Members', membersPage);
route('/campaigns/:id/import', 'Upload members', importPage);
// Q4: the charts and their library load with this page only.
route('/campaigns/:id/reports', 'Reports', async (view, params, signal) => (await import('./pages/reports.js')).reportsPage(view, params, signal));
route('/calendars', 'Calendars', calendarsPage);
route('/calendars/new', 'New calendar', calendarEditPage);
route('/calendars/:id', 'Calendar', calendarEditPage);
route('/line-groups', 'Line groups', lineGroupsPage);
route('/agents', 'Agents', agentsPage);
route('/agents/new', 'New agent', agentEditPage);
route('/agents/:id', 'Agent', agentEditPage);
route('/dnc', 'Do not call', dncPage);
route('/users', 'Users', usersPage);
route('/agent', 'Agent desk', agentDeskPage);

const NAV: Array<[string, string]> = [
  ['/', 'Live boards'], ['/campaigns', 'Campaigns'], ['/calendars', 'Calendars'], ['/line-groups', 'Line groups'],
  ['/agents', 'Agents'], ['/dnc', 'Do not call'],
];
// Users and the queue dashboard are for admins (S1); other roles would only get 403s there.
const ADMIN_NAV: Array<[string, string]> = [['/users', 'Users']];

function header(): void {
  clear(top);
  const s = currentSession();
  if (!s) return;
  const here = location.pathname;
  // W1: an agent user has its own page only; the supervisor's menu would lead it to 403s.
  if (s.role === 'agent') {
    top.append(h('nav', { 'aria-label': 'Main' }, h('span', { class: 'brand' }, 'Dialer · Agent desk'),
      h('span', { class: 'who' }, `${s.username} `, h('button', { type: 'button', class: 'link', onclick: logout }, 'Log out'))));
    return;
  }
  const liveDot = h('span', { class: `live-dot ${board.status}`, id: 'live-status', role: 'status' }, `Live: ${board.status}`);
  const links = s.role === 'admin' ? [...NAV, ...ADMIN_NAV] : NAV;
  top.append(h('nav', { 'aria-label': 'Main' },
    h('span', { class: 'brand' }, 'Dialer'),
    h('ul', null, links.map(([href, label]) => {
      const current = href === '/' ? here === '/' : here.startsWith(href);
      return h('li', null, h('a', { href, 'aria-current': current ? 'page' : false }, label));
    }),
    // A separate page that reads the session cookie: a full navigation, not a client route.
    s.role === 'admin' ? h('li', null, h('a', { href: '/admin/queues', 'data-external': '' }, 'Queues')) : null),
    h('span', { class: 'who' }, liveDot, ` · ${s.username} (${s.role}) `,
      h('button', { type: 'button', class: 'link', onclick: logout }, 'Log out'))));
}

async function logout(): Promise<void> {
  // Revokes the key and clears the session cookie, so a reload does not log in again.
  const r = await api('POST', '/api/v2/session/logout');
  if (!r.ok && r.status !== 401) notice(`Log out: ${r.message}`, 'error');
  clearSession();
  stopLive();
  navigate('/login', true);
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
    // Back to this page once logged in again.
    navigate(loginPath(location.pathname + location.search), true);
    notice(`Please log in again: ${message}`, 'error');
  }
});

/** Aborted when the page on screen is left: its late answers are no longer wanted. */
let leaving: AbortController | undefined;

onRoute((page, params, title) => {
  leaving?.abort();
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  // A message about the page left (saved, deleted, an error) would contradict the next page;
  // one posted by the action that brought us here (a delete that returns to the list) stays.
  clearStaleNotice();
  const loggedIn = currentSession() !== undefined;
  if (!loggedIn && page !== loginPage) {
    navigate(loginPath(location.pathname + location.search), true);
    return;
  }
  if (loggedIn && page === loginPage) {
    navigate(nextPage(), true);
    return;
  }
  // W1, W5: an agent user works on its page only; the agent page is an agent user's.
  const agentUser = currentSession()?.role === 'agent';
  if (loggedIn && agentUser !== (page === agentDeskPage)) {
    navigate(agentUser ? '/agent' : '/', true);
    return;
  }
  if (loggedIn && !agentUser) startLive();
  document.title = `${title} · Dialer`;
  header();
  // Each render gets its own element: a slow answer of the page left renders into an element
  // no longer in the document, never above or into the next page.
  const view = h('div', { class: 'view' });
  const leave = new AbortController();
  leaving = leave;
  main.replaceChildren(view);
  // A new page: keyboard and screen reader users start at its content, not where the old one
  // was. Done before the page renders, so a page that focuses a field itself (log in) wins.
  if (!firstRender) main.focus({ preventScroll: true });
  firstRender = false;
  const result = page(view, params, leave.signal);
  // A page that finishes loading after the next one was shown cleans up at once.
  if (result instanceof Promise) void result.then((c) => (leave.signal.aborted ? typeof c === 'function' && c() : (cleanup = c)));
  else cleanup = result;
});

main.textContent = 'Loading…';
void resumeSession().then(() => startRouter());
