import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Principal } from '../../app/auth/auth-service.js';
import { ApiError } from './api-error.js';
import type { RegisteredRoute } from './route-registry.js';

/** S1: why this principal may not use the route (401/403), or undefined when it may. */
export function roleRefusal(spec: Pick<RegisteredRoute, 'method' | 'path' | 'roles'>, principal: Principal | undefined): ApiError | undefined {
  if (spec.roles === 'public') return undefined;
  if (!principal) return new ApiError(401, 'UNAUTHORIZED', 'X-Key and X-Access-Token headers are required');
  if (spec.roles.includes(principal.role)) return undefined;
  return new ApiError(403, 'FORBIDDEN', `role "${principal.role}" may not ${spec.method.toUpperCase()} ${spec.path}`, {
    allowed_roles: spec.roles,
  });
}

/**
 * S1, S2: the role check of every registered route, run before any body is read, so a role
 * that may not use a route gets 403 whatever it sent (a malformed or huge body included) and
 * the server parses nothing for it. Routes are matched in registration order, the order they
 * are served in: the first match decides, as it does for the route itself.
 */
export function roleGuard(routes: readonly RegisteredRoute[]): Router {
  const guard = Router();
  for (const spec of routes) {
    guard[spec.method](spec.path, (_req: Request, res: Response, next: NextFunction) => {
      const refusal = roleRefusal(spec, res.locals.principal as Principal | undefined);
      if (refusal) throw refusal;
      next('router');
    });
  }
  return guard;
}
