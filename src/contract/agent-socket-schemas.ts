import { z } from 'zod';
import { PreviewSkip } from './agent-desk-schemas.js';
import { AgentStatusChange } from './agent-schemas.js';
import { ResultStatusBody } from './member-schemas.js';

/*
 * W4: what a CTI client sends over the agent socket (docs/agent-protocol.md). Every message is a
 * JSON object {v: 1, type, id, data?}; `id` is the client's, echoed in the reply. A command's
 * `data` is exactly the body of the REST route that does the same.
 */

export const PROTOCOL_VERSION = 1;

export const Envelope = z.object({
  v: z.literal(PROTOCOL_VERSION, { error: `must be ${PROTOCOL_VERSION}, the protocol version this server speaks` }),
  type: z.string().min(1).max(64),
  id: z.string().min(1).max(128),
  data: z.unknown().optional(),
});

const empty = z.strictObject({}).optional();

/** Each command's data, by type. */
export const COMMANDS = {
  /** PUT /api/v2/agent/status */
  status: AgentStatusChange,
  /** PUT /api/v2/agent/result */
  result: ResultStatusBody,
  /** POST /api/v2/agent/hangup */
  hangup: empty,
  /** POST /api/v2/agent/wrap-up/end */
  end_wrap_up: empty,
  /** POST /api/v2/agent/preview/accept */
  preview_accept: empty,
  /** POST /api/v2/agent/preview/skip */
  preview_skip: PreviewSkip,
  /** A fresh snapshot (after a gap in the sequence numbers). */
  snapshot: empty,
} as const;
export type CommandType = keyof typeof COMMANDS;
