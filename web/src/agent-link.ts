import { api, type ApiResult, type Issue } from './api.js';
import type { DeskEvent, DeskState } from './agent-desk-state.js';

/*
 * The agent page's end of the CTI socket, exactly as docs/agent-protocol.md says: a fresh
 * single-use ticket for every connection, the snapshot as the truth, events applied in `seq`
 * order, a gap (or a snapshot with a lower seq: the counter was reset) mended by asking for a
 * snapshot, and a reconnect with backoff whenever the connection closes.
 */

/** online: connected; reconnecting: down for less than the presence grace; offline: longer (no calls are offered). */
export type LinkStatus = 'connecting' | 'online' | 'reconnecting' | 'offline';

export interface LinkHandlers {
  snapshot(state: DeskState): void;
  event(e: DeskEvent): void;
  /** `why` says what went wrong while not online ('' when online). */
  status(s: LinkStatus, why: string): void;
  /** The login is over (close 4401, or the ticket refused with 401). */
  ended(reason: string): void;
}

/** The server's presence grace (DIALER_AGENT_CLIENT_GRACE_SEC): down longer, the agent is offline. */
const GRACE_MS = 10_000;
const BACKOFF_MS = [500, 1_000, 2_000, 4_000, 8_000];
const REPLY_TIMEOUT_MS = 30_000;

interface Pending {
  resolve(r: ApiResult<unknown>): void;
  timer: ReturnType<typeof setTimeout>;
}

export class AgentLink {
  private ws: WebSocket | undefined;
  private seq = -1;
  private tries = 0;
  private downSince: number | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private offlineTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** A snapshot was asked for to mend a gap: the events until it comes are not applied. */
  private mending = false;
  /** Why the server ended the login (its `end` message before the 4401 close). */
  private endReason: string | undefined;
  private nextId = 0;
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly on: LinkHandlers) {}

  start(): void {
    this.on.status('connecting', '');
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearTimeout(this.offlineTimer);
    this.ws?.close(1000);
    this.failPending('the page was left');
  }

  /** A command (W4); answered like the REST route: ok with its data, or the error naming the field. */
  command<T = unknown>(type: string, data?: unknown): Promise<ApiResult<T>> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      return Promise.resolve(failure(0, 'OFFLINE', 'not connected to the dialer; wait until the connection is back'));
    }
    const id = `c${++this.nextId}`;
    ws.send(JSON.stringify(data === undefined ? { v: 1, type, id } : { v: 1, type, id, data }));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(failure(0, 'TIMEOUT', 'the dialer did not answer'));
      }, REPLY_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as Pending['resolve'], timer });
    });
  }

  private async connect(): Promise<void> {
    const t = await api<{ ticket: string }>('POST', '/api/v2/agent/socket/ticket');
    if (this.stopped) return;
    if (!t.ok) {
      // A 401 has already sent the page to the login form (api.ts); anything else is retried.
      if (t.status === 401) return this.on.ended(t.message);
      return this.closed(`no ticket: ${t.message}`);
    }
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}/api/v2/agent/socket?ticket=${encodeURIComponent(t.data.ticket)}`);
    this.ws = ws;
    this.mending = false;
    ws.onmessage = (m) => this.receive(m.data);
    ws.onclose = (c) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.failPending('the connection closed before the answer');
      if (c.code === 4401) return this.on.ended(this.endReason ?? 'the login ended');
      this.closed(c.code === 1001 ? 'the server restarted' : 'the connection was lost');
    };
  }

  private receive(raw: unknown): void {
    let m: any;
    try {
      m = JSON.parse(String(raw));
    } catch {
      return;
    }
    if (m?.v !== 1) return;
    if (m.type === 'snapshot') {
      // The truth, whatever seq came before (a lower one: the server's counter was reset).
      this.seq = m.seq;
      this.mending = false;
      this.up();
      this.on.snapshot(m.state as DeskState);
    } else if (m.type === 'event') {
      if (m.seq <= this.seq || this.mending) return;
      if (m.seq !== this.seq + 1) {
        // Events were lost between the server processes: the snapshot mends the state.
        this.mending = true;
        void this.command('snapshot').then((r) => {
          if (!r.ok) this.mending = false;
        });
        return;
      }
      this.seq = m.seq;
      this.on.event(m.event as DeskEvent);
    } else if (m.type === 'reply') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      p.resolve(m.ok ? { ok: true, status: 200, data: m.data } : failure(m.status, m.error?.code ?? 'ERROR', m.error?.message ?? 'refused', m.error?.details));
    } else if (m.type === 'end') {
      this.endReason = m.reason;
    }
  }

  private up(): void {
    this.tries = 0;
    this.downSince = undefined;
    clearTimeout(this.offlineTimer);
    this.on.status('online', '');
  }

  private closed(why: string): void {
    if (this.stopped) return;
    this.downSince ??= Date.now();
    const delay = BACKOFF_MS[Math.min(this.tries++, BACKOFF_MS.length - 1)]!;
    // A little jitter: a server restart does not bring every agent back in the same millisecond.
    const wait = Math.round(delay * (0.8 + Math.random() * 0.4));
    const down = Date.now() - this.downSince;
    const state: LinkStatus = down >= GRACE_MS ? 'offline' : 'reconnecting';
    this.on.status(state, why);
    if (state === 'reconnecting') {
      clearTimeout(this.offlineTimer);
      this.offlineTimer = setTimeout(() => {
        if (this.downSince !== undefined) this.on.status('offline', why);
      }, GRACE_MS - down);
    }
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), wait);
  }

  private failPending(why: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve(failure(0, 'OFFLINE', why));
      this.pending.delete(id);
    }
  }
}

function failure(status: number, code: string, message: string, details: unknown = null): ApiResult<never> {
  const raw = Array.isArray((details as { issues?: unknown })?.issues) ? (details as { issues: Issue[] }).issues : [];
  // A command's fields are named `data.<field>`; the forms know them as the REST body's.
  const issues = raw.map((i) => ({ ...i, path: i.path.replace(/^data\.?/, 'body.') }));
  return { ok: false, status, code, message, issues, details };
}
