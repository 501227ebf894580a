/*
 * The outbound socket server (`socket <DIALER_OUTBOUND_LISTEN> async full`, DESIGN §2): every
 * connection is one channel. A channel carrying `dialer_attempt_id` is an answered agent leg
 * (agent-call.ts); one without it dialling a service number is an agent's phone (A5,
 * service-codes.ts); anything else is hung up.
 *
 * Why a plain net.Server and not esl's FreeSwitchServer: in 11.2.1 it sends `filter` and
 * `event json ALL` instead of `myevents`, never `linger`, calls `exit` 4 s after the linger
 * notice by itself and emits its own errors; each connection here gets esl's protocol object
 * (EslSocket) and our own handshake and deadlines (socket-session.ts).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { runAgentCall } from './agent-call.js';
import { runServiceCode } from './service-codes.js';
import type { SessionContext } from './session-context.js';
import { SocketSession } from './socket-session.js';

export class OutboundServer {
  #server: Server | null = null;
  readonly #sessions = new Set<SocketSession>();
  readonly #running = new Set<Promise<void>>();
  #closing: Promise<void> | null = null;

  constructor(private readonly ctx: SessionContext) {}

  /** Listens on `host:port`; resolves with the bound port (0 picks a free one). */
  async start(listen: string): Promise<{ host: string; port: number }> {
    const [host, port] = splitHostPort(listen);
    const server = createServer((socket) => this.#accept(socket));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.ctx.log.error({ err }, 'outbound socket server error'));
    const addr = server.address();
    return { host, port: typeof addr === 'object' && addr ? addr.port : port };
  }

  /** Stops accepting, closes live sessions (FreeSWITCH hangs their channels up) and waits for them. */
  close(): Promise<void> {
    return (this.#closing ??= this.#shutdown());
  }

  async #shutdown(): Promise<void> {
    const server = this.#server;
    // server.close() calls back only once every connection has ended, so the sessions are
    // closed first rather than awaited behind it (a long call would hold the close forever).
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const s of this.#sessions) s.close();
    await Promise.allSettled([...this.#running, closed]);
  }

  #accept(socket: Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    socket.on('error', (err) => this.ctx.log.debug({ err }, 'outbound socket error'));
    const session = new SocketSession(socket, this.ctx.log, this.ctx.timeouts.commandMs);
    this.#sessions.add(session);
    const run = this.#run(session, socket.remoteAddress ?? null)
      .catch((err) => this.ctx.log.error({ err }, 'outbound socket session failed'))
      .finally(() => {
        this.#sessions.delete(session);
        session.close();
        this.#running.delete(run);
      });
    this.#running.add(run);
  }

  async #run(session: SocketSession, remote: string | null): Promise<void> {
    const data = await session.handshake();
    if (!data) return;
    const log = this.ctx.log.child({ uuid: data.uuid });
    if (data.attemptId !== null) {
      const node = this.ctx.originator.nodeOfPending(data.uuid) ?? this.ctx.legs.get(data.uuid)?.node ?? this.ctx.nodeOf(data.coreUuid, null, remote);
      await runAgentCall(this.ctx, session, data, data.attemptId, node);
      return;
    }
    const code = data.destinationNumber ? this.ctx.serviceCodes[data.destinationNumber] : undefined;
    if (code) {
      await runServiceCode(this.ctx, session, data, code, remote);
      return;
    }
    // Not ours: no attempt id and no service number (e.g. a stale leg of a previous process).
    const cause = data.destinationNumber?.startsWith('*') ? 'UNALLOCATED_NUMBER' : 'NO_ROUTE_DESTINATION';
    log.warn({ destination: data.destinationNumber, cause }, 'outbound socket for an unknown channel');
    await session.hangupChannel(cause);
    await session.waitHangup(this.ctx.timeouts.hangupMs);
  }
}

export function splitHostPort(s: string): [string, number] {
  const i = s.lastIndexOf(':');
  return [s.slice(0, i), Number(s.slice(i + 1))];
}
