import { Router } from 'express';
import { z } from 'zod';
import { STAFF } from '../../../app/auth/roles.js';
import { IdParams } from '../../../contract/common-schemas.js';
import { LineGroup, LineGroupCreate, LineGroupUpdate } from '../../../contract/line-group-schemas.js';
import { conflict, notFound } from '../api-error.js';
import type { RouteContext } from '../route-context.js';
import type { RouteRegistry } from '../route-registry.js';

const P = '/api/v2/line-groups';

/** C3 line groups: capacity shared by the campaigns that name them. */
export function lineGroupRoutes(reg: RouteRegistry, ctx: RouteContext): Router {
  const r = Router();
  const groups = ctx.repos.lineGroups;
  const tag = 'line-groups';
  reg.add(r, { method: 'get', path: P, tag, summary: 'List line groups', roles: STAFF,
    responses: { 200: { description: 'line groups', schema: z.array(LineGroup) } } },
  async ({ res }) => { res.json(await groups.list()); });

  reg.add(r, { method: 'post', path: P, tag, summary: 'Create a line group', roles: STAFF, body: LineGroupCreate,
    responses: { 201: { description: 'created', schema: LineGroup }, 409: { description: 'name taken' } } },
  async ({ body, res }) => {
    const out = await groups.create(body, ctx.now());
    if (out.kind !== 'ok') throw conflict(out.kind === 'conflict' ? out.message : 'cannot create');
    res.status(201).json(out.lineGroup);
  });

  reg.add(r, { method: 'get', path: `${P}/:id`, tag, summary: 'Get a line group', roles: STAFF, params: IdParams,
    responses: { 200: { description: 'line group', schema: LineGroup }, 404: { description: 'no such line group' } } },
  async ({ params, res }) => {
    const g = await groups.get(params.id);
    if (!g) throw notFound('line group', params.id);
    res.json(g);
  });

  reg.add(r, { method: 'put', path: `${P}/:id`, tag, summary: 'Change a line group', roles: STAFF,
    params: IdParams, body: LineGroupUpdate,
    responses: { 200: { description: 'changed', schema: LineGroup }, 404: { description: 'no such line group' }, 409: { description: 'name taken' } } },
  async ({ params, body, res }) => {
    const out = await groups.update(params.id, body, ctx.now());
    if (out.kind === 'not-found') throw notFound('line group', params.id);
    if (out.kind === 'conflict') throw conflict(out.message);
    // More capacity may let waiting campaigns dial.
    for (const c of await ctx.repos.campaigns.list()) if (c.line_group_id === params.id) ctx.signals.campaignChanged(c.id);
    res.json(out.lineGroup);
  });

  reg.add(r, { method: 'delete', path: `${P}/:id`, tag, summary: 'Delete a line group no campaign uses', roles: STAFF,
    params: IdParams, responses: { 204: { description: 'deleted' }, 404: { description: 'no such line group' }, 409: { description: 'in use' } } },
  async ({ params, res }) => {
    const out = await groups.delete(params.id);
    if (out === 'not-found') throw notFound('line group', params.id);
    if (out === 'in-use') throw conflict(`line group ${params.id} is used by a campaign`);
    res.status(204).end();
  });
  return r;
}
