import { z } from 'zod';
import { IanaZone, IdParam, Instant } from './common-schemas.js';
import { INTERVALS, MAX_RANGE_DAYS, type Interval } from '../domain/interval-buckets.js';
import { COMPLIANCE_WINDOWS } from '../domain/campaign-type.js';

/** `from` before `to`, both named in the message (S2). */
function rangeInOrder(q: { from?: string | undefined; to?: string | undefined }, ctx: z.RefinementCtx): void {
  if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  }
}

const ExportFields = {
  format: z.enum(['csv', 'ndjson']).optional()
    .meta({ description: 'csv (default) or ndjson; without it, an Accept of application/x-ndjson picks ndjson' }),
  sep: z.enum([',', ';']).optional()
    .meta({ description: 'CSV separator; `;` also writes a first line `sep=;` for spreadsheets of comma-decimal locales' }),
};

/** Q1 GET /api/v2/dialer/:id/attempts/export: optionally a range of the attempts' creation. */
export const CampaignExportQuery = z.object({
  ...ExportFields,
  from: Instant.optional().meta({ description: 'attempts created at or after this instant' }),
  to: Instant.optional().meta({ description: 'attempts created before this instant' }),
}).superRefine(rangeInOrder);

/** Q1 GET /api/v2/attempts/export: every campaign, so the range is required. */
export const AllExportQuery = z.object({
  ...ExportFields,
  from: Instant.meta({ description: 'attempts created at or after this instant' }),
  to: Instant.meta({ description: 'attempts created before this instant' }),
}).superRefine(rangeInOrder);

const ReportFields = {
  interval: z.enum(INTERVALS).meta({ description: 'bucket length, in the wall clock of the campaign\'s calendar zone' }),
  from: Instant.meta({ description: 'first instant reported (rounded down to its quarter hour)' }),
  to: Instant.meta({ description: 'end of the report (exclusive)' }),
};

/** The range in order and not too long for the interval (a few thousand buckets at most). */
function reportRange(q: { interval: Interval; from: string; to: string }, ctx: z.RefinementCtx): void {
  rangeInOrder(q, ctx);
  const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000;
  const max = MAX_RANGE_DAYS[q.interval];
  if (days > max) ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${max} days after from for interval=${q.interval}` });
}

/** Q2 GET /api/v2/dialer/:id/reports. */
export const ReportQuery = z.object(ReportFields).superRefine(reportRange);

export const ReportBucket = z.object({
  start: z.string().meta({ description: 'first instant of the bucket, UTC' }),
  local: z.string().meta({ description: 'its wall-clock start in the zone, with the offset (a DST change repeats an hour: two buckets)' }),
  attempts: z.number().int(),
  answered: z.number().int().meta({ description: 'attempts the subscriber answered' }),
  abandoned: z.number().int().meta({ description: 'answered attempts no agent took: the information message played, cause ABANDONED (P3)' }),
  successful: z.number().int().meta({ description: 'attempts with outcome success' }),
  contact_rate: z.number().nullable().meta({ description: 'answered / attempts; null without attempts' }),
  abandon_rate: z.number().nullable().meta({ description: 'abandoned / answered (P4, as the live board counts it); null without answers' }),
  success_rate: z.number().nullable().meta({ description: 'successful / attempts; null without attempts' }),
  avg_talk_sec: z.number().nullable().meta({ description: 'mean talk time of the answered attempts' }),
  avg_handle_sec: z.number().nullable().meta({ description: 'mean handle time: from the agent answering to the call\'s end, plus the wrap-up that followed (attempts.wrap_up_sec, counted once it has ended)' }),
  outcomes: z.record(z.string(), z.number().int()).meta({ description: 'attempts by outcome class (success, retry, error, minus, agent_failed, waiting_result, skipped (a preview not dialled, P2), …; live: not ended yet)' }),
});

export const CampaignReport = z.object({
  campaign_id: z.number().int(),
  timezone: z.string(),
  interval: z.enum(INTERVALS),
  from: z.string(),
  to: z.string(),
  buckets: z.array(ReportBucket),
  totals: ReportBucket.omit({ start: true, local: true }),
  abandon_cap: z.object({
    cap_pct: z.number().meta({ description: 'the abandon rate the campaign must never exceed over its compliance window, per cent' }),
    target_pct: z.number().meta({ description: 'the rate the pacer aims below, per cent' }),
    compliance_window: z.enum(COMPLIANCE_WINDOWS),
  }).nullable().meta({ description: 'P4: a predictive campaign\'s abandon cap; null for another type. The range of a report is not the compliance window: the live board gives the window\'s rate' }),
});
export type CampaignReport = z.output<typeof CampaignReport>;

/** Q3 GET /api/v2/dialer/:id/forecast. */
export const CampaignForecast = z.object({
  campaign_id: z.number().int(),
  campaign_state: z.string(),
  at: z.string().meta({ description: 'the instant the forecast was made' }),
  status: z.enum(['forecast', 'not_enough_data', 'not_running', 'finished'])
    .meta({ description: 'forecast: the instants below are set; not_enough_data / not_running: see reason; finished: no member is left' }),
  reason: z.string().nullable(),
  earliest: z.string().nullable().meta({ description: 'finish with the fast end of the measured rate and the low share of retries; null: not within the calendar' }),
  likely: z.string().nullable().meta({ description: 'finish at the measured rate and share of retries' }),
  latest: z.string().nullable().meta({ description: 'finish with the slow end of the rate and the high share of retries; null: not before the calendar ends (or within 400 days)' }),
  basis: z.object({
    agents: z.number().int().meta({ description: 'agents of the campaign logged in now' }),
    attempts_per_agent_hour: z.number().meta({ description: 'over the open calendar hours of the recent attempts' }),
    retry_share: z.number().meta({ description: 'share of the recent attempts using a try that left the member to be tried again' }),
    uncounted_share: z.number().meta({ description: 'share of the recent attempts using no try (minus causes, agent failures)' }),
    remaining_members: z.number().int(),
    attempts_left: z.number().int().meta({ description: 'attempts still expected (likely case)' }),
    measured_attempts: z.number().int().meta({ description: 'the latest attempts the rate was measured on (at most 200)' }),
    measured_since: z.string(),
  }).nullable(),
});
export type CampaignForecast = z.output<typeof CampaignForecast>;

/** Q2 GET /api/v2/agents/reports: agents work several campaigns, so the zone is asked for. */
export const AgentReportQuery = z.object({
  ...ReportFields,
  to: Instant.meta({ description: 'end of the report (exclusive), rounded up to its quarter hour' }),
  interval: z.enum(INTERVALS).meta({ description: 'bucket length, in the wall clock of `zone`' }),
  zone: IanaZone.default('UTC').meta({ description: 'IANA time zone of the buckets (default UTC)' }),
  agent_id: IdParam.optional().meta({ description: 'only this agent' }),
}).superRefine(reportRange);

const AgentTimes = z.object({
  logged_in_sec: z.number().meta({ description: 'time not Logged Out, or on a call or in wrap-up; the sum of the five times below' }),
  available_sec: z.number().meta({ description: 'Available and Waiting' }),
  ringing_sec: z.number().meta({ description: 'Available and Reserved or Receiving: offered a call, not answered yet' }),
  talking_sec: z.number().meta({ description: 'In a queue call' }),
  wrap_up_sec: z.number().meta({ description: 'Wrap up' }),
  break_sec: z.number().meta({ description: 'On Break (outside a call and its wrap-up)' }),
  occupancy: z.number().nullable().meta({ description: '(talking + wrap_up) / (logged_in − break); null when that is 0' }),
  calls: z.number().int().meta({ description: 'attempts created in the bucket that the agent answered (still counted after the attempt\'s member or campaign is deleted)' }),
  no_answers: z.number().int().meta({ description: 'attempts created in the bucket whose agent leg failed with a no-answer cause (A3)' }),
});

export const AgentReport = z.object({
  timezone: z.string(),
  interval: z.enum(INTERVALS),
  from: z.string(),
  to: z.string(),
  agents: z.array(z.object({
    agent_id: z.number().int(),
    name: z.string(),
    buckets: z.array(AgentTimes.extend({ start: z.string(), local: z.string() })),
    totals: AgentTimes,
  })),
});
export type AgentReport = z.output<typeof AgentReport>;
