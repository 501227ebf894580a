import { z } from 'zod';
import { Instant, Timestamps } from './common-schemas.js';

export const AGENT_STATUSES = ['Available', 'On Break', 'Logged Out'] as const;
export const AGENT_STATES = ['Waiting', 'Reserved', 'Receiving', 'In a queue call', 'Wrap up'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

const fields = {
  name: z.string().trim().min(1).max(128),
  /** A1: extension@domain, as used in `user/<sip_user>`. */
  sip_user: z.string().regex(/^[A-Za-z0-9_.+-]+(@[A-Za-z0-9.-]+)?$/, 'expected extension@domain').max(128),
  call_timeout: z.number().int().min(1).max(600),
  wrapup_sec: z.number().int().min(0).max(86400),
  max_no_answer: z.number().int().min(0).max(1000),
  busy_delay_sec: z.number().int().min(0).max(86400),
  reject_delay_sec: z.number().int().min(0).max(86400),
  no_answer_delay_sec: z.number().int().min(0).max(86400),
  /** W2: offered calls only while a client is connected over the CTI socket. */
  requires_client: z.boolean().meta({ description: 'W2: offered calls only while a client of the agent is connected to the CTI socket (GET /api/v2/agent/socket) and answering heartbeats' }),
};

export const AgentCreate = z.strictObject({
  ...fields,
  call_timeout: fields.call_timeout.default(60),
  wrapup_sec: fields.wrapup_sec.default(10),
  max_no_answer: fields.max_no_answer.default(3),
  busy_delay_sec: fields.busy_delay_sec.default(30),
  reject_delay_sec: fields.reject_delay_sec.default(30),
  no_answer_delay_sec: fields.no_answer_delay_sec.default(30),
  requires_client: fields.requires_client.default(false),
});
export const AgentUpdate = z.strictObject(fields).partial();
/** A5, W4: the reason goes with On Break only (e.g. "lunch"); it is shown while the break lasts. */
export const AgentStatusChange = z.strictObject({
  status: z.enum(AGENT_STATUSES),
  reason: z.string().trim().min(1).max(255).optional().meta({ description: 'W4: why the agent is on break; only with status On Break' }),
}).superRefine((b, ctx) => {
  if (b.reason !== undefined && b.status !== 'On Break') ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a reason goes with status On Break only' });
});

export type AgentCreateInput = z.output<typeof AgentCreate>;
export type AgentUpdateInput = z.output<typeof AgentUpdate>;

export const Agent = z.object({
  id: z.number().int(),
  name: z.string(),
  sip_user: z.string(),
  call_timeout: z.number().int(),
  wrapup_sec: z.number().int(),
  max_no_answer: z.number().int(),
  busy_delay_sec: z.number().int(),
  reject_delay_sec: z.number().int(),
  no_answer_delay_sec: z.number().int(),
  requires_client: z.boolean(),
  status: z.enum(AGENT_STATUSES),
  break_reason: z.string().nullable().meta({ description: 'W4: the reason given with On Break; null otherwise' }),
  state: z.enum(AGENT_STATES),
  no_answer_count: z.number().int(),
  ready_at: Instant.nullable(),
  registered_node: z.string().nullable().meta({ description: 'FreeSWITCH server where the phone is registered; null when it is not' }),
  version: z.number().int(),
  ...Timestamps,
});
export type Agent = z.output<typeof Agent>;

/** A campaign an agent works, with its level (A1). */
export const TierCreate = z.strictObject({
  agent_id: z.number().int().positive(),
  level: z.number().int().min(1).max(1000).default(1),
});
export const TierUpdate = z.strictObject({ level: z.number().int().min(1).max(1000) });
export const Tier = z.object({
  campaign_id: z.number().int(),
  agent_id: z.number().int(),
  level: z.number().int(),
  agent_name: z.string(),
  sip_user: z.string(),
});
export type Tier = z.output<typeof Tier>;

/** A1: a campaign the agent works, seen from the agent. */
export const AgentTier = z.object({
  campaign_id: z.number().int(),
  campaign_name: z.string(),
  campaign_state: z.string(),
  level: z.number().int(),
});
export type AgentTier = z.output<typeof AgentTier>;
