import express, { type Express, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { ApiError } from './api-error.js';
import { authMiddleware } from './auth-middleware.js';
import { bodyTimeout } from './body-timeout.js';
import { REDACTED, withoutTicket } from './log-redaction.js';
import { errorMiddleware } from './error-middleware.js';
import { CSV_IMPORT_URL, memberImportExtraRouter } from './member-import-route.js';
import { buildOpenApi } from './openapi.js';
import type { ApiDeps, RouteContext } from './route-context.js';
import { roleGuard } from './role-guard.js';
import { RouteRegistry } from './route-registry.js';
import { agentDeskRoutes } from './routes/agent-desk-routes.js';
import { agentRoutes } from './routes/agent-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { calendarRoutes } from './routes/calendar-routes.js';
import { campaignRoutes } from './routes/campaign-routes.js';
import { dncRoutes } from './routes/dnc-routes.js';
import { lineGroupRoutes } from './routes/line-group-routes.js';
import { memberBulkRoutes } from './routes/member-bulk-routes.js';
import { memberRoutes } from './routes/member-routes.js';
import { reportRoutes } from './routes/report-routes.js';
import { tierRoutes } from './routes/tier-routes.js';
import { userRoutes } from './routes/user-routes.js';

const OPENAPI_PATH = '/api/openapi.json';

/**
 * Extra routers mounted behind authentication (e.g. the CSV import); each checks its own roles.
 * `publicPaths` skip the X-Key/X-Access-Token check (the router authenticates them itself).
 */
export type ExtraRouter = ((reg: RouteRegistry, ctx: RouteContext) => Router) & { publicPaths?: readonly string[] };

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

/** The Express application of the REST API; no listening here (see api-server.ts). */
export function createApp(deps: ApiDeps, extra: readonly ExtraRouter[] = []): Express {
  const now = deps.now ?? (() => new Date());
  const ctx: RouteContext = {
    repos: deps.repos,
    auth: deps.auth,
    signals: deps.signals,
    applyResultStatus: deps.applyResultStatus,
    armWakeUps: deps.armWakeUps,
    now,
    log: deps.log,
    maxImportBytes: deps.maxImportBytes,
  };
  const reg = new RouteRegistry();
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.trustProxy ?? false);
  // Built first: their routes' roles go into `reg`, which the guard below reads.
  const routers = [authRoutes, userRoutes, calendarRoutes, lineGroupRoutes, campaignRoutes, tierRoutes, reportRoutes, agentRoutes,
    agentDeskRoutes, dncRoutes, memberImportExtraRouter, ...extra, memberBulkRoutes, memberRoutes].map((build) => build(reg, ctx));

  app.use(pinoHttp({
    logger: deps.log.child({ component: 'http' }),
    // S1: credentials never reach the log, neither as headers nor as a login body.
    redact: { paths: REDACTED, censor: '[Redacted]' },
    serializers: { req: withoutTicket },
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && given.length <= 128 ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  }));
  // S5: first, so a body that stops coming is cut off whoever sends it and whatever the route.
  app.use(bodyTimeout({ ...deps.bodyTimeouts, long: CSV_IMPORT_URL }));
  // S1, S2: who may call comes before any body is read, so a caller without credentials gets 401
  // and a role without rights 403 whatever body it sent, and neither makes the server parse one.
  app.use(['/api', '/logout'], authMiddleware(deps.auth, now, new Set([OPENAPI_PATH, ...extra.flatMap((e) => e.publicPaths ?? [])])));
  app.use(roleGuard(reg.routes));
  // S2: only JSON bodies are parsed here. The CSV import streams its own body whatever type the
  // client names (a CSV sent as application/json is still a CSV, and may be far above the JSON limit).
  app.use(express.json({
    limit: deps.maxJsonBytes,
    type: (req) => JSON_TYPE.test(req.headers['content-type'] ?? '') && !CSV_IMPORT_URL.test(req.url ?? ''),
  }));
  for (const router of routers) app.use(router);

  let doc: unknown;
  app.get(OPENAPI_PATH, (_req: Request, res: Response) => {
    doc ??= buildOpenApi(reg.routes, { title: 'fs-progressive-dialer', version: '0.1.0' });
    res.json(doc);
  });
  app.use((req: Request) => {
    throw new ApiError(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`);
  });
  app.use(errorMiddleware(deps.log));
  return app;
}
