import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Router } from 'express';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import type { AgentDesk } from '../../app/agent-desk/agent-desk.js';
import type { DeskEventHub } from '../../app/agent-desk/desk-event-hub.js';
import type { Principal } from '../../app/auth/auth-service.js';
import { AGENT_ONLY, STAFF } from '../../app/auth/roles.js';
import type { AgentPresence } from '../../app/ports/agent-presence.js';
import { AgentConnection } from './agent-connection.js';
import type { ExtraRouter } from './app.js';
import type { RouteContext } from './route-context.js';
import type { RouteRegistry } from './route-registry.js';
import { agentDeskOf, ownAgent } from './routes/agent-desk-routes.js';
import type { TicketStore } from './web-ticket.js';

/*
 * W2–W4: the CTI WebSocket of an agent, GET /api/v2/agent/socket (docs/agent-protocol.md).
 *
 * Authenticated like the live boards: a browser's WebSocket cannot send headers, so the client
 * first asks POST /api/v2/agent/socket/ticket with its X-Key / X-Access-Token and connects with
 * ?ticket=…, a random single-use handle valid for a few seconds; the access token never travels
 * in a URL. A user of role agent connects as its own agent only (W1); a supervisor (admin,
 * operator) may watch and act for an agent it names with &agent_id=, which does not make the
 * agent present (W2).
 */

export const AGENT_SOCKET_PATH = '/api/v2/agent/socket';

export interface AgentSocketOptions {
  tickets: TicketStore;
  hub: DeskEventHub;
  /** Server ping period, ms; a client that misses one is closed. @defaultValue 5000 */
  heartbeatMs?: number;
  /** W2: where the connections are kept for every process to see; absent: no presence is kept. */
  presence?: AgentPresence;
}

const TicketAnswer = z.object({ ticket: z.string(), expires_in_sec: z.number() });

/** The ticket route, the upgrade handler for the HTTP server, and a way to close every connection. */
export type AgentSocket = ExtraRouter & {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  closeAll(): void;
};

export function agentSocket(o: AgentSocketOptions): AgentSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const open = new Set<AgentConnection>();
  let ctx: RouteContext | undefined;
  let desk: AgentDesk | undefined;

  const build = (reg: RouteRegistry, c: RouteContext): Router => {
    ctx = c;
    desk = agentDeskOf(c);
    const r = Router();
    reg.add(r, {
      method: 'post', path: `${AGENT_SOCKET_PATH}/ticket`, tag: 'agent desk', roles: [...AGENT_ONLY, ...STAFF],
      summary: 'A single-use ticket for the CTI WebSocket GET /api/v2/agent/socket (W2)',
      responses: { 200: { description: 'connect with ?ticket= within expires_in_sec', schema: TicketAnswer } },
    }, async ({ req, res }) => {
      const ticket = o.tickets.issue({ key: req.get('x-key')!, token: req.get('x-access-token')! });
      res.json({ ticket, expires_in_sec: Math.floor(o.tickets.ttlMs / 1000) });
    });
    reg.add(r, {
      method: 'get', path: AGENT_SOCKET_PATH, tag: 'agent desk', roles: 'public',
      summary: 'The CTI WebSocket (W2–W4): upgrade with ?ticket= (see /ticket); a supervisor adds &agent_id=; messages in docs/agent-protocol.md',
      query: z.object({ ticket: z.string().max(200).optional(), agent_id: z.string().max(20).optional() }),
      responses: {
        101: { description: 'switched to the WebSocket protocol' },
        400: { description: 'a supervisor without a valid agent_id' },
        401: { description: 'no ticket, an unknown or used one, or its login has ended' },
        403: { description: 'a role other than agent, admin or operator; an agent user naming an agent_id' },
        404: { description: 'no such agent' },
        426: { description: 'a plain GET without the WebSocket upgrade' },
      },
    }, async ({ res }) => {
      res.status(426).setHeader('Upgrade', 'websocket');
      res.json({ error: { code: 'VALIDATION_FAILED', message: 'this path speaks WebSocket: connect with an Upgrade: websocket request', details: null } });
    });
    return r;
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== AGENT_SOCKET_PATH || !ctx || !desk) return refuse(socket, 404, 'no WebSocket at this path');
    const c = ctx;
    const d = desk;
    void (async () => {
      const creds = o.tickets.redeem(url.searchParams.get('ticket') ?? undefined);
      if (!creds) return refuse(socket, 401, 'a fresh ticket from POST /api/v2/agent/socket/ticket is required');
      const auth = await c.auth.authenticate(creds.key, creds.token, c.now());
      if (auth.kind === 'unauthorized') return refuse(socket, 401, auth.reason);
      const who = await whichAgent(c, auth.principal, url.searchParams.get('agent_id'));
      if (typeof who !== 'number') return refuse(socket, who.status, who.message);
      const agentId = who;
      // W2: only the agent's own clients make it present; a supervisor watching does not.
      const presence = auth.principal.role === 'agent' ? o.presence : undefined;
      wss.handleUpgrade(req, socket, head, (ws) => {
        // Unique across the deployment's processes: presence keeps every connection in one set.
        const connectionId = randomUUID();
        const log = c.log.child({ component: 'agent-socket' });
        const alive = (): Promise<void> => presence?.alive(agentId, connectionId)
          .catch((err: unknown) => log.warn({ err, agentId }, 'presence not kept')) ?? Promise.resolve();
        const conn: AgentConnection = new AgentConnection({
          ws, agentId, creds, ctx: c, desk: d, hub: o.hub, log, heartbeatMs: o.heartbeatMs ?? 5_000,
          onAlive: () => void alive(),
          onClose: () => {
            open.delete(conn);
            if (!presence) return;
            void presence.gone(agentId, connectionId).catch((err: unknown) => log.warn({ err, agentId }, 'presence not kept'));
            // W2: the boards show the agent offline once the grace is over (nothing else tells them).
            setTimeout(() => c.signals.agentChanged(agentId), presence.graceMs + 1_000).unref();
          },
        });
        open.add(conn);
        void (async () => {
          // W2: present before the engines hear of it, so the dispatch pass it starts offers the agent a call.
          if (presence) {
            await alive();
            c.signals.agentChanged(agentId);
          }
          await conn.start();
        })().catch((err: unknown) => {
          log.warn({ err, agentId }, 'agent socket: no snapshot; closing');
          ws.close(1011, 'snapshot failed; connect again');
        });
      });
    })().catch((err: unknown) => {
      c.log.error({ err }, 'agent socket upgrade failed');
      refuse(socket, 500, 'internal error');
    });
  };

  return Object.assign(build, {
    publicPaths: [AGENT_SOCKET_PATH],
    upgrade,
    closeAll: () => {
      for (const conn of [...open]) conn.shutdown();
      open.clear();
      wss.close();
    },
  });
}

/**
 * W1: whose events a connection gets and for whom its commands act. A user of role agent: its own
 * agent, never one it names. A supervisor (admin, operator): the agent it names, as its REST
 * routes under /api/v2/agents/:id do.
 */
async function whichAgent(c: RouteContext, p: Principal, asked: string | null): Promise<number | { status: number; message: string }> {
  if (p.role === 'agent') {
    if (asked !== null) return { status: 403, message: 'agent_id: a user of role agent connects as its own agent only' };
    const own = await ownAgent(c, p).catch(() => null);
    return own ?? { status: 403, message: `user "${p.username}" is not linked to an agent` };
  }
  if (!STAFF.includes(p.role)) return { status: 403, message: `role "${p.role}" has no agent socket` };
  // S5: ids are strict, as in paths.
  if (asked === null || !/^[1-9][0-9]{0,9}$/.test(asked)) return { status: 400, message: 'agent_id: a supervisor names the agent to watch, ?agent_id=<id>' };
  const id = Number(asked);
  return (await c.repos.agents.get(id)) ? id : { status: 404, message: `agent ${id} not found` };
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

/** An upgrade refused before it is one: a plain HTTP answer with the API's error body. */
function refuse(socket: Duplex, status: number, message: string): void {
  const code = { 400: 'VALIDATION_FAILED', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' }[status] ?? 'INTERNAL';
  const body = JSON.stringify({ error: { code, message, details: null } });
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n`
    + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
