import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { STAFF } from '../../app/auth/roles.js';
import type { LiveFeed } from '../../app/engine/live-feed.js';
import type { AgentPresence } from '../../app/ports/agent-presence.js';
import type { DependencyHealth } from '../../app/dependency-health.js';
import { LiveBoards, type BoardViewer } from '../../app/live-boards.js';
import { ApiError } from './api-error.js';
import type { ExtraRouter } from './app.js';
import type { RouteContext } from './route-context.js';
import type { RouteRegistry } from './route-registry.js';
import type { TicketStore, HeldCredentials } from './web-ticket.js';

/*
 * The push endpoint of the live boards: Server-Sent Events at GET /api/v2/live.
 *
 * EventSource cannot send headers, so the client first asks POST /api/v2/live/ticket with its
 * X-Key / X-Access-Token and gets a random single-use ticket that stands for them for a few
 * seconds; GET /api/v2/live?ticket=… redeems it. The access token never travels in a URL.
 *
 * Events: `snapshot` (every agent and campaign, on connect, with `live`: whether changes of
 * every process reach this stream) then `update` (the agents and campaigns the process's live
 * feed named, coalesced over `coalesceMs`, read once for every stream: LiveBoards); a new
 * `snapshot` when `live` changes (the relay to the other processes was lost or is back); `end`
 * when the login expires or was logged out (the client then logs in again). Rows are read from
 * MySQL only when the feed says something changed, never on a timer. A comment line every
 * `heartbeatMs` keeps proxies from closing an idle stream.
 */

export const LIVE_PATH = '/api/v2/live';

export interface LiveRoutesOptions {
  /** The process's live feed; absent: only the connect snapshot is sent, marked not live. */
  feed: LiveFeed | undefined;
  tickets: TicketStore;
  /** @defaultValue 200 */
  coalesceMs?: number;
  /** The dependencies as this process sees them: in every snapshot, and pushed when they change. */
  health?: DependencyHealth;
  /** W2: who has a CTI client connected, shown on the agents board. */
  presence?: Pick<AgentPresence, 'present'>;
  /** @defaultValue 15_000 */
  heartbeatMs?: number;
}

const TicketAnswer = z.object({
  ticket: z.string(),
  expires_in_sec: z.number(),
});

/** The router, and a way to end every open stream (a server waits for open requests when closing). */
export type LiveRouter = ExtraRouter & { closeAll(): void };

export function liveRoutes(o: LiveRoutesOptions): LiveRouter {
  const open = new Set<Response>();
  // One per process, shared by every stream: the rows are read once for all viewers.
  let boards: LiveBoards | undefined;
  const build = (reg: RouteRegistry, ctx: RouteContext): Router => {
    const r = Router();
    const hub = (boards ??= new LiveBoards({
      feed: o.feed, reader: ctx.repos.liveBoard(o.presence && (() => o.presence!.present())), log: ctx.log.child({ component: 'live' }), now: ctx.now,
      ...(o.coalesceMs ? { coalesceMs: o.coalesceMs } : {}),
      ...(o.health ? { health: o.health } : {}),
    }));
    reg.add(r, {
      method: 'post', path: `${LIVE_PATH}/ticket`, tag: 'live', roles: STAFF,
      summary: 'A single-use ticket for GET /api/v2/live: EventSource cannot send headers',
      responses: { 200: { description: 'redeem within expires_in_sec', schema: TicketAnswer } },
    }, async ({ req, res }) => {
      const ticket = o.tickets.issue({ key: req.get('x-key')!, token: req.get('x-access-token')! });
      res.json({ ticket, expires_in_sec: Math.floor(o.tickets.ttlMs / 1000) });
    });

    reg.add(r, {
      method: 'get', path: LIVE_PATH, tag: 'live', roles: 'public',
      summary: 'Live agent and campaign boards as Server-Sent Events (authenticated by ?ticket=, see /ticket)',
      query: z.object({ ticket: z.string().max(200).optional() }),
      responses: {
        200: { description: 'text/event-stream: `snapshot` {server_now, agents, campaigns, live, health} then `update` {server_now, agents, campaigns, removed, health when it changed} events' },
        401: { description: 'no ticket, an unknown or used one, or its login has ended' },
      },
    }, async ({ query, req, res }) => {
      const creds = o.tickets.redeem(query.ticket);
      if (!creds) throw new ApiError(401, 'UNAUTHORIZED', 'a fresh ticket from POST /api/v2/live/ticket is required');
      const auth = await ctx.auth.authenticate(creds.key, creds.token, ctx.now());
      if (auth.kind === 'unauthorized') throw new ApiError(401, 'UNAUTHORIZED', auth.reason);
      if (!STAFF.includes(auth.principal.role)) throw new ApiError(403, 'FORBIDDEN', `role "${auth.principal.role}" may not watch the live boards`);
      open.add(res);
      res.on('close', () => open.delete(res));
      stream(req, res, hub, ctx, o, creds);
    });
    return r;
  };
  // The auth middleware lets this path through: the route checks its ticket itself.
  return Object.assign(build, {
    publicPaths: [LIVE_PATH],
    closeAll: () => {
      boards?.close();
      for (const res of open) res.end();
      open.clear();
    },
  });
}

function stream(req: Request, res: Response, boards: LiveBoards, ctx: RouteContext, o: LiveRoutesOptions, creds: HeldCredentials): void {
  const log = ctx.log.child({ component: 'live' });
  const heartbeatMs = o.heartbeatMs ?? 15_000;
  let closed = false;
  let first = true;
  // Messages go out in order, each after its login check.
  let queue = Promise.resolve();

  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
  res.flushHeaders();
  req.socket.setTimeout(0);
  // The stream outlives the server's request timeout by design.
  req.setTimeout(0);

  const write = (event: string, json: string): void => {
    if (!closed) res.write(`event: ${event}\ndata: ${json}\n\n`);
  };
  const viewer: BoardViewer = {
    send: (event, json) => {
      if (first) {
        // The first snapshot follows the login check of the connect itself.
        first = false;
        return write(event, json);
      }
      queue = queue.then(async () => {
        if (closed) return;
        // A logout ends the login's streams too; checked when there is news, not on a timer.
        const auth = await ctx.auth.authenticate(creds.key, creds.token, ctx.now()).catch((err: unknown) => {
          log.warn({ err }, 'live: login check failed');
          return null;
        });
        if (auth?.kind === 'unauthorized') return end(auth.reason);
        write(event, json);
      });
    },
    fail: (err) => {
      log.warn({ err }, 'live snapshot failed');
      close();
      res.end();
    },
  };
  const heartbeat = setInterval(() => {
    if (!closed) res.write(': heartbeat\n\n');
  }, heartbeatMs);
  // The token carries its expiry (verified above): the stream ends with the login.
  const expiresMs = Number(creds.token.split('.')[0]) - ctx.now().getTime();
  // (A login longer than setTimeout's range, ~24 days, is left to the check on news.)
  const expiry = expiresMs < 2 ** 31 ? setTimeout(() => end('access token has expired; log in again'), Math.max(0, expiresMs)) : undefined;
  const end = (reason: string): void => {
    write('end', JSON.stringify({ reason }));
    close();
    res.end();
  };
  let unwatch = (): void => undefined;
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    clearTimeout(expiry);
    unwatch();
  };
  res.on('close', close);
  res.write('retry: 3000\n\n');
  unwatch = boards.watch(viewer);
}
