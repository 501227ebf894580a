/**
 * What one process tells the others on the same MySQL + Redis (DESIGN §1a: every handler safe on
 * any process): a call settled (a line and an agent may be free), or the REST API or the import
 * CLI changed a campaign, an agent or added members, or a call is to be hung up (W4: a process
 * without the event socket of that FreeSWITCH cannot do it). Each process then does what it would have
 * done for the change itself — dispatch, arm the wake-ups it implies, push to its live boards —
 * so an API-only process or the CLI wakes the engines at once, and the process that freed a line
 * does not take it every time. Fire-and-forget: MySQL holds the truth; lost news only delays
 * work until the next lease beat or safety sweep.
 */
export type DispatchNewsItem =
  | { kind: 'settled'; campaignId: number; agentId: number | null }
  | { kind: 'campaign-changed'; campaignId: number }
  | { kind: 'agent-changed'; agentId: number }
  | { kind: 'members-added'; campaignId: number }
  /** W4: an engine connected to `node` hangs the agent's leg up (a leg already gone is no error). */
  | { kind: 'hang-up'; attemptId: number; node: string; uuid: string }
  /** P2: the agent accepted this preview; the engine that holds it rings the agent (the others ignore it). */
  | { kind: 'preview-accepted'; attemptId: number };

export interface DispatchNews {
  /** Tells the other processes; batched with other news of the moment, never throws. */
  announce(item: DispatchNewsItem): void;
  /** Calls onNews with what another process announced. Once, before announcing. */
  listen(onNews: (items: DispatchNewsItem[]) => void): Promise<void>;
  /** Sends what is still pending, then disconnects. Idempotent. */
  close(): Promise<void>;
}
