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
      // Read-only: no "Clean all", "Promote all", retry or delete. A wake-up promoted by a click
      // is harmless to the engine, but the dashboard is for looking, not for steering.
      queues: o.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })), serverAdapter: board,
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
      // The read-only board reads only; any change it might still route is refused here too.
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'The queue dashboard is read-only.');
      selfContained(res);
      next();
    };
    r.use(QUEUES_PATH, guard, board.getRouter() as Router);
    return r;
  };
}

/**
 * bull-board's page asks a font service on the internet for its web fonts: on a server
 * without internet every load waits on it, and it tells a third party who looks at the
 * dashboard. Its own CSS falls back to the system's fonts, so the link is left out.
 */
function selfContained(res: Response): void {
  const render = res.render.bind(res);
  res.render = ((view: string, options?: object) => {
    render(view, options ?? {}, (err: Error | null, html: string) => {
      if (err) return void res.status(500).type('text').send('The queue dashboard could not be shown.');
      res.type('html').send(withoutRemoteStylesheets(html));
    });
  }) as Response['render'];
}

function withoutRemoteStylesheets(html: string): string {
  return html.replace(/<link\b[^>]*\bhref="https?:\/\/[^"]*"[^>]*>/gi, '');
}

function refuse(res: Response, status: number, why: string): void {
  const text = why.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  res.status(status).type('html').send(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Queues: not allowed</title>`
    + `<body style="font-family:sans-serif;margin:2rem"><h1>Queue dashboard</h1><p>${text}</p><p><a href="/">Back to the web client</a></p></body></html>`);
}
