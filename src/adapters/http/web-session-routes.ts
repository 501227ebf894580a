import { Router, type Response } from 'express';
import { z } from 'zod';
import { ANY_ROLE, ROLES } from '../../app/auth/roles.js';
import { LoginBody } from '../../contract/user-schemas.js';
import { ApiError } from './api-error.js';
import type { ExtraRouter } from './app.js';
import { clientAddress, LOGIN_REFUSALS, loginRefused } from './routes/auth-routes.js';
import type { RouteContext } from './route-context.js';
import type { RouteRegistry } from './route-registry.js';
import { clearedSessionCookie, sessionCookie, sessionFromCookie, tokenExpiry } from './session-cookie.js';

/*
 * S1: the web client's log-in. The tab holds the key and token in memory and sends them as
 * headers like any client; the session cookie (session-cookie.ts) only lets a reloaded page
 * get them back without asking for the password again.
 */

export const SESSION_PATH = '/api/v2/session';

const SessionAnswer = z.object({
  key: z.string(),
  token: z.string(),
  expires: z.string(),
  role: z.enum(ROLES),
  username: z.string(),
});

export function webSessionRoutes(): ExtraRouter {
  const build = (reg: RouteRegistry, ctx: RouteContext): Router => {
    const r = Router();
    const tag = 'auth';

    reg.add(r, {
      method: 'post', path: `${SESSION_PATH}/login`, tag, roles: 'public', body: LoginBody,
      summary: 'Log in from the web client: the answer of POST /login plus a session cookie that /resume and /admin/queues read',
      responses: { 200: { description: 'logged in; Set-Cookie dialer_session', schema: SessionAnswer }, ...LOGIN_REFUSALS },
    }, async ({ body, req, res }) => {
      const out = await ctx.auth.login(body.username, body.password, clientAddress(req), ctx.now());
      if (out.kind !== 'ok') throw loginRefused(out, res);
      // The stored spelling of the name, not what was typed.
      const who = await ctx.auth.authenticate(out.key, out.token, ctx.now());
      const username = who.kind === 'ok' ? who.principal.username : body.username;
      res.setHeader('Set-Cookie', sessionCookie(out, req.secure));
      answer(res, { key: out.key, token: out.token, expires: out.expires, role: out.role, username });
    });

    reg.add(r, {
      method: 'post', path: `${SESSION_PATH}/resume`, tag, roles: 'public',
      summary: 'The key and token of the session cookie, checked like the headers (a reload of the web client)',
      responses: { 200: { description: 'still logged in', schema: SessionAnswer }, 401: { description: 'no cookie, or its login expired or was logged out' } },
    }, async ({ req, res }) => {
      const creds = sessionFromCookie(req.headers.cookie);
      const auth = creds ? await ctx.auth.authenticate(creds.key, creds.token, ctx.now()) : undefined;
      if (!creds || !auth || auth.kind === 'unauthorized') {
        if (req.headers.cookie) res.setHeader('Set-Cookie', clearedSessionCookie(req.secure));
        throw new ApiError(401, 'UNAUTHORIZED', auth?.kind === 'unauthorized' ? auth.reason : 'not logged in');
      }
      const p = auth.principal;
      answer(res, { key: creds.key, token: creds.token, expires: tokenExpiry(creds.token).toISOString(), role: p.role, username: p.username });
    });

    reg.add(r, {
      method: 'post', path: `${SESSION_PATH}/logout`, tag, roles: ANY_ROLE,
      summary: 'Revoke the key of this login (as POST /logout) and remove the session cookie',
      responses: { 204: { description: 'revoked; Set-Cookie clears dialer_session' } },
    }, async ({ principal, req, res }) => {
      await ctx.auth.logout(principal!.key, ctx.now());
      res.setHeader('Set-Cookie', clearedSessionCookie(req.secure));
      res.status(204).end();
    });
    return r;
  };
  // /login and /resume authenticate themselves (a password, the cookie); /logout goes through the headers.
  return Object.assign(build, { publicPaths: [`${SESSION_PATH}/login`, `${SESSION_PATH}/resume`] });
}

function answer(res: Response, s: z.input<typeof SessionAnswer>): void {
  // The answer carries the token: no cache may keep it.
  res.setHeader('Cache-Control', 'no-store');
  res.json(s);
}
