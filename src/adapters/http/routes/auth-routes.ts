import { Router, type Request, type Response } from 'express';
import type { LoginOutcome } from '../../../app/auth/auth-service.js';
import { ANY_ROLE } from '../../../app/auth/roles.js';
import { LoginAnswer, LoginBody } from '../../../contract/user-schemas.js';
import { ApiError } from '../api-error.js';
import type { RouteContext } from '../route-context.js';
import type { RouteRegistry } from '../route-registry.js';

/** S1: POST /login gives a key and a token bound to it; POST /logout revokes the key. */
export function authRoutes(reg: RouteRegistry, ctx: RouteContext): Router {
  const r = Router();
  reg.add(r, {
    method: 'post', path: '/login', tag: 'auth', summary: 'Log in: a key and its access token', roles: 'public',
    body: LoginBody,
    responses: { 200: { description: 'logged in', schema: LoginAnswer }, ...LOGIN_REFUSALS },
  }, async ({ body, req, res }) => {
    const out = await ctx.auth.login(body.username, body.password, clientAddress(req), ctx.now());
    if (out.kind !== 'ok') throw loginRefused(out, res);
    res.json({ key: out.key, token: out.token, expires: out.expires, role: out.role });
  });
  reg.add(r, {
    method: 'post', path: '/logout', tag: 'auth', summary: 'Revoke the key of this login', roles: ANY_ROLE,
    responses: { 204: { description: 'revoked' } },
  }, async ({ principal, res }) => {
    await ctx.auth.logout(principal!.key, ctx.now());
    res.status(204).end();
  });
  return r;
}

/** The answers of a login that did not succeed (both log-in routes). */
export const LOGIN_REFUSALS = {
  401: { description: 'wrong username or password' },
  429: { description: 'too many failed logins for this user or from this address (S5); Retry-After says when to try again' },
  503: { description: 'too many logins being checked at once (S5); Retry-After says when to try again' },
};

/** The client's address as the failed-login limits count it (behind a proxy: DIALER_HTTP_TRUST_PROXY). */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** S1, S5: a login that did not succeed, as the error to answer (429 and 503 with Retry-After). */
export function loginRefused(out: Exclude<LoginOutcome, { kind: 'ok' }>, res: Response): ApiError {
  switch (out.kind) {
    case 'bad-credentials':
      return new ApiError(401, 'UNAUTHORIZED', 'wrong username or password');
    case 'throttled':
      res.setHeader('Retry-After', String(out.retryAfterSec));
      return new ApiError(429, 'TOO_MANY_REQUESTS', `too many failed logins; try again in ${out.retryAfterSec} s`,
        { retry_after_sec: out.retryAfterSec });
    case 'busy':
      res.setHeader('Retry-After', String(out.retryAfterSec));
      return new ApiError(503, 'BUSY', `too many logins at once; try again in ${out.retryAfterSec} s`, { retry_after_sec: out.retryAfterSec });
    default: {
      const never: never = out;
      return never;
    }
  }
}
