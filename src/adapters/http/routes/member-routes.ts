import { Router } from 'express';
import { z } from 'zod';
import { DIALER_ROLES, STAFF } from '../../../app/auth/roles.js';
import { editMember } from '../../../app/members/member-edit.js';
import { uploadMembers } from '../../../app/members/member-upload.js';
import { IdParam, IdParams } from '../../../contract/common-schemas.js';
import { Attempt, Member, MemberListQuery, MemberPage, MemberUpdate, ResultStatusBody } from '../../../contract/member-schemas.js';
import { MemberInput } from '../../../contract/member-input.js';
import { ApiError, conflict, notFound } from '../api-error.js';
import type { RouteContext } from '../route-context.js';
import { fieldIssues, validationError, type RouteRegistry } from '../route-registry.js';

const P = '/api/v2/dialer/:id/members';
const MemberParams = z.object({ id: IdParam, mid: IdParam });
const AddQuery = z.object({
  autoRun: z.enum(['true', 'false', '1', '0']).optional().meta({ description: 'run the campaign after adding (M6)' }),
});
const AddAnswer = z.object({ ids: z.array(z.number().int()).meta({ description: 'member ids in input order' }) });

/** M1, M2, M5, M6, R1: members of a campaign. */
export function memberRoutes(reg: RouteRegistry, ctx: RouteContext): Router {
  const r = Router();
  const members = ctx.repos.members;
  const tag = 'members';
  const requireCampaign = async (id: number) => {
    if (!(await ctx.repos.campaigns.exists(id))) throw notFound('campaign', id);
  };

  reg.add(r, { method: 'post', path: P, tag, roles: DIALER_ROLES, params: IdParams, query: AddQuery,
    summary: 'Add one member or an array; every item is checked first and nothing is stored if any is bad',
    docBody: z.union([MemberInput, z.array(MemberInput)]),
    responses: { 201: { description: 'added', schema: AddAnswer }, 400: { description: 'bad items, each with index and reason' },
      403: { description: 'autoRun=true by a role that may not run campaigns (api)' }, 404: { description: 'no such campaign' } } },
  async ({ params, query, principal, req, res }) => {
    const autoRun = query.autoRun === 'true' || query.autoRun === '1';
    // S1: the api role adds members but may not run a campaign (POST …/run is 403 for it too).
    if (autoRun && principal && !STAFF.includes(principal.role)) {
      throw new ApiError(403, 'FORBIDDEN', `query.autoRun: role "${principal.role}" may not run a campaign; add the members without autoRun`, {
        issues: [{ path: 'query.autoRun', message: 'not allowed for this role' }], allowed_roles: STAFF,
      });
    }
    const out = await uploadMembers({ campaigns: ctx.repos.campaigns, writer: ctx.repos.memberWriter, signals: ctx.signals },
      params.id, req.body, autoRun, ctx.now());
    switch (out.kind) {
      case 'added':
        res.status(201).json({ ids: out.ids });
        return;
      case 'no-campaign':
        throw notFound('campaign', params.id);
      case 'bad-body':
        throw new ApiError(400, 'VALIDATION_FAILED', out.message);
      case 'refused':
        throw itemsError(out.items);
      default: {
        const never: never = out;
        return never;
      }
    }
  });

  reg.add(r, { method: 'get', path: P, tag, summary: 'Members, filtered, keyset-paged on id', roles: STAFF,
    params: IdParams, query: MemberListQuery,
    responses: { 200: { description: 'a page; pass next_after as after for the next', schema: MemberPage }, 404: { description: 'no such campaign' } } },
  async ({ params, query, res }) => {
    await requireCampaign(params.id);
    res.json(await members.list(params.id, query, ctx.now()));
  });

  reg.add(r, { method: 'get', path: `${P}/:mid`, tag, summary: 'Get a member', roles: STAFF, params: MemberParams,
    responses: { 200: { description: 'member', schema: Member }, 404: { description: 'no such member in this campaign' } } },
  async ({ params, res }) => {
    const m = await members.get(params.id, params.mid);
    if (!m) throw notFound('member', params.mid);
    res.json(m);
  });

  reg.add(r, { method: 'put', path: `${P}/:mid`, tag, summary: 'Change a member (fields given); not while it is being dialled',
    roles: STAFF, params: MemberParams, docBody: MemberUpdate,
    responses: { 200: { description: 'changed', schema: Member }, 400: { description: 'every bad field, named' }, 404: { description: 'no such member' }, 409: { description: 'dialling, or a number another member has' } } },
  async ({ params, req, res }) => {
    const out = await editMember({ members, signals: ctx.signals }, params.id, params.mid, req.body, ctx.now());
    switch (out.kind) {
      case 'ok':
        res.json(out.member);
        return;
      case 'bad-body':
        throw validationError(out.errors.flatMap((e) => fieldIssues('body', e)));
      case 'invalid': {
        const issues = out.errors.flatMap((e) => fieldIssues('body', e));
        throw validationError(issues.filter((i, n) => issues.findIndex((j) => j.path === i.path && j.message === i.message) === n));
      }
      case 'not-found':
        throw notFound('member', params.mid);
      case 'dialing':
        throw conflict(`member ${params.mid} is being dialled; change it when the call is over`);
      case 'duplicates':
        throw conflict(`number ${out.numbers.join(', ')} already belongs to another member of campaign ${params.id}`, { numbers: out.numbers });
      default: {
        const never: never = out;
        return never;
      }
    }
  });

  reg.add(r, { method: 'delete', path: `${P}/:mid`, tag, summary: 'Delete a member and its history; not while it is being dialled',
    roles: STAFF, params: MemberParams,
    responses: { 204: { description: 'deleted' }, 404: { description: 'no such member' }, 409: { description: 'dialling' } } },
  async ({ params, res }) => {
    const out = await members.delete(params.id, params.mid);
    if (out === 'not-found') throw notFound('member', params.mid);
    if (out === 'dialing') throw conflict(`member ${params.mid} is being dialled; delete it when the call is over`);
    res.status(204).end();
  });

  reg.add(r, { method: 'get', path: `${P}/:mid/attempts`, tag, summary: 'Every attempt of the member (M5)', roles: STAFF,
    params: MemberParams, responses: { 200: { description: 'attempts, oldest first', schema: z.array(Attempt) }, 404: { description: 'no such member' } } },
  async ({ params, res }) => {
    const list = await members.attempts(params.id, params.mid);
    if (!list) throw notFound('member', params.mid);
    res.json(list);
  });

  reg.add(r, { method: 'put', path: `${P}/:mid/status`, tag, summary: 'Result status of the member\'s call (R1)', roles: DIALER_ROLES,
    params: MemberParams, body: ResultStatusBody,
    responses: { 200: { description: 'applied', schema: Member }, 404: { description: 'no such member' }, 409: { description: 'late or conflicting status (R2)' } } },
  async ({ params, body, res }) => {
    const out = await ctx.applyResultStatus(params.id, params.mid, body, ctx.now());
    switch (out.kind) {
      case 'applied':
        res.json(out.member);
        return;
      case 'not-found':
        throw notFound('member', params.mid);
      case 'conflict':
        throw conflict(out.reason);
      default: {
        const never: never = out;
        return never;
      }
    }
  });
  return r;
}

/** M1/M2: 400 listing every refused item with its index and reason. */
function itemsError(items: ReadonlyArray<{ index: number; reason: string; number?: string }>): ApiError {
  const head = items.slice(0, 5).map((i) => `item ${i.index}: ${i.reason}`).join('; ');
  const more = items.length > 5 ? ` (and ${items.length - 5} more)` : '';
  return new ApiError(400, 'VALIDATION_FAILED', `${items.length} member(s) refused, nothing stored: ${head}${more}`, { items });
}
