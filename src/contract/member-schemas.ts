import { z } from 'zod';
import { CommunicationInput } from './member-input.js';
import { Instant, Timestamps } from './common-schemas.js';

export const MEMBER_STATES = ['ready', 'dialing', 'waiting_result', 'done'] as const;

/**
 * PUT .../members/:mid: the fields given replace the stored ones; the merged
 * member is then checked with the same MemberInput schema as an upload.
 */
export const MemberUpdate = z
  .strictObject({
    name: z.string(),
    priority: z.number().int(),
    expire_at: z.string().nullable(),
    timezone: z.string().nullable(),
    variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    communications: z.array(CommunicationInput),
  })
  .partial();

export const MemberListQuery = z.strictObject({
  state: z.enum(MEMBER_STATES).optional(),
  result: z.string().max(64).optional(),
  number: z.string().max(32).optional().meta({ description: 'exact number of one of the member\'s communications' }),
  name: z.string().max(255).optional().meta({ description: 'name prefix' }),
  wait: z.enum(['later', 'callback']).optional().meta({
    description: 'later: ready members whose next try is still to come (ready_at in the future); callback: those of them whose time was set by a result status (next_after_sec of their last call\'s status, R1)',
  }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z.coerce.number().int().min(0).default(0).meta({ description: 'keyset cursor: next_after of the previous page' }),
});
export type MemberListQuery = z.output<typeof MemberListQuery>;

export const Communication = z.object({
  id: z.number().int(),
  number: z.string(),
  priority: z.number().int(),
  state: z.enum(['active', 'stopped']),
  tries: z.number().int(),
  last_cause: z.string().nullable(),
});

export const Member = z.object({
  id: z.number().int(),
  campaign_id: z.number().int(),
  name: z.string(),
  priority: z.number().int(),
  expire_at: Instant.nullable(),
  timezone: z.string().nullable(),
  variables: z.record(z.string(), z.unknown()),
  communications: z.array(Communication),
  state: z.enum(MEMBER_STATES),
  ready_at: Instant.nullable(),
  tries: z.number().int(),
  minus_tries: z.number().int().meta({ description: 'C9: attempts not counted in tries (minus causes, calls whose end was never reported); the campaign\'s max_minus_attempts ends the member' }),
  result: z.string().nullable(),
  ended_at: Instant.nullable(),
  ...Timestamps,
});
export type Member = z.output<typeof Member>;

export const MemberPage = z.object({ items: z.array(Member), next_after: z.number().int().nullable() });

/** M5: one attempt of the member's history. */
export const Attempt = z.object({
  id: z.number().int(),
  communication_id: z.number().int(),
  number: z.string(),
  agent_id: z.number().int().nullable(),
  node: z.string().nullable(),
  state: z.string(),
  agent_uuid: z.string().nullable(),
  member_uuid: z.string().nullable(),
  created_at: Instant.nullable(),
  agent_answered_at: Instant.nullable(),
  answered_at: Instant.nullable(),
  ended_at: Instant.nullable(),
  agent_cause: z.string().nullable(),
  hangup_cause: z.string().nullable(),
  talk_sec: z.number().int().nullable(),
  wrap_up_sec: z.number().int().nullable()
    .meta({ description: 'Q1: the wrap-up that followed the attempt, in seconds; null while it runs and when the agent had none' }),
  outcome: z.string().nullable(),
  result_status: z.unknown().nullable(),
  comment: z.string().nullable().meta({ description: 'the result status\'s comment, or the reason a preview was skipped' }),
  preview_deadline_at: Instant.nullable().meta({ description: 'P2: a preview\'s end: accept or skip before it; null for a call that was not previewed' }),
  preview_decision: z.enum(['accepted', 'skipped', 'timed_out']).nullable()
    .meta({ description: 'P2: how the preview ended; a skipped or returned one (outcome skipped) dialled nothing and used no try' }),
});
export type Attempt = z.output<typeof Attempt>;

/** R1 body, exactly the fields of the reference page. */
export const ResultStatusBody = z.strictObject({
  success: z.boolean(),
  reset_retries: z.boolean().optional(),
  next_after_sec: z.number().int().min(0).max(365 * 86400).optional(),
  next_communication: z.string().regex(/^[0-9+*#]{3,32}$/, 'must be 3..32 characters of 0-9 + * #').optional(),
  stop_communications: z
    .union([z.array(z.string().regex(/^[0-9+*#]{3,32}$/, 'must be 3..32 characters of 0-9 + * #')).max(100), z.literal('all')])
    .optional(),
  comment: z.string().max(4000).optional(),
});
