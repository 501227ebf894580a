import { z } from 'zod';
import { Agent } from './agent-schemas.js';
import { Instant } from './common-schemas.js';
import { Attempt } from './member-schemas.js';

/*
 * W3, W4: what an agent's client shows: the agent, and the call it is on or had last with the
 * member card. GET /api/v2/agent answers it; the CTI socket's snapshot will send the same.
 */

/** Earlier attempts of the member shown on the card, newest first. */
export const PREVIOUS_ATTEMPTS_SHOWN = 20;

export const DeskCall = z.object({
  /** True from reservation until the call is settled (the phone may not have rung yet). */
  live: z.boolean().meta({ description: 'true from the reservation until the call is over; the card comes before the phone rings' }),
  attempt: Attempt,
  campaign: z.object({
    id: z.number().int(),
    name: z.string(),
    wait_result: z.boolean(),
    allow_end_wrap_up_early: z.boolean(),
  }),
  member: z.object({
    id: z.number().int(),
    name: z.string(),
    priority: z.number().int(),
    variables: z.record(z.string(), z.unknown()),
    state: z.string(),
    tries: z.number().int(),
    result: z.string().nullable(),
  }),
  /** The number this call dials. */
  number: z.string(),
  try_number: z.number().int().meta({ description: 'this call\'s place among the member\'s attempts: 1 for the first call' }),
  previous_attempts: z.array(Attempt).meta({ description: `the member's earlier attempts, newest first, at most ${PREVIOUS_ATTEMPTS_SHOWN}` }),
});
export type DeskCall = z.output<typeof DeskCall>;

/** P2: why the agent skips the member of its preview (kept as the attempt's comment). */
export const PreviewSkip = z.strictObject({
  reason: z.string().trim().min(1).max(500).meta({ description: 'why the member is skipped, e.g. "spoke yesterday"; kept in the attempt history' }),
});

export const DeskState = z.object({
  agent: Agent,
  /** When the wrap-up ends by itself; null outside Wrap up. */
  wrap_up_ends_at: Instant.nullable(),
  call: DeskCall.nullable().meta({ description: 'the current call, or else the last one; null for an agent that never had one' }),
});
export type DeskState = z.output<typeof DeskState>;
