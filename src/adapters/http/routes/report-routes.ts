import { Router, type Request, type Response } from 'express';
import { DIALER_ROLES, STAFF } from '../../../app/auth/roles.js';
import { IdParams } from '../../../contract/common-schemas.js';
import type { ExportStyle } from '../../../app/reports/attempt-export.js';
import { campaignForecast } from '../../../app/reports/campaign-forecast.js';
import { writeExport } from '../../../app/reports/export-writer.js';
import { agentReport, campaignReport } from '../../../app/reports/interval-reports.js';
import type { ExportScope } from '../../../app/ports/report-reader.js';
import { AgentReport, AgentReportQuery, AllExportQuery, CampaignExportQuery, CampaignForecast, CampaignReport, ReportQuery } from '../../../contract/report-schemas.js';
import { notFound } from '../api-error.js';
import type { RouteContext } from '../route-context.js';
import type { RouteRegistry } from '../route-registry.js';

const EXPORT_ANSWER = {
  200: { description: 'CSV (UTF-8, header line, CRLF, RFC 4180 quoting) or NDJSON, one attempt per line, in creation order; streamed',
    contentTypes: ['text/csv', 'application/x-ndjson'] },
  400: { description: 'a bad format, sep, from or to (the field is named)' },
};

/** Q1 the attempt export (campaign and all campaigns), Q2 the campaign and agent reports by interval, Q3 the forecast. */
export function reportRoutes(reg: RouteRegistry, ctx: RouteContext): Router {
  const r = Router();
  const tag = 'reports';
  reg.add(r, { method: 'get', path: '/api/v2/dialer/:id/attempts/export', tag, roles: DIALER_ROLES,
    summary: 'Every attempt of a campaign (optionally created in [from, to)) as CSV or NDJSON',
    params: IdParams, query: CampaignExportQuery,
    responses: { ...EXPORT_ANSWER, 404: { description: 'no such campaign' } } },
  async ({ params, query, req, res }) => {
    if (!(await ctx.repos.campaigns.exists(params.id))) throw notFound('campaign', params.id);
    await sendExport(ctx, req, res, query, { campaignId: params.id, ...range(query) }, `campaign-${params.id}`);
  });

  reg.add(r, { method: 'get', path: '/api/v2/attempts/export', tag, roles: DIALER_ROLES,
    summary: 'Every attempt of every campaign created in [from, to) as CSV or NDJSON',
    query: AllExportQuery, responses: EXPORT_ANSWER },
  async ({ query, req, res }) => {
    await sendExport(ctx, req, res, query, range(query), 'all');
  });

  reg.add(r, { method: 'get', path: '/api/v2/dialer/:id/reports', tag, roles: STAFF,
    summary: 'Attempts, answers, successes, rates, talk and handle times per 15 min / hour / day in the calendar\'s zone',
    params: IdParams, query: ReportQuery,
    responses: { 200: { description: 'buckets in time order, empty ones included', schema: CampaignReport },
      400: { description: 'a bad interval, from or to, or a range too long for the interval' }, 404: { description: 'no such campaign' } } },
  async ({ params, query, res }) => {
    const answer = await campaignReport(ctx.repos.reports, params.id, query);
    if (!answer) throw notFound('campaign', params.id);
    res.json(answer);
  });

  reg.add(r, { method: 'get', path: '/api/v2/dialer/:id/forecast', tag, roles: STAFF,
    summary: 'When the campaign will finish: earliest, likely and latest instants from its measured rate, retries, tries left and open hours',
    params: IdParams,
    responses: { 200: { description: 'the forecast, or why there is none (a value, not an error)', schema: CampaignForecast },
      404: { description: 'no such campaign' } } },
  async ({ params, res }) => {
    const answer = await campaignForecast(ctx.repos.reports, params.id, new Date());
    if (!answer) throw notFound('campaign', params.id);
    res.json(answer);
  });

  // Before agentRoutes' /api/v2/agents/:id (app.ts), which would take `reports` for an id.
  reg.add(r, { method: 'get', path: '/api/v2/agents/reports', tag, roles: STAFF,
    summary: 'Per agent: logged-in, available, ringing, talking, wrap-up and break time, occupancy, calls and no-answers per 15 min / hour / day',
    query: AgentReportQuery,
    responses: { 200: { description: 'agents with any time or call in the range, each with every bucket in time order', schema: AgentReport },
      400: { description: 'a bad interval, from, to, zone or agent_id, or a range too long for the interval' } } },
  async ({ query, res }) => {
    res.json(await agentReport(ctx.repos.reports, query, new Date()));
  });
  return r;
}

function range(q: { from?: string | undefined; to?: string | undefined }): Pick<ExportScope, 'from' | 'to'> {
  return { ...(q.from ? { from: new Date(q.from) } : {}), ...(q.to ? { to: new Date(q.to) } : {}) };
}

async function sendExport(ctx: RouteContext, req: Request, res: Response, q: { format?: 'csv' | 'ndjson' | undefined; sep?: ',' | ';' | undefined },
  scope: ExportScope, name: string): Promise<void> {
  const ndjson = q.format === 'ndjson' || (!q.format && /application\/(x-)?ndjson/i.test(req.get('accept') ?? ''));
  const style: ExportStyle = { format: ndjson ? 'ndjson' : 'csv', separator: q.sep ?? ',' };
  res.status(200);
  res.setHeader('Content-Type', ndjson ? 'application/x-ndjson; charset=utf-8' : 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="attempts-${name}.${ndjson ? 'ndjson' : 'csv'}"`);
  res.setHeader('Cache-Control', 'no-store');
  // A long export outlives the server's idle timeouts; the client's going away still ends it.
  req.setTimeout(0);
  let out: { rows: number; complete: boolean };
  try {
    out = await writeExport(ctx.repos.reports.attempts(scope), style, res);
  } catch (err) {
    if (!res.headersSent) {
      for (const h of ['Content-Type', 'Content-Disposition']) res.removeHeader(h);
      throw err;
    }
    // Headers (and perhaps rows) are out: the only honest signal left is a cut connection.
    ctx.log.error({ err, scope }, 'attempt export failed');
    res.destroy();
    return;
  }
  if (out.complete) res.end();
  else ctx.log.info({ rows: out.rows, scope }, 'attempt export ended early: the client went away');
}
