import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { ADMIN_ONLY } from '../../app/auth/roles.js';
import type { ExtraRouter } from './app.js';
import type { RouteContext } from './route-context.js';
import type { RouteRegistry } from './route-registry.js';
import type { HandleStore } from './web-ticket.js';

/*
 * bull-board at /admin/queues, for admins only (issue: queue dashboard).
 *
 * A browser navigates there, so it cannot send X-Key/X-Access-Token. The web client asks
 * POST /api/v2/live/ticket and opens /admin/queues/login?ticket=…; that redeems the
 * single-use ticket and sets an HttpOnly, SameSite=Strict cookie holding a random session
 * handle (never the token), scoped to /admin/queues. Every dashboard request checks the
 * handle's key and token again, so a logout or an expired login closes the dashboard too.
 */

export const QUEUES_PATH = '/admin/queues';
const COOKIE = 'dialer_queues';

export interface QueueDashboardOptions {
  queues: readonly Queue[];
  /** Tickets issued by POST /api/v2/live/ticket. */
  tickets: HandleStore;
  /** Cookie sessions (not single use). */
  sessions: HandleStore;
}

export function queueDashboard(o: QueueDashboardOptions): ExtraRouter {
  return (_reg: RouteRegistry, ctx: RouteContext): Router => {
    const board = new ExpressAdapter();
    board.setBasePath(QUEUES_PATH);
    createBullBoard({ queues: o.queues.map((q) => new BullMQAdapter(q)), serverAdapter: board });
    const r = Router();

    r.get(`${QUEUES_PATH}/login`, async (req: Request, res: Response) => {
      const ticket = typeof req.query.ticket === 'string' ? req.query.ticket : undefined;
      const creds = o.tickets.redeem(ticket);
      if (!creds) return refuse(res, 401, 'This link has expired or was already used.');
      const auth = await ctx.auth.authenticate(creds.key, creds.token, ctx.now());
      if (auth.kind === 'unauthorized') return refuse(res, 401, auth.reason);
      if (!ADMIN_ONLY.includes(auth.principal.role)) return refuse(res, 403, 'The queue dashboard is for administrators.');
      const session = o.sessions.issue(creds);
      const secure = req.secure ? '; Secure' : '';
      res.setHeader('Set-Cookie',
        `${COOKIE}=${session}; Path=${QUEUES_PATH}; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(o.sessions.ttlMs / 1000)}${secure}`);
      res.redirect(303, QUEUES_PATH);
    });

    const guard = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      const creds = o.sessions.redeem(cookieValue(req.headers.cookie, COOKIE));
      if (!creds) return refuse(res, 401, 'Open the queue dashboard from the web client (menu: Queues).');
      const auth = await ctx.auth.authenticate(creds.key, creds.token, ctx.now());
      if (auth.kind === 'unauthorized') return refuse(res, 401, auth.reason);
      if (!ADMIN_ONLY.includes(auth.principal.role)) return refuse(res, 403, 'The queue dashboard is for administrators.');
      next();
    };
    r.use(QUEUES_PATH, guard, board.getRouter() as Router);
    return r;
  };
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function refuse(res: Response, status: number, why: string): void {
  const text = why.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  res.status(status).type('html').send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Queues: not allowed</title>`
    + `<body style="font-family:sans-serif;margin:2rem"><h1>Queue dashboard</h1><p>${text}</p><p><a href="/">Back to the web client</a></p></body></html>`);
}
