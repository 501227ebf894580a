import { Router } from 'express';
import { z } from 'zod';
import { STAFF } from '../../../app/auth/roles.js';
import { IdParams, PhoneNumber } from '../../../contract/common-schemas.js';
import { DncCreate, DncEntry } from '../../../contract/dnc-schemas.js';
import { conflict, notFound } from '../api-error.js';
import type { RouteContext } from '../route-context.js';
import type { RouteRegistry } from '../route-registry.js';

const DncPage = z.object({ items: z.array(DncEntry), next_after: z.number().int().nullable() });
const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z.coerce.number().int().min(0).default(0),
});

/** Do-not-call lists: global and per campaign. */
export function dncRoutes(reg: RouteRegistry, ctx: RouteContext): Router {
  const r = Router();
  const dnc = ctx.repos.dnc;
  const tag = 'dnc';
  const scopes = [
    { path: '/api/v2/dnc', params: z.object({}), campaign: (_p: { id?: number }) => null as number | null, what: 'global' },
    { path: '/api/v2/dialer/:id/dnc', params: IdParams, campaign: (p: { id?: number }) => p.id ?? null, what: 'campaign' },
  ];
  for (const s of scopes) {
    const checkScope = async (p: { id?: number }) => {
      const id = s.campaign(p);
      if (id !== null && !(await ctx.repos.campaigns.exists(id))) throw notFound('campaign', id);
      return id;
    };
    reg.add(r, { method: 'get', path: s.path, tag, summary: `List the ${s.what} do-not-call numbers`, roles: STAFF,
      params: s.params as typeof IdParams, query: PageQuery,
      responses: { 200: { description: 'a page', schema: DncPage } } },
    async ({ params, query, res }) => {
      const id = await checkScope(params);
      const items = await dnc.list(id, query.limit + 1, query.after);
      const more = items.length > query.limit;
      const page = more ? items.slice(0, query.limit) : items;
      res.json({ items: page, next_after: more ? page[page.length - 1]!.id : null });
    });

    reg.add(r, { method: 'post', path: s.path, tag, summary: `Add a ${s.what} do-not-call number`, roles: STAFF,
      params: s.params as typeof IdParams, body: DncCreate,
      responses: { 201: { description: 'added', schema: DncEntry }, 409: { description: 'already listed' } } },
    async ({ params, body, res }) => {
      const id = await checkScope(params);
      const out = await dnc.add(id, body.number, ctx.now());
      if (out.kind === 'duplicate') throw conflict(`number ${body.number} is already on the ${s.what} do-not-call list`, { number: body.number });
      if (id !== null) ctx.signals.campaignChanged(id);
      res.status(201).json(out.entry);
    });

    reg.add(r, { method: 'delete', path: `${s.path}/:number`, tag, summary: `Remove a ${s.what} do-not-call number`, roles: STAFF,
      params: (s.params as typeof IdParams).extend({ number: PhoneNumber }),
      responses: { 204: { description: 'removed' }, 404: { description: 'not listed' } } },
    async ({ params, res }) => {
      const id = await checkScope(params);
      if (!(await dnc.remove(id, params.number))) throw notFound('do-not-call number', params.number, 'number');
      res.status(204).end();
    });
  }
  return r;
}
