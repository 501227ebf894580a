import { Router } from 'express';
import { z } from 'zod';
import { STAFF } from '../../../app/auth/roles.js';
import { Tier, TierCreate, TierUpdate } from '../../../contract/agent-schemas.js';
import { IdParam, IdParams } from '../../../contract/common-schemas.js';
import { notFound } from '../api-error.js';
import type { RouteContext } from '../route-context.js';
import type { RouteRegistry } from '../route-registry.js';

const P = '/api/v2/dialer/:id/tiers';
const TierParams = z.object({ id: IdParam, agentId: IdParam });

/** A1 tiers: the agents working a campaign. */
export function tierRoutes(reg: RouteRegistry, ctx: RouteContext): Router {
  const r = Router();
  const tiers = ctx.repos.tiers;
  const tag = 'tiers';
  reg.add(r, { method: 'get', path: P, tag, summary: 'Agents of a campaign', roles: STAFF, params: IdParams,
    responses: { 200: { description: 'tiers', schema: z.array(Tier) }, 404: { description: 'no such campaign' } } },
  async ({ params, res }) => {
    if (!(await ctx.repos.campaigns.exists(params.id))) throw notFound('campaign', params.id);
    res.json(await tiers.list(params.id));
  });

  reg.add(r, { method: 'post', path: P, tag, summary: 'Add an agent (or change its level)', roles: STAFF,
    params: IdParams, body: TierCreate,
    responses: { 201: { description: 'added', schema: Tier }, 200: { description: 'level changed', schema: Tier }, 404: { description: 'no such campaign or agent' } } },
  async ({ params, body, res }) => {
    const out = await tiers.upsert(params.id, body.agent_id, body.level);
    if (out.kind === 'no-campaign') throw notFound('campaign', params.id);
    if (out.kind === 'no-agent') throw notFound('agent', body.agent_id);
    ctx.signals.agentChanged(body.agent_id);
    res.status(out.created ? 201 : 200).json(out.tier);
  });

  reg.add(r, { method: 'put', path: `${P}/:agentId`, tag, summary: 'Change the level of an agent', roles: STAFF,
    params: TierParams, body: TierUpdate,
    responses: { 200: { description: 'changed', schema: Tier }, 404: { description: 'agent is not in this campaign' } } },
  async ({ params, body, res }) => {
    const t = await tiers.updateLevel(params.id, params.agentId, body.level);
    if (!t) throw notFound('tier', `${params.id}/${params.agentId}`);
    ctx.signals.agentChanged(params.agentId);
    res.json(t);
  });

  reg.add(r, { method: 'delete', path: `${P}/:agentId`, tag, summary: 'Remove an agent from the campaign', roles: STAFF,
    params: TierParams, responses: { 204: { description: 'removed' }, 404: { description: 'agent is not in this campaign' } } },
  async ({ params, res }) => {
    if (!(await tiers.delete(params.id, params.agentId))) throw notFound('tier', `${params.id}/${params.agentId}`);
    ctx.signals.agentChanged(params.agentId);
    res.status(204).end();
  });
  return r;
}
