import type { Request, Response } from 'express';
import { Router } from 'express';
import { STAFF } from '../../../app/auth/roles.js';
import { MemberBulkBody, MemberBulkCount, MemberBulkOutcome, MemberExportQuery, MemberFilter } from '../../../contract/member-bulk-schemas.js';
import { IdParams } from '../../../contract/common-schemas.js';
import { applyToMembers, exportMembers } from '../../../app/members/member-bulk.js';
import { MEMBER_EXPORT_COLUMNS, writeMemberExport } from '../../../app/members/member-export.js';
import type { BulkMemberAction } from '../../../app/ports/member-bulk-store.js';
import { notFound } from '../api-error.js';
import type { RouteContext } from '../route-context.js';
import type { RouteRegistry } from '../route-registry.js';

const P = '/api/v2/dialer/:id/members/bulk';
const IN_CALL_NOTE = 'Members in a call or waiting for its result status (C7) are skipped and counted in skipped_in_call. '
  + 'The members are worked through in batches of 500 in id order, each batch one transaction: a member is changed wholly or not at all, '
  + 'and a campaign of any size holds no long lock.';

/** Issue 13 §3: reset tries, delete and export of the members a filter of the members list matches. */
export function memberBulkRoutes(reg: RouteRegistry, ctx: RouteContext): Router {
  const r = Router();
  const store = ctx.repos.memberBulk;
  const tag = 'members';

  reg.add(r, { method: 'get', path: `${P}/count`, tag, roles: STAFF, params: IdParams, query: MemberFilter,
    summary: 'How many members the filter matches, and how many of them a bulk action would skip (in a call)',
    responses: { 200: { description: 'counts', schema: MemberBulkCount }, 400: { description: 'a bad filter, named' }, 404: { description: 'no such campaign' } } },
  async ({ params, query, res }) => {
    if (!(await store.campaignExists(params.id))) throw notFound('campaign', params.id);
    const c = await store.count(params.id, query, ctx.now());
    res.json({ matching: c.matching, in_call: c.inCall });
  });

  const action = (name: BulkMemberAction, summary: string) => reg.add(r, { method: 'post', path: `${P}/${name}`, tag, roles: STAFF,
    params: IdParams, body: MemberBulkBody, summary: `${summary}. ${IN_CALL_NOTE}`,
    responses: { 200: { description: 'done; the counts', schema: MemberBulkOutcome }, 400: { description: 'a bad filter, named' }, 404: { description: 'no such campaign' } } },
  async ({ params, body, req, res }) => {
    // A big campaign takes longer than the server's idle timeouts; the work is bounded per batch.
    req.setTimeout(0);
    const out = await applyToMembers(store, ctx.signals, name, params.id, body.filter, ctx.now);
    if (out.kind === 'no-campaign') throw notFound('campaign', params.id);
    res.json(out.outcome);
  });
  action('reset-tries', 'Reset the tries of the members the filter matches (as R1 reset_retries); those that ended with MAX_TRY_COUNT are ready again');
  action('delete', 'Delete the members the filter matches, with their numbers and history');

  reg.add(r, { method: 'get', path: `${P}/export`, tag, roles: STAFF, params: IdParams, query: MemberExportQuery,
    summary: `The members the filter matches as CSV, streamed in id order; columns: ${MEMBER_EXPORT_COLUMNS.join(', ')}`,
    responses: { 200: { description: 'CSV', contentTypes: ['text/csv'] }, 400: { description: 'a bad filter, named' }, 404: { description: 'no such campaign' } } },
  async ({ params, query, req, res }) => {
    if (!(await store.campaignExists(params.id))) throw notFound('campaign', params.id);
    const { sep, ...filter } = query;
    await sendMembers(ctx, req, res, params.id, filter, sep ?? ',');
  });
  return r;
}

async function sendMembers(ctx: RouteContext, req: Request, res: Response, campaignId: number, filter: MemberFilter, sep: ',' | ';'): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="members-${campaignId}.csv"`);
  res.setHeader('Cache-Control', 'no-store');
  req.setTimeout(0);
  let out: { rows: number; complete: boolean };
  try {
    out = await writeMemberExport(exportMembers(ctx.repos.memberBulk, campaignId, filter, ctx.now()), sep, res);
  } catch (err) {
    if (!res.headersSent) {
      for (const h of ['Content-Type', 'Content-Disposition']) res.removeHeader(h);
      throw err;
    }
    // Headers (and perhaps rows) are out: the only honest signal left is a cut connection.
    ctx.log.error({ err, campaignId }, 'member export failed');
    res.destroy();
    return;
  }
  if (out.complete) res.end();
}
