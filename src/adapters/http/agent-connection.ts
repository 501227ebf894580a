import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { AgentDesk, DeskOutcome } from '../../app/agent-desk/agent-desk.js';
import type { DeskEventHub } from '../../app/agent-desk/desk-event-hub.js';
import { COMMANDS, Envelope, PROTOCOL_VERSION, type CommandType } from '../../contract/agent-socket-schemas.js';
import type { NumberedDeskEvent } from '../../app/ports/desk-event-log.js';
import { ApiError } from './api-error.js';
import type { RouteContext } from './route-context.js';
import { fieldIssues, validationError } from './route-registry.js';
import { deskError } from './routes/agent-desk-routes.js';
import type { HeldCredentials } from './web-ticket.js';

/** Close codes of the protocol (docs/agent-protocol.md). */
export const CLOSE = { loginEnded: 4401, tooSlow: 4408, shutdown: 1001 } as const;

/** A client that reads this much less than it is sent is closed rather than buffered for. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Commands of one connection waiting for their reply at most (S5). */
const MAX_PENDING_COMMANDS = 32;

export interface AgentConnectionOptions {
  ws: WebSocket;
  agentId: number;
  creds: HeldCredentials;
  ctx: RouteContext;
  desk: AgentDesk;
  hub: DeskEventHub;
  log: Logger;
  /** A ping this often; a client that has not answered the last one is closed. */
  heartbeatMs: number;
  /** Each answered heartbeat: the client is still there (W2 presence). */
  onAlive?: () => void;
  onClose?: () => void;
}

/**
 * One CTI client of one agent (W2–W4): a snapshot first, then the agent's events in sequence
 * order, the client's commands answered by correlation id, and a server ping every heartbeat.
 */
export class AgentConnection {
  /** Events that came before the snapshot was sent; those it already covers are dropped. */
  #early: NumberedDeskEvent[] | null = [];
  #seq = 0;
  #alive = true;
  #closed = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #expiry: NodeJS.Timeout | undefined;
  #unwatch: () => void = () => undefined;

  /** Commands run one after the other, answered in the order sent. */
  #commands: Promise<void> = Promise.resolve();
  #pending = 0;

  /** Listens at once: a command sent right after the upgrade is not lost while start() waits. */
  constructor(private readonly o: AgentConnectionOptions) {
    const { ws } = o;
    ws.on('close', () => this.#cleanup());
    ws.on('error', (err) => o.log.debug({ err }, 'agent socket error'));
    ws.on('pong', () => {
      this.#alive = true;
      o.onAlive?.();
    });
    ws.on('message', (data, isBinary) => this.#enqueue(isBinary ? null : data.toString()));
  }

  /** The heartbeat, the login's expiry, then the snapshot and the events after it. */
  async start(): Promise<void> {
    if (this.#closed) return;
    const { ws } = this.o;
    this.#heartbeat = setInterval(() => {
      if (!this.#alive) {
        this.o.log.info({ agentId: this.o.agentId }, 'agent socket missed its heartbeat: closed');
        ws.terminate();
        return;
      }
      this.#alive = false;
      ws.ping();
    }, this.o.heartbeatMs);
    // The token carries its expiry: the connection ends with the login (as the live boards do).
    const expiresMs = Number(this.o.creds.token.split('.')[0]) - this.o.ctx.now().getTime();
    if (expiresMs < 2 ** 31) this.#expiry = setTimeout(() => this.#end('access token has expired; log in again'), Math.max(0, expiresMs));
    // Watching starts before the snapshot is read, so no event between the two is missed.
    this.#unwatch = this.o.hub.watch(this.o.agentId, (e) => this.#onEvent(e));
    await this.#sendSnapshot();
  }

  /** The server is stopping: the client connects again (to another process, or this one restarted). */
  shutdown(): void {
    this.o.ws.close(CLOSE.shutdown, 'server shutting down');
    this.#cleanup();
  }

  async #sendSnapshot(): Promise<void> {
    // Events while the snapshot is read wait for it; those it covers are then dropped.
    this.#early ??= [];
    const snap = await this.o.hub.snapshot(this.o.agentId);
    if (!snap) return this.#end(`agent ${this.o.agentId} no longer exists`);
    this.#seq = snap.seq;
    this.#send({ v: PROTOCOL_VERSION, type: 'snapshot', seq: snap.seq, state: snap.state });
    const early = this.#early ?? [];
    this.#early = null;
    for (const e of early) this.#onEvent(e);
  }

  #onEvent(e: NumberedDeskEvent): void {
    if (this.#early) {
      this.#early.push(e);
      return;
    }
    // Covered by the snapshot (or a repeat): the client has it.
    if (e.seq <= this.#seq) return;
    this.#seq = e.seq;
    this.#send({ v: PROTOCOL_VERSION, type: 'event', seq: e.seq, agent_id: e.agent_id, event: e.event });
  }

  #enqueue(text: string | null): void {
    // S5: a client cannot queue unbounded work; the excess is refused, the connection kept.
    if (this.#pending >= MAX_PENDING_COMMANDS) {
      this.#send({ v: PROTOCOL_VERSION, type: 'reply', id: idOf(text), ok: false, status: 429,
        error: { code: 'TOO_MANY_REQUESTS', message: `more than ${MAX_PENDING_COMMANDS} commands waiting for their reply`, details: null } });
      return;
    }
    this.#pending++;
    this.#commands = this.#commands.then(() => this.#onMessage(text)).finally(() => { this.#pending--; });
  }

  async #onMessage(text: string | null): Promise<void> {
    let id: string | null = null;
    try {
      if (text === null) throw new ApiError(400, 'BAD_JSON', 'messages are JSON text frames, not binary');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new ApiError(400, 'BAD_JSON', 'message is not valid JSON');
      }
      const env = Envelope.safeParse(json);
      id = idOf(json);
      if (!env.success) throw validationError(fieldIssues('message', env.error).map((i) => ({ ...i, path: i.path.replace(/^message\./, '') })));
      if (!Object.hasOwn(COMMANDS, env.data.type)) {
        throw new ApiError(400, 'VALIDATION_FAILED', `type: unknown command "${env.data.type}"; one of ${Object.keys(COMMANDS).join(', ')}`,
          { issues: [{ path: 'type', message: 'unknown command' }] });
      }
      const type = env.data.type as CommandType;
      const data = COMMANDS[type].safeParse(env.data.data);
      if (!data.success) throw validationError(fieldIssues('data', data.error));
      // A logout ends the login's connections too; checked with each command, as REST would.
      const auth = await this.o.ctx.auth.authenticate(this.o.creds.key, this.o.creds.token, this.o.ctx.now());
      if (auth.kind === 'unauthorized') return this.#end(auth.reason);
      const value = await this.#run(type, data.data);
      this.#send({ v: PROTOCOL_VERSION, type: 'reply', id, ok: true, data: value ?? null });
      // Its events at once, whether or not this process's feed hears of the change.
      if (type !== 'snapshot') void this.o.hub.sync(this.o.agentId);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(500, 'INTERNAL', 'internal error');
      if (e.status >= 500) this.o.log.error({ err, agentId: this.o.agentId }, 'agent socket command failed');
      this.#send({ v: PROTOCOL_VERSION, type: 'reply', id, ok: false, status: e.status, error: { code: e.code, message: e.message, details: e.details } });
    }
  }

  async #run(type: CommandType, data: unknown): Promise<unknown> {
    const { desk, agentId } = this.o;
    switch (type) {
      case 'status': {
        const b = data as { status: 'Available' | 'On Break' | 'Logged Out'; reason?: string };
        return ok(await desk.setStatus(agentId, b.status, b.reason ?? null));
      }
      case 'result':
        return ok(await desk.postResult(agentId, data as Parameters<AgentDesk['postResult']>[1]));
      case 'hangup':
        return ok(await desk.hangUp(agentId));
      case 'end_wrap_up':
        return ok(await desk.endWrapUp(agentId));
      case 'preview_accept':
        return ok(await desk.acceptPreview(agentId));
      case 'preview_skip':
        return ok(await desk.skipPreview(agentId, (data as { reason: string }).reason));
      case 'snapshot':
        await this.#sendSnapshot();
        return null;
      default: {
        const never: never = type;
        return never;
      }
    }
  }

  #send(m: object): void {
    const { ws } = this.o;
    if (this.#closed || ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.o.log.warn({ agentId: this.o.agentId }, 'agent socket reads too slowly: closed');
      ws.close(CLOSE.tooSlow, 'client reads too slowly');
      this.#cleanup();
      return;
    }
    ws.send(JSON.stringify(m));
  }

  #end(reason: string): void {
    this.#send({ v: PROTOCOL_VERSION, type: 'end', reason });
    this.o.ws.close(CLOSE.loginEnded, reason.slice(0, 120));
    this.#cleanup();
  }

  #cleanup(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    clearTimeout(this.#expiry);
    this.#unwatch();
    this.o.onClose?.();
  }
}

/** The client's correlation id, when the message has a usable one. */
function idOf(message: unknown): string | null {
  let m = message;
  if (typeof m === 'string') {
    try {
      m = JSON.parse(m);
    } catch {
      return null;
    }
  }
  const id = (m as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length <= 128 ? id : null;
}

function ok<T>(out: DeskOutcome<T>): T {
  if (out.kind === 'ok') return out.value;
  throw deskError(out);
}
