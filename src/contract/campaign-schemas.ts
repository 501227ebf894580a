import { z } from 'zod';
import { CAUSE_CLASSES } from '../domain/cause-policy.js';
import {
  CAMPAIGN_TYPES, COMPLIANCE_WINDOWS, DEFAULT_PACING, DTMF_DIGITS, PREVIEW_TIMEOUT_POLICIES,
} from '../domain/campaign-type.js';
import { Instant, Timestamps, Variables } from './common-schemas.js';

export const CAMPAIGN_STATES = ['idle', 'running', 'stopping', 'stopped', 'finished'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/** C9: overrides of the default cause table, e.g. `{"USER_BUSY": "minus"}`. */
export const CauseOverrides = z.record(
  z.string().regex(/^[A-Z_]+$/, 'cause names are upper-case FreeSWITCH hangup causes').max(64),
  z.enum(CAUSE_CLASSES),
);

/*
 * P3: a file or URL FreeSWITCH's playback can open. Characters that FreeSWITCH would read as
 * variables, argument separators or quoting ({ } $ ! ' " space) are refused: the value is put
 * into the dialplan as it is.
 */
const InfoMessage = z.string().max(1024)
  .regex(/^(?:\/|(?:https?|http_cache|shout|tone_stream):\/\/|[A-Za-z0-9_])[A-Za-z0-9._~/:?&=%+@,;()-]*$/,
    'must be an absolute file path, a path under the sounds directory or an http(s)://, http_cache://, shout:// or tone_stream:// URL, without spaces, quotes, braces, $ or !')
  .meta({ description: 'P3: what the switch plays to an answered subscriber no agent is free for, e.g. /usr/share/freeswitch/sounds/dialer-abandon.wav', example: '/usr/share/freeswitch/sounds/dialer-abandon.wav' });

/** P1: the type and the settings of preview (P2) and predictive (P3-P5) dialling. */
const pacingFields = {
  type: z.enum(CAMPAIGN_TYPES)
    .meta({ description: 'P1: progressive (agent first, A4), preview (the agent sees the member first, P2) or predictive (subscriber first, P3). Changes only while the campaign is not running or stopping.' }),
  preview_sec: z.number().int().min(5).max(600)
    .meta({ description: 'P2: seconds a reserved agent has to accept or skip a preview' }),
  preview_timeout: z.enum(PREVIEW_TIMEOUT_POLICIES)
    .meta({ description: 'P2: when the preview time passes, dial the member (dial) or give it back to the queue and free the agent (return)' }),
  abandon_cap_pct: z.number().gt(0).max(10).multipleOf(0.01)
    .meta({ description: 'P4: abandoned calls over answered calls in the compliance window never exceed this, in per cent (US and UK: 3)' }),
  abandon_target_pct: z.number().gt(0).max(10).multipleOf(0.01)
    .meta({ description: 'P4: the abandon rate the pacer aims at, in per cent, at most abandon_cap_pct; default 80 % of the cap' }),
  compliance_window: z.enum(COMPLIANCE_WINDOWS)
    .meta({ description: 'P4: the abandon rate is measured over the last 30 days (US) or the calendar day in the calendar\'s zone (UK)' }),
  min_ring_sec: z.number().int().min(15).max(300)
    .meta({ description: 'P5: an unanswered subscriber call rings at least this long before the dialler ends it' }),
  info_message: InfoMessage.nullable(),
  dnc_opt_out_key: z.enum(DTMF_DIGITS).nullable()
    .meta({ description: 'P3: a key the subscriber may press during the information message to be added to the DNC list; null offers none' }),
  amd: z.boolean()
    .meta({ description: 'P3: answering-machine detection on subscriber calls; kept as a setting only: no detection is run in this version (stock FreeSWITCH 1.10 has no human/machine module), every answer is taken as human' }),
};

const fields = {
  name: z.string().trim().min(1).max(128),
  ...pacingFields,
  calendar_id: z.number().int().positive(),
  /** C3: higher first. */
  priority: z.number().int().min(-1_000_000).max(1_000_000),
  /** C2: max simultaneous calls of this campaign. */
  limit: z.number().int().min(1).max(100_000),
  retry_wait_sec: z.number().int().min(0).max(30 * 86400),
  max_tries: z.number().int().min(1).max(1000),
  /** C9: uncounted (minus) attempts of a member before it ends with the last cause. */
  max_minus_attempts: z.number().int().min(1).max(1000)
    .meta({ description: 'C9: attempts of a member whose cause is of class minus (not counted in max_tries) before the member ends with that cause' }),
  min_success_sec: z.number().int().min(0).max(86400),
  /** C7 */
  wait_result: z.boolean(),
  wrapup_sec: z.number().int().min(0).max(86400),
  /** W4 */
  allow_end_wrap_up_early: z.boolean()
    .meta({ description: 'W4: an agent may end its wrap-up after a call of this campaign before the wrap-up time is over' }),
  variables: Variables,
  causes: CauseOverrides,
  line_group_id: z.number().int().positive().nullable(),
};

export const CampaignCreate = z.strictObject({
  ...fields,
  type: fields.type.default(DEFAULT_PACING.type),
  preview_sec: fields.preview_sec.default(DEFAULT_PACING.preview_sec),
  preview_timeout: fields.preview_timeout.default(DEFAULT_PACING.preview_timeout),
  abandon_cap_pct: fields.abandon_cap_pct.default(DEFAULT_PACING.abandon_cap_pct),
  /** Absent: 80 % of the cap given (set when the campaign is created). */
  abandon_target_pct: fields.abandon_target_pct.optional(),
  compliance_window: fields.compliance_window.default(DEFAULT_PACING.compliance_window),
  min_ring_sec: fields.min_ring_sec.default(DEFAULT_PACING.min_ring_sec),
  info_message: fields.info_message.default(DEFAULT_PACING.info_message),
  dnc_opt_out_key: fields.dnc_opt_out_key.default(DEFAULT_PACING.dnc_opt_out_key),
  amd: fields.amd.default(DEFAULT_PACING.amd),
  priority: fields.priority.default(0),
  retry_wait_sec: fields.retry_wait_sec.default(300),
  max_tries: fields.max_tries.default(3),
  max_minus_attempts: fields.max_minus_attempts.default(10),
  min_success_sec: fields.min_success_sec.default(10),
  wait_result: fields.wait_result.default(false),
  wrapup_sec: fields.wrapup_sec.default(60),
  allow_end_wrap_up_early: fields.allow_end_wrap_up_early.default(false),
  variables: fields.variables.default({}),
  causes: fields.causes.default({}),
  line_group_id: fields.line_group_id.default(null),
});

/** PUT changes the fields given; `causes` replaces the stored overrides as a whole. */
export const CampaignUpdate = z.strictObject(fields).partial();

export type CampaignCreateInput = z.output<typeof CampaignCreate>;
export type CampaignUpdateInput = z.output<typeof CampaignUpdate>;

/** Issue 13 §1: why a running campaign is (not) dialling, or why it finished or stopped. */
export const CampaignReason = z.object({
  code: z.string().meta({ description: 'stable code, e.g. no-agent-ready, freeswitch-down, calendar-closed, limit-reached, finished' }),
  text: z.string().meta({ description: 'the reason in plain language, e.g. "no agent ready: 2 Available but not registered"' }),
  params: z.record(z.string(), z.unknown()).meta({ description: 'the figures the text is made of' }),
}).nullable().meta({ description: 'null until the engine has looked at a newly run campaign, and for one never run' });

export const Campaign = z.object({
  id: z.number().int(),
  name: z.string(),
  type: z.enum(CAMPAIGN_TYPES),
  preview_sec: z.number().int(),
  preview_timeout: z.enum(PREVIEW_TIMEOUT_POLICIES),
  abandon_cap_pct: z.number(),
  abandon_target_pct: z.number(),
  compliance_window: z.enum(COMPLIANCE_WINDOWS),
  min_ring_sec: z.number().int(),
  info_message: z.string().nullable(),
  dnc_opt_out_key: z.enum(DTMF_DIGITS).nullable(),
  amd: z.boolean(),
  calendar_id: z.number().int(),
  priority: z.number().int(),
  limit: z.number().int(),
  retry_wait_sec: z.number().int(),
  max_tries: z.number().int(),
  max_minus_attempts: z.number().int(),
  min_success_sec: z.number().int(),
  wait_result: z.boolean(),
  wrapup_sec: z.number().int(),
  allow_end_wrap_up_early: z.boolean(),
  variables: z.record(z.string(), z.unknown()),
  causes: z.record(z.string(), z.enum(CAUSE_CLASSES)).meta({ description: 'effective table: defaults with this campaign\'s overrides' }),
  line_group_id: z.number().int().nullable(),
  state: z.enum(CAMPAIGN_STATES),
  version: z.number().int(),
  finished_at: Instant.nullable(),
  reason: CampaignReason,
  ...Timestamps,
});
export type Campaign = z.output<typeof Campaign>;

export const CampaignStats = z.object({
  members: z.object({
    ready: z.number().int(),
    dialing: z.number().int(),
    waiting_result: z.number().int(),
    done: z.number().int(),
    total: z.number().int(),
  }),
  results: z.record(z.string(), z.number().int()),
  live_calls: z.number().int(),
  attempts: z.number().int().meta({ description: 'every attempt of the campaign, those that ended at the agent\'s leg included' }),
  dialled: z.number().int().meta({ description: 'attempts that dialled (or are dialling) the subscriber: every attempt but one that ended at the agent\'s leg; the live board\'s "Dialled"' }),
  succeeded: z.number().int().meta({ description: 'members ended by a successful call; the live board\'s "Succeeded"' }),
  failed: z.number().int().meta({ description: 'members ended without success; the live board\'s "Failed"' }),
  reason: CampaignReason,
});
export type CampaignStats = z.output<typeof CampaignStats>;
