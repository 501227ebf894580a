import { api } from '../api.js';
import { h, notice } from '../dom.js';
import { board } from '../live.js';
import type { Campaign } from '../types.js';

export interface RunStop {
  el: HTMLButtonElement;
  /** Shows the action the state allows, changing this same button (keyboard focus stays on it). */
  show(state: string): void;
}

/** Run or Stop, as the state allows (C10); one button for the life of the row, updated in place on pushes. */
export function runStopButton(id: number, name: string, state: string, after?: (c: Campaign) => void): RunStop {
  const el = h('button', { type: 'button' });
  let running = false;
  let stopping = false;
  const show = (s: string) => {
    running = s === 'running';
    stopping = s === 'stopping';
    const label = running ? 'Stop' : 'Run';
    if (el.textContent !== label) el.textContent = label;
    el.className = running ? 'danger' : 'primary';
    // aria-disabled, not disabled: a disabled button drops keyboard focus to the page.
    if (stopping) el.setAttribute('aria-disabled', 'true');
    else el.removeAttribute('aria-disabled');
    el.setAttribute('aria-label', `${label} campaign ${name}`);
  };
  el.addEventListener('click', async () => {
    if (stopping) return;
    const r = await api<Campaign>('POST', `/api/v2/dialer/${id}/${running ? 'stop' : 'run'}`);
    if (!r.ok) return notice(r.message, 'error');
    notice(`Campaign "${name}" is ${r.data.state}`);
    // The push confirms it too; this answer is already the truth for the button.
    const live = board.campaigns.get(id);
    if (live) live.state = r.data.state;
    show(r.data.state);
    after?.(r.data);
  });
  show(state);
  return { el, show };
}
