import '../agent-desk.css';
import { AgentLink, type LinkStatus } from '../agent-link.js';
import { applyEvent, clock, phaseOf, type DeskCall, type DeskView } from '../agent-desk-state.js';
import { h, notice } from '../dom.js';
import { loginPath } from './login.js';
import { navigate, type Page } from '../router.js';
import { resultForm, type ResultForm } from './agent-result-form.js';
import { callCard } from './agent-call-card.js';
import { previewPanel } from './agent-preview.js';

/*
 * W5: the agent's own page. Everything comes over the CTI socket (snapshot, then events); every
 * action is a socket command with a one-key shortcut. The page is built once and updated in
 * place, so focus and what the agent typed survive every event.
 */

const KEYS: Array<[string, string]> = [
  ['A', 'Available'], ['B', 'On Break (with the reason typed)'], ['R', 'Break reason field'], ['L', 'Logged Out'],
  ['S', 'Result: success'], ['F', 'Result: failure (call back, stop numbers)'], ['C', 'Comment field'],
  ['T', 'Call back in … minutes'], ['N', 'Call-back number'], ['X', 'Stop the number called'],
  ['Y', 'Preview: accept the member'], ['K', 'Preview: reason to skip'],
  ['H', 'Hang up'], ['E', 'End wrap-up'], ['Esc', 'Leave a text field (then the keys work again)'],
];

const PHASE_TEXT = {
  preview: 'Preview — accept to call this member, or skip it',
  reserved: 'Reserved for you — your phone will ring',
  ringing: 'Your phone is ringing — answer it',
  connected: 'Dialling the member…',
  talking: 'Talking',
  ended: 'Call over',
} as const;

export const agentDeskPage: Page = (view) => {
  let s: DeskView | undefined;
  let result: ResultForm | undefined;
  let shownAttempt: number | undefined;
  /** The call this page hung up: its end is told as the agent's, not the subscriber's. */
  let hungUp: number | undefined;

  const conn = h('p', { class: 'conn connecting', id: 'connection', role: 'status' }, 'Connecting…');
  // Why the connection is down, beside it and outside the live region: retries do not chatter.
  const connWhy = h('p', { class: 'conn-why hint', id: 'connection-why' });
  // Focusable from script: Esc in a field outside the result form comes back here.
  const title = h('h1', { tabindex: '-1' }, 'Agent desk');
  const statusBtn = (status: DeskView['agent']['status'], key: string) =>
    h('button', { type: 'button', class: `status-btn s-${status.replace(' ', '-').toLowerCase()}`, 'aria-pressed': 'false',
      'aria-keyshortcuts': key, onclick: () => void setStatus(status) }, status, h('kbd', null, key));
  const available = statusBtn('Available', 'A');
  const onBreak = statusBtn('On Break', 'B');
  const loggedOut = statusBtn('Logged Out', 'L');
  const reason = h('input', { type: 'text', id: 'break-reason', list: 'break-reasons', maxlength: '100', autocomplete: 'off' });
  const stateLine = h('p', { class: 'state-line', id: 'agent-state', role: 'status' }, '…');
  const countdown = h('span', { class: 'countdown', id: 'countdown' });
  const endWrap = h('button', { type: 'button', class: 'primary', hidden: true, 'aria-keyshortcuts': 'E', onclick: () => void endWrapUp() },
    'End wrap-up', h('kbd', null, 'E'));
  const progress = h('p', { class: 'call-progress', id: 'progress', role: 'status' });
  const timer = h('span', { class: 'timer', id: 'talk-timer' });
  const hangUp = h('button', { type: 'button', class: 'danger big', hidden: true, 'aria-keyshortcuts': 'H', onclick: () => void hangup() },
    'Hang up', h('kbd', null, 'H'));
  const card = h('div', { id: 'call-card' });
  // Its commands go over the link made below, only once the agent acts.
  const preview = previewPanel((type, data) => link.command(type, data));
  const resultBox = h('div', { id: 'result' }, h('p', { class: 'muted' }, 'Nothing to report yet.'));

  view.append(h('div', { class: 'desk' },
    h('div', { class: 'desk-top' }, title, h('div', { class: 'conn-box' }, conn, connWhy)),
    h('section', { class: 'card desk-status', 'aria-labelledby': 'status-h' },
      h('h2', { id: 'status-h' }, 'My status'),
      h('div', { class: 'status-row', role: 'group', 'aria-label': 'Status' }, available, onBreak, loggedOut,
        h('div', { class: 'field break-field' }, h('label', { for: reason.id }, 'Break reason'), reason,
          h('datalist', { id: 'break-reasons' }, ['Lunch', 'Coffee', 'Training', 'Meeting', 'Personal'].map((r) => h('option', { value: r }))))),
      h('div', { class: 'state-row' }, stateLine, countdown, endWrap)),
    h('div', { class: 'desk-grid' },
      h('section', { class: 'card desk-call', 'aria-labelledby': 'call-h' },
        h('h2', { id: 'call-h' }, 'Call'),
        h('div', { class: 'progress-row' }, progress, timer, hangUp),
        preview.el,
        card),
      h('section', { class: 'card desk-result', 'aria-labelledby': 'result-h' },
        h('h2', { id: 'result-h' }, 'Result'), resultBox)),
    h('section', { class: 'card desk-keys', 'aria-labelledby': 'keys-h' },
      h('h2', { id: 'keys-h', tabindex: '-1' }, 'Keyboard shortcuts'),
      h('p', { class: 'hint' }, 'Single keys, when the cursor is not in a text field. Press ? to come here.'),
      h('dl', { class: 'keys' }, KEYS.map(([k, what]) => h('div', null, h('dt', null, h('kbd', null, k)), h('dd', null, what)))))));

  const link = new AgentLink({
    snapshot: (state) => {
      s = { ...state, delay_until: s?.delay_until ?? null };
      render();
    },
    event: (e) => {
      if (!s) return;
      const before = s.call?.attempt.id;
      s = applyEvent(s, e, new Date().toISOString());
      render();
      if (e.type === 'reserved' && s.call?.attempt.id !== before) notice(`New call: ${s.call?.member.name ?? ''}`);
      if (e.type === 'result_accepted') notice('Result accepted');
    },
    status: (st: LinkStatus, why) => {
      conn.className = `conn ${st}`;
      conn.textContent = connText(st);
      connWhy.textContent = why ? `${why}; trying again` : '';
      for (const b of [available, onBreak, loggedOut]) b.disabled = st !== 'online';
    },
    ended: (why) => {
      navigate(loginPath('/agent'), true);
      notice(`Please log in again: ${why}`, 'error');
    },
  });

  function connText(st: LinkStatus): string {
    if (st === 'online') return 'Online';
    if (st === 'connecting') return 'Connecting…';
    if (st === 'reconnecting') return 'Reconnecting…';
    // W2: an agent whose calls need this page is not offered any while it is away; others still ring.
    return s?.agent.requires_client === false ? 'Offline — this page is not up to date' : 'Offline — no calls are offered';
  }

  async function setStatus(status: DeskView['agent']['status']): Promise<void> {
    const data: Record<string, string> = { status };
    if (status === 'On Break' && reason.value.trim()) data.reason = reason.value.trim();
    const r = await link.command('status', data);
    if (!r.ok) notice(`Status not changed: ${r.message}`, 'error');
  }
  async function endWrapUp(): Promise<void> {
    const r = await link.command('end_wrap_up');
    if (!r.ok) notice(`Wrap-up not ended: ${r.message}`, 'error');
  }
  async function hangup(): Promise<void> {
    const attempt = s?.call?.attempt.id;
    const r = await link.command('hangup');
    if (r.ok) hungUp = attempt;
    else notice(`Not hung up: ${r.message}`, 'error');
  }

  function render(): void {
    if (!s) return;
    const a = s.agent;
    title.textContent = a.name;
    for (const [b, st] of [[available, 'Available'], [onBreak, 'On Break'], [loggedOut, 'Logged Out']] as const) {
      b.setAttribute('aria-pressed', String(a.status === st));
    }
    const brk = a.status === 'On Break' && a.break_reason ? ` (${a.break_reason})` : '';
    const words = a.status !== 'Available' ? `${a.status}${brk} — no calls are offered`
      : a.state === 'Waiting' ? (s.delay_until ? 'Waiting — the next call comes after a short pause' : 'Waiting for a call')
      : a.state === 'Wrap up' ? (s.call?.attempt.result_status ? 'Wrap-up' : 'Wrap-up — send the result')
      : a.state === 'Reserved' && s.call?.attempt.state === 'previewing' ? 'Reserved — preview: accept or skip the member' : a.state;
    if (stateLine.textContent !== words) stateLine.textContent = words;
    const inWrap = a.state === 'Wrap up';
    endWrap.hidden = !(inWrap && s.call?.campaign.allow_end_wrap_up_early);
    renderCall(s.call);
    tick();
  }

  function renderCall(call: DeskCall | null): void {
    if (!call) {
      progress.textContent = 'No call yet. A call appears here as soon as you are chosen, before your phone rings.';
      hangUp.hidden = true;
      preview.update(null);
      return;
    }
    if (call.attempt.id !== shownAttempt) {
      shownAttempt = call.attempt.id;
      card.replaceChildren(callCard(call));
      // A new call: a new card and an empty result form; the same call keeps what was typed.
      result = resultForm(call, link);
      resultBox.replaceChildren(result.form);
    }
    const ph = phaseOf(call.attempt);
    let text: string = PHASE_TEXT[ph];
    if (ph === 'ended') {
      const cause = call.attempt.hangup_cause ?? call.attempt.agent_cause ?? '';
      const who = hungUp === call.attempt.id ? 'You hung up' : 'Subscriber hung up';
      text = call.attempt.answered_at ? `${who} · ${cause} · talked ${clock(call.attempt.talk_sec ?? 0)}`
        : cause === 'PREVIEW_SKIPPED' ? 'Skipped — nothing was dialled'
        : cause === 'PREVIEW_TIMEOUT' ? 'Preview time over — the member was returned, nothing was dialled'
        : `Call over · ${cause}`;
    }
    preview.update(call);
    // Nothing to report on a preview: there is no call yet.
    resultBox.hidden = ph === 'preview' || call.attempt.outcome === 'skipped';
    if (progress.textContent !== text) {
      progress.textContent = text;
      progress.className = `call-progress p-${ph}`;
    }
    hangUp.hidden = !(ph === 'connected' || ph === 'talking');
    result?.update(call);
  }

  /** Once a second: the talk timer and the wrap-up or pause countdown (outside the live regions). */
  function tick(): void {
    if (!s) return;
    const a = s.call?.attempt;
    const talking = a && phaseOf(a) === 'talking' && a.answered_at;
    timer.textContent = talking ? clock((Date.now() - Date.parse(a.answered_at!)) / 1000) : '';
    const until = s.agent.state === 'Wrap up' ? s.wrap_up_ends_at : s.agent.state === 'Waiting' ? s.delay_until : null;
    const left = until ? Math.max(0, (Date.parse(until) - Date.now()) / 1000) : undefined;
    countdown.textContent = left === undefined ? '' : `${clock(Math.ceil(left))} left`;
    preview.tick();
  }

  function onKey(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    const t = e.target as HTMLElement;
    const typing = t.matches('textarea, select, input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit])');
    if (typing) {
      if (e.key === 'Escape') {
        e.preventDefault();
        t.blur();
        (t.closest('form') ?? view.querySelector('h1'))?.focus();
      }
      return;
    }
    const act: Record<string, () => void> = {
      a: () => void setStatus('Available'),
      b: () => void setStatus('On Break'),
      l: () => void setStatus('Logged Out'),
      r: () => reason.focus(),
      h: () => !hangUp.hidden && void hangup(),
      e: () => !endWrap.hidden && void endWrapUp(),
      '?': () => document.getElementById('keys-h')?.focus(),
    };
    const fn = act[e.key.toLowerCase()];
    if (fn) {
      e.preventDefault();
      fn();
    } else if (preview.key(e.key.toLowerCase()) || (!resultBox.hidden && result?.key(e.key.toLowerCase()))) e.preventDefault();
  }

  document.addEventListener('keydown', onKey);
  const every = setInterval(tick, 1000);
  link.start();
  return () => {
    document.removeEventListener('keydown', onKey);
    clearInterval(every);
    link.stop();
  };
};
