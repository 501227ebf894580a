import { Router } from 'express';
import { z } from 'zod';
import { STAFF } from '../../../app/auth/roles.js';
import { Agent, AgentCreate, AgentStatusChange, AgentTier, AgentUpdate } from '../../../contract/agent-schemas.js';
import { IdParams } from '../../../contract/common-schemas.js';
import { conflict, notFound } from '../api-error.js';
import type { RouteContext } from '../route-context.js';
import type { RouteRegistry } from '../route-registry.js';

const P = '/api/v2/agents';

/** A1 agents, A5 status through REST. */
export function agentRoutes(reg: RouteRegistry, ctx: RouteContext): Router {
  const r = Router();
  const agents = ctx.repos.agents;
  const tag = 'agents';
  reg.add(r, { method: 'get', path: P, tag, summary: 'List agents with status and state', roles: STAFF,
    responses: { 200: { description: 'agents', schema: z.array(Agent) } } },
  async ({ res }) => { res.json(await agents.list()); });

  reg.add(r, { method: 'post', path: P, tag, summary: 'Create an agent (Logged Out, Waiting)', roles: STAFF, body: AgentCreate,
    responses: { 201: { description: 'created', schema: Agent }, 409: { description: 'SIP user taken' } } },
  async ({ body, res }) => {
    const out = await agents.create(body, ctx.now());
    if (out.kind !== 'ok') throw conflict(out.kind === 'conflict' ? out.message : 'cannot create agent');
    ctx.signals.agentChanged(out.agent.id);
    res.status(201).json(out.agent);
  });

  reg.add(r, { method: 'get', path: `${P}/:id`, tag, summary: 'Get an agent', roles: STAFF, params: IdParams,
    responses: { 200: { description: 'agent', schema: Agent }, 404: { description: 'no such agent' } } },
  async ({ params, res }) => {
    const a = await agents.get(params.id);
    if (!a) throw notFound('agent', params.id);
    res.json(a);
  });

  reg.add(r, { method: 'get', path: `${P}/:id/tiers`, tag, summary: 'Campaigns the agent works, with its level (A1)', roles: STAFF,
    params: IdParams, responses: { 200: { description: 'tiers', schema: z.array(AgentTier) }, 404: { description: 'no such agent' } } },
  async ({ params, res }) => {
    if (!(await agents.get(params.id))) throw notFound('agent', params.id);
    res.json(await ctx.repos.tiers.listForAgent(params.id));
  });

  reg.add(r, { method: 'put', path: `${P}/:id`, tag, summary: 'Change an agent (fields given)', roles: STAFF,
    params: IdParams, body: AgentUpdate,
    responses: { 200: { description: 'changed', schema: Agent }, 404: { description: 'no such agent' }, 409: { description: 'SIP user taken' } } },
  async ({ params, body, res }) => {
    const out = await agents.update(params.id, body, ctx.now());
    if (out.kind === 'not-found') throw notFound('agent', params.id);
    if (out.kind === 'conflict') throw conflict(out.message);
    ctx.signals.agentChanged(params.id);
    res.json(out.agent);
  });

  reg.add(r, { method: 'put', path: `${P}/:id/status`, tag, summary: 'Log in, take a break, log out (A5)', roles: STAFF,
    params: IdParams, body: AgentStatusChange,
    responses: { 200: { description: 'changed', schema: Agent }, 404: { description: 'no such agent' } } },
  async ({ params, body, res }) => {
    const out = await agents.setStatus(params.id, body.status, ctx.now(), body.reason ?? null);
    if (out.kind !== 'ok') throw notFound('agent', params.id);
    ctx.signals.agentChanged(params.id);
    res.json(out.agent);
  });

  reg.add(r, { method: 'delete', path: `${P}/:id`, tag, summary: 'Delete an agent not on a call', roles: STAFF,
    params: IdParams, responses: { 204: { description: 'deleted' }, 404: { description: 'no such agent' }, 409: { description: 'on a call, or a user logs in as it (W1)' } } },
  async ({ params, res }) => {
    const out = await agents.delete(params.id);
    if (out.kind === 'not-found') throw notFound('agent', params.id);
    if (out.kind === 'busy') throw conflict(`agent ${params.id} is on a call`);
    if (out.kind === 'linked') {
      throw conflict(`agent ${params.id} is the agent of user "${out.username}"; delete that user or link it to another agent first`, { username: out.username });
    }
    ctx.signals.agentChanged(params.id);
    res.status(204).end();
  });
  return r;
}
