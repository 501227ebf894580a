import { api } from './api.js';
import { currentSession } from './session.js';
import type { AgentBoardRow, CampaignBoardRow, LiveMessage } from './types.js';

/*
 * The live boards' data: one EventSource per tab on GET /api/v2/live, opened with a
 * single-use ticket (EventSource cannot send the auth headers; the token stays out of URLs).
 * When the stream breaks, a new ticket is fetched and the stream reopened after a pause.
 */

/** `stale`: connected, but the server says changes do not reach this stream as they happen (snapshot `live: false`). */
export type LiveStatus = 'connecting' | 'live' | 'stale' | 'offline';

export interface AgentLive extends AgentBoardRow {
  /** performance.now() when ready_in_ms was measured, for a local countdown. */
  receivedAt: number;
}

export const board = {
  agents: new Map<number, AgentLive>(),
  campaigns: new Map<number, CampaignBoardRow>(),
  /** The dependencies as the server's process sees them; null until told. */
  health: null as LiveMessage['health'],
  status: 'offline' as LiveStatus,
  updates: 0,
  /** The server's clock minus this browser's, from the last message: timers count from server times. */
  skewMs: 0,
};

/** Now on the server's clock, for "time since" figures of server timestamps. */
export function serverNow(): number {
  return Date.now() + board.skewMs;
}

const listeners = new Set<() => void>();
let source: EventSource | undefined;
let retryTimer: number | undefined;
let failures = 0;
let wanted = false;
/** The page is in the back/forward cache (see pagehide below). */
let hidden = false;

export function onBoard(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function changed(): void {
  for (const fn of listeners) fn();
}

function setStatus(s: LiveStatus): void {
  board.status = s;
  changed();
}

/**
 * A state or status as shown: while the feed is down the rows are only what was last heard,
 * so they say so (and lose their colour) instead of claiming "running" beside a grey dot.
 */
export function shownState(value: string): { text: string; cls: string } {
  const known = board.status === 'live' || board.status === 'stale';
  return known ? { text: value, cls: value.replace(/\s/g, '-').toLowerCase() } : { text: `${value} (last known)`, cls: 'unknown' };
}

/** ms until the agent's delays have passed, counted down locally from the server's figure. */
export function remainingMs(a: AgentLive): number {
  return Math.max(0, a.ready_in_ms - (performance.now() - a.receivedAt));
}

function apply(m: LiveMessage, full: boolean): void {
  const at = performance.now();
  const serverAt = Date.parse(m.server_now);
  if (Number.isFinite(serverAt)) board.skewMs = serverAt - Date.now();
  if (full) {
    board.agents.clear();
    board.campaigns.clear();
  }
  if (full || m.health !== undefined) board.health = m.health ?? null;
  for (const a of m.agents) board.agents.set(a.id, { ...a, receivedAt: at });
  for (const c of m.campaigns) board.campaigns.set(c.id, c);
  for (const id of m.removed?.agents ?? []) board.agents.delete(id);
  for (const id of m.removed?.campaigns ?? []) board.campaigns.delete(id);
  board.updates++;
  changed();
}

export function startLive(): void {
  wanted = true;
  if (!source && retryTimer === undefined) void open();
}

export function stopLive(): void {
  wanted = false;
  source?.close();
  source = undefined;
  if (retryTimer !== undefined) clearTimeout(retryTimer);
  retryTimer = undefined;
  setStatus('offline');
}

async function open(): Promise<void> {
  retryTimer = undefined;
  if (!wanted || !currentSession()) return;
  setStatus('connecting');
  const t = await api<{ ticket: string }>('POST', '/api/v2/live/ticket');
  if (!wanted || hidden) return;
  // 403: this role may not watch the boards; asking again would not change that.
  if (!t.ok) return t.status === 403 ? setStatus('offline') : again();
  const es = new EventSource(`/api/v2/live?ticket=${encodeURIComponent(t.data.ticket)}`);
  source = es;
  es.addEventListener('snapshot', (e) => {
    failures = 0;
    const m = JSON.parse((e as MessageEvent<string>).data) as LiveMessage;
    // The board must not claim to be live when the server says it is not.
    board.status = m.live === false ? 'stale' : 'live';
    apply(m, true);
  });
  es.addEventListener('update', (e) => apply(JSON.parse((e as MessageEvent<string>).data) as LiveMessage, false));
  // The login ended (expired or logged out elsewhere): asking for a new ticket gets the 401 that leads to the login page.
  es.addEventListener('end', () => {
    es.close();
    if (source === es) source = undefined;
    again();
  });
  es.onerror = () => {
    // The ticket was single use: EventSource's own reconnect would be refused, so start over.
    es.close();
    if (source === es) source = undefined;
    again();
  };
}

/*
 * A page left for another one may stay in the browser's back/forward cache with its stream
 * still open. Browsers open at most six connections to a server over HTTP/1.1, so a few such
 * pages left every later request of the client waiting: the stream closes when the page is
 * hidden and opens again if the page comes back.
 */
window.addEventListener('pagehide', () => {
  hidden = true;
  source?.close();
  source = undefined;
  if (retryTimer !== undefined) clearTimeout(retryTimer);
  retryTimer = undefined;
  // Shown so if the page comes back and cannot reconnect.
  setStatus('offline');
});
window.addEventListener('pageshow', (e) => {
  hidden = false;
  if (e.persisted && wanted && !source && retryTimer === undefined) void open();
});

function again(): void {
  setStatus('offline');
  if (!wanted) return;
  failures++;
  retryTimer = window.setTimeout(() => void open(), Math.min(30_000, 1000 * 2 ** Math.min(failures - 1, 5)));
}
