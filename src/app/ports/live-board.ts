/*
 * The live boards' rows (GET /api/v2/live), as the server sends them and the web client reads
 * them: one definition for both sides (the web client imports these types). No imports here.
 */

export interface AgentCallView {
  attempt_id: number;
  campaign_id: number;
  member_id: number;
  /** The subscriber number of the current attempt. */
  number: string;
  state: string;
  since: string | null;
  answered_at: string | null;
}

export interface AgentBoardRow {
  id: number;
  name: string;
  sip_user: string;
  status: string;
  state: string;
  registered_node: string | null;
  no_answer_count: number;
  ready_at: string | null;
  /** ms until every delay has passed (A2), 0 when ready; counted from `server_now`. */
  ready_in_ms: number;
  call: AgentCallView | null;
}

export interface CampaignBoardRow {
  id: number;
  name: string;
  state: string;
  limit: number;
  live_calls: number;
  members: { ready: number; dialing: number; waiting_result: number; done: number; total: number };
  /** Attempts that went past the agent leg (agent-leg failures are not dials, A3). */
  dialled: number;
  /** Members ended by a successful attempt. */
  succeeded: number;
  /** Members ended without success (error cause, MAX_TRY_COUNT, MEMBER_EXPIRED, …). */
  failed: number;
  /** Members not ended yet. */
  remaining: number;
  /** Ended members by result. */
  results: Record<string, number>;
}

/** One `snapshot` or `update` event of the live push. */
export interface LiveMessage {
  server_now: string;
  agents: AgentBoardRow[];
  campaigns: CampaignBoardRow[];
  removed?: { agents: number[]; campaigns: number[] };
}
