import { Router } from 'express';
import { z } from 'zod';
import { AgentDesk, type DeskOutcome } from '../../../app/agent-desk/agent-desk.js';
import type { Principal } from '../../../app/auth/auth-service.js';
import { AGENT_ONLY, STAFF } from '../../../app/auth/roles.js';
import { DeskState, PreviewSkip } from '../../../contract/agent-desk-schemas.js';
import { Agent, AgentStatusChange } from '../../../contract/agent-schemas.js';
import { IdParams } from '../../../contract/common-schemas.js';
import { Member, ResultStatusBody } from '../../../contract/member-schemas.js';
import { ApiError, conflict, notFound } from '../api-error.js';
import type { RouteContext } from '../route-context.js';
import type { RouteRegistry } from '../route-registry.js';

const ME = '/api/v2/agent';
const BY_ID = '/api/v2/agents/:id';

const CALL_ANSWERS = {
  404: { description: 'no such agent' },
  409: { description: 'no answered call to post for, or a late status (R2)' },
};
const WRAP_UP_ANSWERS = {
  200: { description: 'Waiting now; the agent\'s state', schema: DeskState },
  403: { description: 'the campaign of the call does not allow it (allow_end_wrap_up_early)' },
  404: { description: 'no such agent' },
  409: { description: 'the agent is not in wrap-up' },
};
const HANGUP_ANSWERS = {
  202: { description: 'sent to the engine holding the call; its end settles as usual', schema: z.object({ attempt_id: z.number().int() }) },
  404: { description: 'no such agent' },
  409: { description: 'not on a call, or the call is not connected yet' },
};
const PREVIEW_ANSWERS = {
  404: { description: 'no such agent' },
  409: { description: 'the agent has no preview to decide, or it is decided already' },
};
const PreviewAnswer = z.object({ attempt_id: z.number().int() });

/**
 * W1, W4: the agent desk over REST. A user of role agent acts as its own agent under
 * /api/v2/agent (the agent is the user's, never named by the client); supervisors act for any
 * agent under /api/v2/agents/:id. The CTI socket will carry the same commands (AgentDesk).
 */
export function agentDeskRoutes(reg: RouteRegistry, ctx: RouteContext): Router {
  const r = Router();
  const desk = agentDeskOf(ctx);
  const tag = 'agent desk';
  const own = async (principal: Principal | undefined): Promise<number> => ownAgent(ctx, principal!);

  reg.add(r, { method: 'get', path: ME, tag, summary: 'My agent: status, state, current or last call with the member card (W3)', roles: AGENT_ONLY,
    responses: { 200: { description: 'the agent\'s state', schema: DeskState } } },
  async ({ principal, res }) => { res.json(answer(await desk.state(await own(principal)))); });

  reg.add(r, { method: 'put', path: `${ME}/status`, tag, summary: 'Set my status: Available, On Break (with a reason), Logged Out (A5, W4)', roles: AGENT_ONLY,
    body: AgentStatusChange, responses: { 200: { description: 'changed', schema: Agent } } },
  async ({ principal, body, res }) => { res.json(answer(await desk.setStatus(await own(principal), body.status, body.reason ?? null))); });

  reg.add(r, { method: 'put', path: `${ME}/result`, tag, summary: 'Result status (R1) of my current or last call (W4)', roles: AGENT_ONLY,
    body: ResultStatusBody, responses: { 200: { description: 'applied; the member', schema: Member }, ...CALL_ANSWERS } },
  async ({ principal, body, res }) => { res.json(answer(await desk.postResult(await own(principal), body))); });

  reg.add(r, { method: 'post', path: `${ME}/wrap-up/end`, tag, summary: 'End my wrap-up now, when the campaign allows it (W4)', roles: AGENT_ONLY,
    responses: WRAP_UP_ANSWERS },
  async ({ principal, res }) => { res.json(answer(await desk.endWrapUp(await own(principal)))); });

  reg.add(r, { method: 'post', path: `${ME}/hangup`, tag, summary: 'Hang up my connected call (W4)', roles: AGENT_ONLY,
    responses: HANGUP_ANSWERS },
  async ({ principal, res }) => { res.status(202).json(answer(await desk.hangUp(await own(principal)))); });

  reg.add(r, { method: 'post', path: `${ME}/preview/accept`, tag, roles: AGENT_ONLY,
    summary: 'Accept the member of my preview: my phone rings, then the member is dialled (P2)',
    responses: { 202: { description: 'sent to the engine holding the preview; ringing follows', schema: PreviewAnswer }, ...PREVIEW_ANSWERS } },
  async ({ principal, res }) => { res.status(202).json(answer(await desk.acceptPreview(await own(principal)))); });

  reg.add(r, { method: 'post', path: `${ME}/preview/skip`, tag, roles: AGENT_ONLY, body: PreviewSkip,
    summary: 'Skip the member of my preview with a reason: nothing is dialled, no try is used (P2)',
    responses: { 200: { description: 'skipped; the attempt kept in the member\'s history', schema: PreviewAnswer }, ...PREVIEW_ANSWERS } },
  async ({ principal, body, res }) => { res.json(answer(await desk.skipPreview(await own(principal), body.reason))); });

  reg.add(r, { method: 'post', path: `${BY_ID}/preview/accept`, tag, roles: STAFF, params: IdParams,
    summary: 'Accept the member of an agent\'s preview (P2)',
    responses: { 202: { description: 'sent to the engine holding the preview; ringing follows', schema: PreviewAnswer }, ...PREVIEW_ANSWERS } },
  async ({ params, res }) => { res.status(202).json(answer(await desk.acceptPreview(params.id))); });

  reg.add(r, { method: 'post', path: `${BY_ID}/preview/skip`, tag, roles: STAFF, params: IdParams, body: PreviewSkip,
    summary: 'Skip the member of an agent\'s preview with a reason (P2)',
    responses: { 200: { description: 'skipped', schema: PreviewAnswer }, ...PREVIEW_ANSWERS } },
  async ({ params, body, res }) => { res.json(answer(await desk.skipPreview(params.id, body.reason))); });

  reg.add(r, { method: 'get', path: `${BY_ID}/desk`, tag, summary: 'An agent\'s status, state and current or last call with the member card (W3)', roles: STAFF,
    params: IdParams, responses: { 200: { description: 'the agent\'s state', schema: DeskState }, 404: { description: 'no such agent' } } },
  async ({ params, res }) => { res.json(answer(await desk.state(params.id))); });

  reg.add(r, { method: 'put', path: `${BY_ID}/result`, tag, summary: 'Result status (R1) of an agent\'s current or last call (W4)', roles: STAFF,
    params: IdParams, body: ResultStatusBody, responses: { 200: { description: 'applied; the member', schema: Member }, ...CALL_ANSWERS } },
  async ({ params, body, res }) => { res.json(answer(await desk.postResult(params.id, body))); });

  reg.add(r, { method: 'post', path: `${BY_ID}/wrap-up/end`, tag, summary: 'End an agent\'s wrap-up now, when the campaign allows it (W4)', roles: STAFF,
    params: IdParams, responses: WRAP_UP_ANSWERS },
  async ({ params, res }) => { res.json(answer(await desk.endWrapUp(params.id))); });

  reg.add(r, { method: 'post', path: `${BY_ID}/hangup`, tag, summary: 'Hang up an agent\'s connected call (W4)', roles: STAFF,
    params: IdParams, responses: HANGUP_ANSWERS },
  async ({ params, res }) => { res.status(202).json(answer(await desk.hangUp(params.id))); });
  return r;
}

/** The desk's use cases on this API's database and signals (the REST routes and the CTI socket). */
export function agentDeskOf(ctx: RouteContext): AgentDesk {
  return new AgentDesk({
    store: ctx.repos.desk, previews: ctx.repos.previews, armWakeUps: ctx.armWakeUps,
    agents: ctx.repos.agents, applyResultStatus: ctx.applyResultStatus, signals: ctx.signals, now: ctx.now,
  });
}

/** W1: the agent this user acts as (a user of role agent always has one: users.agent_id, RESTRICT). */
export async function ownAgent(ctx: RouteContext, principal: Principal): Promise<number> {
  const agentId = await ctx.repos.users.agentOf(principal.userId);
  if (agentId === null) throw new ApiError(403, 'FORBIDDEN', `user "${principal.username}" is not linked to an agent`);
  return agentId;
}

function answer<T>(out: DeskOutcome<T>): T {
  if (out.kind === 'ok') return out.value;
  throw deskError(out);
}

/** A desk command's refusal as the API answers it (REST and the CTI socket alike). */
export function deskError(out: Exclude<DeskOutcome<unknown>, { kind: 'ok' }>): ApiError {
  switch (out.kind) {
    case 'no-agent':
      return notFound('agent', out.agentId);
    case 'conflict':
      return conflict(out.reason);
    case 'not-allowed':
      return new ApiError(403, 'FORBIDDEN', out.reason, { field: out.field });
    default: {
      const never: never = out;
      return never;
    }
  }
}
