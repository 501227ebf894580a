import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { STAFF } from '../../app/auth/roles.js';
import type { LiveFeed } from '../../app/engine/live-feed.js';
import { LiveBoardStore } from '../mysql/live-board-store.js';
import { ApiError } from './api-error.js';
import type { ExtraRouter } from './app.js';
import type { RouteContext } from './route-context.js';
import type { RouteRegistry } from './route-registry.js';
import type { HandleStore, HeldCredentials } from './web-ticket.js';

/*
 * The push endpoint of the live boards: Server-Sent Events at GET /api/v2/live.
 *
 * EventSource cannot send headers, so the client first asks POST /api/v2/live/ticket with its
 * X-Key / X-Access-Token and gets a random single-use ticket that stands for them for a few
 * seconds; GET /api/v2/live?ticket=… redeems it. The access token never travels in a URL.
 *
 * Events: `snapshot` (every agent and campaign, on connect) then `update` (the agents and
 * campaigns the engine's live feed named, coalesced over `coalesceMs`); `end` when the login
 * expires or was logged out (the client then logs in again). Rows are read from
 * MySQL only when the feed says something changed, never on a timer. A comment line every
 * `heartbeatMs` keeps proxies from closing an idle stream.
 */

export const LIVE_PATH = '/api/v2/live';

export interface LiveRoutesOptions {
  /** The engine's feed; absent in a process without the engine (then only the connect snapshot is sent). */
  feed: LiveFeed | undefined;
  tickets: HandleStore;
  /** @defaultValue 200 */
  coalesceMs?: number;
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
  const build = (reg: RouteRegistry, ctx: RouteContext): Router => {
    const r = Router();
    const store = new LiveBoardStore(ctx.db);
    reg.add(r, {
      method: 'post', path: `${LIVE_PATH}/ticket`, tag: 'live', roles: STAFF,
      summary: 'A single-use ticket for GET /api/v2/live (and /admin/queues/login): EventSource cannot send headers',
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
        200: { description: 'text/event-stream: `snapshot` then `update` events, each {server_now, agents, campaigns}' },
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
      await stream(req, res, store, ctx, o, creds);
    });
    return r;
  };
  // The auth middleware lets this path through: the route checks its ticket itself.
  return Object.assign(build, {
    publicPaths: [LIVE_PATH],
    closeAll: () => {
      for (const res of open) res.end();
      open.clear();
    },
  });
}

async function stream(req: Request, res: Response, store: LiveBoardStore, ctx: RouteContext, o: LiveRoutesOptions,
  creds: HeldCredentials): Promise<void> {
  const log = ctx.log.child({ component: 'live' });
  const coalesceMs = o.coalesceMs ?? 200;
  const heartbeatMs = o.heartbeatMs ?? 15_000;
  const agents = new Set<number>();
  const campaigns = new Set<number>();
  let flushTimer: NodeJS.Timeout | undefined;
  let flushing = false;
  let closed = false;

  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
  res.flushHeaders();
  req.socket.setTimeout(0);
  // The stream outlives the server's request timeout by design.
  req.setTimeout(0);

  const send = (event: string, data: unknown): void => {
    if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const onAgent = (id: number) => {
    agents.add(id);
    arm();
  };
  const onCampaign = (id: number) => {
    campaigns.add(id);
    arm();
  };
  const arm = (): void => {
    if (!flushTimer && !flushing && !closed) flushTimer = setTimeout(() => void flush(), coalesceMs);
  };
  const flush = async (): Promise<void> => {
    flushTimer = undefined;
    if (closed || (agents.size === 0 && campaigns.size === 0)) return;
    const a = [...agents];
    const c = [...campaigns];
    agents.clear();
    campaigns.clear();
    flushing = true;
    let failed = false;
    try {
      const now = ctx.now();
      // A logout ends the login's streams too; checked when there is news, not on a timer.
      const auth = await ctx.auth.authenticate(creds.key, creds.token, now);
      if (auth.kind === 'unauthorized') return end(auth.reason);
      const [ar, cr] = await Promise.all([store.agents(now, a), store.campaigns(c)]);
      // Ids asked for but not found were deleted: the board drops them.
      send('update', {
        server_now: now.toISOString(), agents: ar, campaigns: cr,
        removed: { agents: a.filter((id) => !ar.some((x) => x.id === id)), campaigns: c.filter((id) => !cr.some((x) => x.id === id)) },
      });
    } catch (err) {
      log.warn({ err }, 'live board read failed');
      // Keep the news; try again a little later rather than hammering a struggling database.
      failed = true;
      a.forEach((id) => agents.add(id));
      c.forEach((id) => campaigns.add(id));
    } finally {
      flushing = false;
      // Events that came while reading go out in the next batch.
      if (!closed && !flushTimer && (agents.size || campaigns.size)) {
        flushTimer = setTimeout(() => void flush(), failed ? 2_000 : coalesceMs);
      }
    }
  };
  const heartbeat = setInterval(() => {
    if (!closed) res.write(': heartbeat\n\n');
  }, heartbeatMs);
  // The token carries its expiry (verified above): the stream ends with the login.
  const expiresMs = Number(creds.token.split('.')[0]) - ctx.now().getTime();
  // (A login longer than setTimeout's range, ~24 days, is left to the check on news.)
  const expiry = expiresMs < 2 ** 31 ? setTimeout(() => end('access token has expired; log in again'), Math.max(0, expiresMs)) : undefined;
  const end = (reason: string): void => {
    send('end', { reason });
    close();
    res.end();
  };
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    clearTimeout(expiry);
    if (flushTimer) clearTimeout(flushTimer);
    o.feed?.off('agent', onAgent);
    o.feed?.off('campaign', onCampaign);
  };
  res.on('close', close);

  // Subscribe before the snapshot read, so nothing that changes meanwhile is missed.
  o.feed?.on('agent', onAgent);
  o.feed?.on('campaign', onCampaign);
  res.write('retry: 3000\n\n');
  try {
    const now = ctx.now();
    const [ar, cr] = await Promise.all([store.agents(now), store.campaigns()]);
    send('snapshot', { server_now: now.toISOString(), agents: ar, campaigns: cr, live: o.feed !== undefined });
  } catch (err) {
    log.warn({ err }, 'live snapshot failed');
    close();
    res.end();
  }
}
