import { Router, type Request, type Response } from 'express';
import { DIALER_ROLES, STAFF } from '../../../app/auth/roles.js';
import { IdParams } from '../../../contract/common-schemas.js';
import type { ExportStyle } from '../../../app/reports/attempt-export.js';
import { writeExport } from '../../../app/reports/export-writer.js';
import { AgentReport, AgentReportQuery, AllExportQuery, CampaignExportQuery, CampaignForecast, CampaignReport, ReportQuery } from '../../../contract/report-schemas.js';
import { addAgentSlot, agentTimesView, emptyAgentSlot, type AgentSlot } from '../../../domain/agent-times.js';
import { forecastFinish, type Forecast } from '../../../domain/forecast.js';
import { addCounts, bucketise, countsView, emptyCounts, groupSlots } from '../../../domain/interval-buckets.js';
import { agentReportRows, slotStart } from '../../mysql/agent-report-store.js';
import { streamAttempts, type ExportScope } from '../../mysql/attempt-export-store.js';
import { forecastFacts } from '../../mysql/forecast-store.js';
import { attemptSlots, campaignZone } from '../../mysql/report-store.js';
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
    const zone = await campaignZone(ctx.readDb, params.id);
    if (!zone) throw notFound('campaign', params.id);
    const from = new Date(query.from);
    const to = new Date(query.to);
    const slots = await attemptSlots(ctx.readDb, params.id, from, to);
    const totals = emptyCounts();
    for (const c of slots.values()) addCounts(totals, c);
    const answer: CampaignReport = {
      campaign_id: params.id, timezone: zone, interval: query.interval, from: from.toISOString(), to: to.toISOString(),
      buckets: bucketise(zone, query.interval, from, to, slots), totals: countsView(totals),
    };
    res.json(answer);
  });

  reg.add(r, { method: 'get', path: '/api/v2/dialer/:id/forecast', tag, roles: STAFF,
    summary: 'When the campaign will finish: earliest, likely and latest instants from its measured rate, retries, tries left and open hours',
    params: IdParams,
    responses: { 200: { description: 'the forecast, or why there is none (a value, not an error)', schema: CampaignForecast },
      404: { description: 'no such campaign' } } },
  async ({ params, res }) => {
    const now = new Date();
    const read = await forecastFacts(ctx.readDb, params.id, now);
    if (!read) throw notFound('campaign', params.id);
    res.json(forecastView(params.id, read.state, now, read.state === 'running' ? forecastFinish(read.facts) : undefined));
  });

  // Before agentRoutes' /api/v2/agents/:id (app.ts), which would take `reports` for an id.
  reg.add(r, { method: 'get', path: '/api/v2/agents/reports', tag, roles: STAFF,
    summary: 'Per agent: logged-in, available, ringing, talking, wrap-up and break time, occupancy, calls and no-answers per 15 min / hour / day',
    query: AgentReportQuery,
    responses: { 200: { description: 'agents with any time or call in the range, each with every bucket in time order', schema: AgentReport },
      400: { description: 'a bad interval, from, to, zone or agent_id, or a range too long for the interval' } } },
  async ({ query, res }) => {
    const from = slotStart(new Date(query.from));
    const to = new Date(query.to);
    // A status still held counts up to now, not into the future.
    const end = new Date(Math.min(to.getTime(), Date.now()));
    const rows = await agentReportRows(ctx.readDb, from, to, end, query.agent_id);
    const answer: AgentReport = { timezone: query.zone, interval: query.interval, from: from.toISOString(), to: to.toISOString(), agents: [] };
    for (const [agentId, slots] of [...rows.slots].sort((a, b) => a[0] - b[0])) {
      const totals = emptyAgentSlot();
      for (const s of slots.values()) addAgentSlot(totals, s);
      answer.agents.push({
        agent_id: agentId, name: rows.names.get(agentId) ?? '',
        buckets: groupSlots<AgentSlot>(query.zone, query.interval, from, to, slots, emptyAgentSlot, addAgentSlot)
          .map((b) => ({ start: b.start, local: b.local, ...agentTimesView(b.value) })),
        totals: agentTimesView(totals),
      });
    }
    res.json(answer);
  });
  return r;
}

function forecastView(id: number, state: string, at: Date, f: Forecast | undefined): CampaignForecast {
  const base = { campaign_id: id, campaign_state: state, at: at.toISOString(), reason: null, earliest: null, likely: null, latest: null, basis: null };
  if (f === undefined) {
    return state === 'finished' ? { ...base, status: 'finished' } : { ...base, status: 'not_running', reason: `the campaign is ${state}` };
  }
  if (f.kind === 'finished') return { ...base, status: 'finished' };
  if (f.kind === 'not_enough_data') return { ...base, status: 'not_enough_data', reason: f.reason };
  const b = f.basis;
  return {
    ...base, status: 'forecast',
    earliest: f.earliest?.toISOString() ?? null, likely: f.likely?.toISOString() ?? null, latest: f.latest?.toISOString() ?? null,
    basis: {
      agents: b.agents, attempts_per_agent_hour: b.attemptsPerAgentHour, retry_share: b.retryShare, uncounted_share: b.uncountedShare,
      remaining_members: b.remainingMembers, attempts_left: b.attemptsLeft, measured_attempts: b.measuredAttempts,
      measured_since: b.measuredSince.toISOString(),
    },
  };
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
    out = await writeExport(streamAttempts(ctx.readDb, scope), style, res);
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
