import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Queue } from 'bullmq';
import type { DependencyHealth } from '../../app/dependency-health.js';
import type { LiveFeed } from '../../app/engine/live-feed.js';
import { agentSocket, type AgentSocketOptions } from './agent-socket.js';
import type { ExtraRouter } from './app.js';
import type { UpgradeHandler } from './api-server.js';
import { liveRoutes } from './live-routes.js';
import { precompressed } from './precompressed.js';
import { queueDashboard } from './queue-dashboard.js';
import { TicketStore } from './web-ticket.js';
import { webSessionRoutes } from './web-session-routes.js';

/** `web/dist` of this checkout: `npm run build` (also run by `npm ci`) writes it. */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

// Paths the server answers itself; everything else a browser GETs is a page of the web client.
const NOT_PAGES = /^\/(api|admin|metrics|logout|assets)(\/|$)/;

/**
 * The operator web client: the built files of web/dist, and index.html for any other page
 * path (the client routes with the History API), so a reload of /campaigns/3 works.
 */
export function webRoutes(distDir: string = DEFAULT_WEB_DIST): ExtraRouter {
  return () => {
    const r = Router();
    if (!existsSync(distDir)) {
      r.get('/', (_req: Request, res: Response) => {
        res.status(503).type('text').send('The web client is not built: run `npm run build`.');
      });
      return r;
    }
    // Vite names assets by content hash: they never change under one name.
    r.use('/assets', precompressed(`${distDir}/assets`, { 'Cache-Control': 'public, max-age=31536000, immutable' }),
      express.static(`${distDir}/assets`, { immutable: true, maxAge: '365d' }));
    r.use(express.static(distDir, { index: false, maxAge: 0 }));
    r.get(/.*/, (req: Request, res: Response, next: NextFunction) => {
      if (NOT_PAGES.test(req.path) || !req.accepts('html')) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile('index.html', { root: distDir });
    });
    return r;
  };
}

export interface WebClientOptions {
  /** The process's live feed (its engine's changes and, relayed, the other processes'). */
  feed: LiveFeed | undefined;
  /** BullMQ queues shown at /admin/queues. */
  queues: readonly Queue[];
  distDir?: string;
  /** The dependencies as this process sees them, for the live board. */
  health?: DependencyHealth;
  /** W2–W4: the agents' CTI WebSocket (its tickets are the live boards'). */
  agentSocket?: Omit<AgentSocketOptions, 'tickets'>;
}

/**
 * Everything the web client needs from the server: its log-in and session cookie, the SSE
 * push, the queue dashboard and the static files (last: its page fallback must not hide a
 * route). close() before the API server's.
 */
export function webClient(o: WebClientOptions): { routers: ExtraRouter[]; upgrade: UpgradeHandler | undefined; close(): void } {
  const tickets = new TicketStore({ ttlMs: 30_000 });
  const live = liveRoutes({ feed: o.feed, tickets, ...(o.health ? { health: o.health } : {}),
    ...(o.agentSocket?.presence ? { presence: o.agentSocket.presence } : {}) });
  const socket = o.agentSocket ? agentSocket({ ...o.agentSocket, tickets }) : undefined;
  return {
    routers: [webSessionRoutes(), live, ...(socket ? [socket] : []), queueDashboard({ queues: o.queues }), webRoutes(o.distDir)],
    upgrade: socket?.upgrade,
    // Open event streams and sockets would hold the HTTP server's close() for ever.
    close: () => {
      live.closeAll();
      socket?.closeAll();
    },
  };
}
