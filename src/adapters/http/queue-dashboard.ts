import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { ADMIN_ONLY } from '../../app/auth/roles.js';
import type { ExtraRouter } from './app.js';
import type { RouteContext } from './route-context.js';
import type { RouteRegistry } from './route-registry.js';
import { sessionFromCookie } from './session-cookie.js';

/*
 * bull-board at /admin/queues, for admins only (issue: queue dashboard).
 *
 * A browser navigates there, so it cannot send X-Key/X-Access-Token: the dashboard reads the
 * web client's session cookie (session-cookie.ts: the login's key and signed token, HttpOnly,
 * SameSite=Strict) and checks it like the headers on every request, so a logout or an
 * expired login closes the dashboard too, and any API process can serve it.
 */

export const QUEUES_PATH = '/admin/queues';

export interface QueueDashboardOptions {
  queues: readonly Queue[];
}

export function queueDashboard(o: QueueDashboardOptions): ExtraRouter {
  return (_reg: RouteRegistry, ctx: RouteContext): Router => {
    const board = new ExpressAdapter();
    board.setBasePath(QUEUES_PATH);
    createBullBoard({
      queues: o.queues.map((q) => new BullMQAdapter(q)), serverAdapter: board,
      // The way back to the web client, whose menu opened the dashboard.
      options: { uiConfig: { boardTitle: 'Dialer wake-ups', miscLinks: [{ text: 'Back to the dialer', url: '/' }] } },
    });
    const r = Router();

    const guard = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      const creds = sessionFromCookie(req.headers.cookie);
      if (!creds) return refuse(res, 401, 'Log in to the web client first, then open Queues from its menu.');
      const auth = await ctx.auth.authenticate(creds.key, creds.token, ctx.now());
      if (auth.kind === 'unauthorized') return refuse(res, 401, auth.reason);
      if (!ADMIN_ONLY.includes(auth.principal.role)) return refuse(res, 403, 'The queue dashboard is for administrators.');
      next();
    };
    r.use(QUEUES_PATH, guard, board.getRouter() as Router);
    return r;
  };
}

function refuse(res: Response, status: number, why: string): void {
  const text = why.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  res.status(status).type('html').send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Queues: not allowed</title>`
    + `<body style="font-family:sans-serif;margin:2rem"><h1>Queue dashboard</h1><p>${text}</p><p><a href="/">Back to the web client</a></p></body></html>`);
}
