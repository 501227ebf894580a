import { Router } from 'express';
import { z } from 'zod';
import { STAFF } from '../../../app/auth/roles.js';
import { Campaign, CampaignCreate, CampaignStats, CampaignUpdate } from '../../../contract/campaign-schemas.js';
import { runCampaign, stopCampaign, type StateChange } from '../../../app/catalog/campaign-state.js';
import { IdParams } from '../../../contract/common-schemas.js';
import type { CampaignWrite } from '../../../app/ports/campaign-store.js';
import { ApiError, conflict, notFound } from '../api-error.js';
import { validationError } from '../route-registry.js';
import type { RouteContext } from '../route-context.js';
import type { RouteRegistry } from '../route-registry.js';

const P = '/api/v2/dialer';

/** The refusals of a create or change, as the API answers them. */
function refusal(out: Exclude<CampaignWrite, { kind: 'ok' }>, id?: number): ApiError {
  switch (out.kind) {
    case 'not-found':
      return notFound('campaign', id ?? 0);
    case 'bad-reference':
      return new ApiError(400, 'VALIDATION_FAILED', out.message);
    case 'invalid':
      return validationError(out.issues.map((i) => ({ path: `body.${i.field}`, message: i.message })));
    case 'type-locked':
      return conflict(`type: the type of a ${out.state} campaign cannot change; stop it and let its live calls end first`,
        { field: 'type', state: out.state });
    default: {
      const never: never = out;
      return never;
    }
  }
}

/** C1 campaigns ("dialer" in the paths), C10 run/stop, stats. */
export function campaignRoutes(reg: RouteRegistry, ctx: RouteContext): Router {
  const r = Router();
  const campaigns = ctx.repos.campaigns;
  const tag = 'campaigns';
  reg.add(r, { method: 'get', path: P, tag, summary: 'List campaigns', roles: STAFF,
    responses: { 200: { description: 'campaigns', schema: z.array(Campaign) } } },
  async ({ res }) => { res.json(await campaigns.list()); });

  reg.add(r, { method: 'post', path: P, tag, summary: 'Create a campaign (state idle)', roles: STAFF, body: CampaignCreate,
    responses: { 201: { description: 'created', schema: Campaign }, 400: { description: 'invalid (each field named, rules between fields included), or unknown calendar / line group' } } },
  async ({ body, res }) => {
    const out = await campaigns.create(body, ctx.now());
    if (out.kind !== 'ok') throw refusal(out);
    ctx.signals.campaignChanged(out.campaign.id);
    res.status(201).json(out.campaign);
  });

  reg.add(r, { method: 'get', path: `${P}/:id`, tag, summary: 'Get a campaign with its effective cause table', roles: STAFF,
    params: IdParams, responses: { 200: { description: 'campaign', schema: Campaign }, 404: { description: 'no such campaign' } } },
  async ({ params, res }) => {
    const c = await campaigns.get(params.id);
    if (!c) throw notFound('campaign', params.id);
    res.json(c);
  });

  reg.add(r, { method: 'put', path: `${P}/:id`, tag, summary: 'Change a campaign (fields given; causes = the overrides)', roles: STAFF,
    params: IdParams, body: CampaignUpdate,
    responses: { 200: { description: 'changed', schema: Campaign }, 400: { description: 'invalid (each field named, checked on the campaign with the change merged)' },
      404: { description: 'no such campaign' }, 409: { description: 'a type change of a running or stopping campaign' } } },
  async ({ params, body, res }) => {
    const out = await campaigns.update(params.id, body, ctx.now());
    if (out.kind !== 'ok') throw refusal(out, params.id);
    ctx.signals.campaignChanged(params.id);
    res.json(out.campaign);
  });

  reg.add(r, { method: 'delete', path: `${P}/:id`, tag, summary: 'Delete a campaign that is not running', roles: STAFF,
    params: IdParams, responses: { 204: { description: 'deleted' }, 404: { description: 'no such campaign' }, 409: { description: 'running' } } },
  async ({ params, res }) => {
    const out = await campaigns.delete(params.id);
    if (out === 'not-found') throw notFound('campaign', params.id);
    if (out !== 'deleted') throw conflict(`campaign ${params.id} is ${out.busy}; stop it and let live calls end first`, { state: out.busy });
    ctx.signals.campaignChanged(params.id);
    res.status(204).end();
  });

  const stateAnswer = (id: number, out: StateChange, verb: string) => {
    switch (out.kind) {
      case 'changed':
      case 'unchanged':
        return out.campaign;
      case 'not-found':
        throw notFound('campaign', id);
      case 'bad-state':
        throw conflict(`cannot ${verb} a campaign that is ${out.state}`, { state: out.state });
      default: {
        const never: never = out;
        return never;
      }
    }
  };

  reg.add(r, { method: 'post', path: `${P}/:id/run`, tag, summary: 'Run: start dialling (C10)', roles: STAFF, params: IdParams,
    responses: { 200: { description: 'running', schema: Campaign }, 404: { description: 'no such campaign' } } },
  async ({ params, res }) => {
    res.json(stateAnswer(params.id, await runCampaign(campaigns, ctx.signals, params.id, ctx.now()), 'run'));
  });

  reg.add(r, { method: 'post', path: `${P}/:id/stop`, tag, roles: STAFF, params: IdParams,
    summary: 'Stop: dial nothing new; stopping while live calls finish, then stopped (C10)',
    responses: { 200: { description: 'stopping or stopped', schema: Campaign }, 404: { description: 'no such campaign' }, 409: { description: 'not running' } } },
  async ({ params, res }) => {
    res.json(stateAnswer(params.id, await stopCampaign(campaigns, ctx.signals, params.id, ctx.now()), 'stop'));
  });

  reg.add(r, { method: 'get', path: `${P}/:id/stats`, tag, summary: 'Members by state and result, live calls', roles: STAFF,
    params: IdParams, responses: { 200: { description: 'counts', schema: CampaignStats }, 404: { description: 'no such campaign' } } },
  async ({ params, res }) => {
    if (!(await campaigns.exists(params.id))) throw notFound('campaign', params.id);
    res.json(await ctx.repos.stats.campaignStats(params.id));
  });
  return r;
}
