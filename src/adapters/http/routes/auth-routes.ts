import { Router } from 'express';
import { ANY_ROLE } from '../../../app/auth/roles.js';
import { LoginAnswer, LoginBody } from '../../../app/catalog/user-schemas.js';
import { ApiError } from '../api-error.js';
import type { RouteContext } from '../route-context.js';
import type { RouteRegistry } from '../route-registry.js';

/** S1: POST /login gives a key and a token bound to it; POST /logout revokes the key. */
export function authRoutes(reg: RouteRegistry, ctx: RouteContext): Router {
  const r = Router();
  reg.add(r, {
    method: 'post', path: '/login', tag: 'auth', summary: 'Log in: a key and its access token', roles: 'public',
    body: LoginBody,
    responses: { 200: { description: 'logged in', schema: LoginAnswer }, 401: { description: 'wrong username or password' } },
  }, async ({ body, res }) => {
    const out = await ctx.auth.login(body.username, body.password, ctx.now());
    if (out.kind === 'bad-credentials') throw new ApiError(401, 'UNAUTHORIZED', 'wrong username or password');
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
