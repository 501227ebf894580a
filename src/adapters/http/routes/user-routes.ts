import { Router } from 'express';
import { z } from 'zod';
import { hashPassword } from '../../../app/auth/password.js';
import { ADMIN_ONLY } from '../../../app/auth/roles.js';
import { IdParams } from '../../../contract/common-schemas.js';
import { agentLinkIssue, UserCreate, UserOut, UserUpdate } from '../../../contract/user-schemas.js';
import type { UserWrite } from '../../../app/ports/user-store.js';
import { badRequest, conflict, notFound } from '../api-error.js';
import type { RouteContext } from '../route-context.js';
import type { RouteRegistry } from '../route-registry.js';

const P = '/api/v2/users';

/** Users and roles, admins only (S1). */
export function userRoutes(reg: RouteRegistry, ctx: RouteContext): Router {
  const r = Router();
  const users = ctx.repos.users;
  const tag = 'users';
  reg.add(r, { method: 'get', path: P, tag, summary: 'List users', roles: ADMIN_ONLY,
    responses: { 200: { description: 'users', schema: z.array(UserOut) } } },
  async ({ res }) => { res.json(await users.list()); });

  reg.add(r, { method: 'post', path: P, tag, summary: 'Create a user', roles: ADMIN_ONLY, body: UserCreate,
    responses: { 201: { description: 'created', schema: UserOut }, 409: { description: 'username taken, or the agent has a user already' } } },
  async ({ body, res }) => {
    const out = await users.create({ username: body.username, role: body.role, passwordHash: await hashPassword(body.password), agentId: body.agent_id });
    res.status(201).json(written(out, 0));
  });

  reg.add(r, { method: 'get', path: `${P}/:id`, tag, summary: 'Get a user', roles: ADMIN_ONLY, params: IdParams,
    responses: { 200: { description: 'user', schema: UserOut }, 404: { description: 'no such user' } } },
  async ({ params, res }) => {
    const u = await users.get(params.id);
    if (!u) throw notFound('user', params.id);
    res.json(u);
  });

  reg.add(r, { method: 'put', path: `${P}/:id`, tag, summary: 'Change username, password, role or agent (W1)', roles: ADMIN_ONLY,
    params: IdParams, body: UserUpdate,
    responses: { 200: { description: 'changed', schema: UserOut }, 404: { description: 'no such user' }, 409: { description: 'conflict' } } },
  async ({ params, body, principal, res }) => {
    // The last admin cannot demote itself: nobody could manage users afterwards.
    if (body.role !== undefined && body.role !== 'admin' && params.id === principal!.userId && (await users.countAdmins()) <= 1) {
      throw conflict('the last admin cannot give up the admin role');
    }
    const current = await users.get(params.id);
    if (!current) throw notFound('user', params.id);
    // W1: a user leaving the agent role leaves its agent; one taking it needs an agent.
    const role = body.role ?? current.role;
    const agentId = body.agent_id !== undefined ? body.agent_id : role === 'agent' ? current.agent_id : null;
    const issue = agentLinkIssue(role, agentId);
    if (issue) throw badRequest(`body.agent_id: ${issue}`, { issues: [{ path: 'body.agent_id', message: issue }] });
    const out = await users.update(params.id, {
      username: body.username, role: body.role, agentId: agentId === current.agent_id ? undefined : agentId,
      passwordHash: body.password === undefined ? undefined : await hashPassword(body.password),
    });
    const user = written(out, params.id);
    // A new password ends every login of the old one, including the caller's when it changed its own.
    if (body.password !== undefined) await ctx.repos.keys.revokeAllOf(params.id, ctx.now());
    res.json(user);
  });

  reg.add(r, { method: 'delete', path: `${P}/:id`, tag, summary: 'Delete a user (its keys go too)', roles: ADMIN_ONLY,
    params: IdParams, responses: { 204: { description: 'deleted' }, 404: { description: 'no such user' }, 409: { description: 'self' } } },
  async ({ params, principal, res }) => {
    if (params.id === principal!.userId) throw conflict('you cannot delete your own user');
    if (!(await users.delete(params.id))) throw notFound('user', params.id);
    res.status(204).end();
  });
  return r;
}

function written(out: UserWrite, id: number) {
  switch (out.kind) {
    case 'ok':
      return out.user;
    case 'not-found':
      throw notFound('user', id);
    case 'conflict':
      throw conflict(out.message);
    case 'bad-reference':
      throw badRequest(`body.agent_id: ${out.message}`, { issues: [{ path: 'body.agent_id', message: out.message }] });
    default: {
      const never: never = out;
      return never;
    }
  }
}
