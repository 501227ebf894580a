import type { NextFunction, Request, Response } from 'express';
import type { AuthService } from '../../app/auth/auth-service.js';
import { ApiError } from './api-error.js';

/**
 * S1: every /api call but the OpenAPI document carries X-Key and
 * X-Access-Token. The principal goes to res.locals; roles are checked per route.
 */
export function authMiddleware(auth: AuthService, now: () => Date, publicPaths: ReadonlySet<string>) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (publicPaths.has(req.originalUrl.split('?')[0]!)) return next();
    const out = await auth.authenticate(req.get('x-key'), req.get('x-access-token'), now());
    if (out.kind === 'unauthorized') throw new ApiError(401, 'UNAUTHORIZED', out.reason);
    res.locals.principal = out.principal;
    req.log?.setBindings?.({ user: out.principal.username });
    next();
  };
}
