import { h } from '../dom.js';
import { board, onBoard, shownState } from '../live.js';
import { navigate, type Page } from '../router.js';
import { agentCounts, sortedAgents, sortedCampaigns } from './boards.js';

/** What each figure counts, the same words as the live boards' column headers. */
const DEFINITIONS: Record<string, string> = {
  live: 'calls in progress now against the limits of the running campaigns',
  dialled: 'attempts that dialled (or are dialling) a subscriber: every attempt but one that ended at the agent\'s phone',
  succeeded: 'members ended by a successful call',
  remaining: 'members not ended yet',
  'In a call': 'agents with a call in progress',
  Waiting: 'Available agents waiting for a call',
  'Other state': 'Available agents in wrap-up, a delay or another state',
  'On Break': 'agents On Break',
};

/**
 * The wallboard: the live figures large enough for a screen across the room, with no controls
 * (no menu, no buttons). Escape goes back to the live boards.
 */
export const wallboardPage: Page = (main) => {
  document.body.classList.add('wallboard');
  const kpis = h('div', { class: 'kpis', id: 'wallboard-kpis' });
  const tiles = h('div', { class: 'tiles', id: 'wallboard-campaigns' });
  const stamp = h('p', { class: 'wall-stamp', id: 'wallboard-stamp' });
  main.append(h('h1', { class: 'sr-only' }, 'Wallboard'), kpis, tiles, stamp);
  const kpi = (label: string, value: string | number, key: string) =>
    h('div', { class: 'kpi', 'data-kpi': key, title: DEFINITIONS[key] ?? label }, h('div', { class: 'kpi-value' }, value), h('div', { class: 'kpi-label' }, label));
  const paint = () => {
    const camps = sortedCampaigns();
    const live = camps.reduce((s, c) => s + c.live_calls, 0);
    const running = camps.filter((c) => c.state === 'running');
    const limit = running.reduce((s, c) => s + c.limit, 0);
    kpis.replaceChildren(kpi('Live calls', `${live} / ${limit}`, 'live'),
      ...agentCounts(sortedAgents()).filter(([label]) => label !== 'Logged Out').map(([label, n]) => kpi(`Agents ${label.toLowerCase()}`, n, label)),
      kpi('Dialled', camps.reduce((s, c) => s + c.dialled, 0), 'dialled'),
      kpi('Succeeded', camps.reduce((s, c) => s + c.succeeded, 0), 'succeeded'));
    // Campaigns that have ended long ago do not need the room's attention: running and stopping first.
    const shown = [...camps].sort((a, b) => Number(b.state === 'running' || b.state === 'stopping') - Number(a.state === 'running' || a.state === 'stopping'));
    tiles.replaceChildren(...shown.map((c) => {
      const s = shownState(c.state);
      return h('section', { class: 'tile', id: `wall-campaign-${c.id}`, 'aria-label': c.name },
        h('h2', null, c.name, ' ', h('span', { class: `state ${s.cls}` }, s.text)),
        c.reason ? h('p', { class: 'reason' }, c.reason.text) : null,
        h('div', { class: 'tile-figures' },
          kpi('Live / limit', `${c.live_calls} / ${c.limit}`, 'live'), kpi('Dialled', c.dialled, 'dialled'),
          kpi('Succeeded', c.succeeded, 'succeeded'), kpi('Remaining', c.remaining, 'remaining')));
    }));
    stamp.textContent = board.status === 'live' ? 'Live' : `Live feed ${board.status}: figures as last known`;
  };
  paint();
  const off = onBoard(paint);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') navigate('/');
  };
  document.addEventListener('keydown', onKey);
  return () => {
    off();
    document.removeEventListener('keydown', onKey);
    document.body.classList.remove('wallboard');
  };
};
