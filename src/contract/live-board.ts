/*
 * The live boards' rows (GET /api/v2/live), as the server sends them and the web client reads
 * them: one definition for both sides. No imports here.
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
  /** The registration's contact (where the phone is reached), shown on demand; null when not registered. */
  registered_contact: string | null;
  /** W2: offered calls only while a CTI client is connected. */
  requires_client: boolean;
  /** W2: a CTI client of the agent is connected (or went less than the grace ago); false when unknown. */
  client_online: boolean;
  no_answer_count: number;
  ready_at: string | null;
  /** When the agent last became Waiting (the claim serves the longest idle first). */
  idle_since: string | null;
  /** When the agent entered its current status and state: "time in state" on the board, counted from `server_now`. */
  state_since: string | null;
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
  /** C3: the line group whose lines the campaign shares, with the calls holding them now; null without one. */
  line_group: { id: number; name: string; capacity: number; live_calls: number } | null;
  /** Available agents of the campaign with a registered phone: the most calls its agents allow now. */
  agents_ready: number;
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
  /** The earliest ready_at of its ready members (due now when past); null when none is ready. */
  next_due_at: string | null;
  /**
   * Why the campaign is (not) dialling while it runs, or why it finished or stopped (issue 13
   * §1): `text` in plain language, `code` stable for programs; null when there is none yet.
   */
  reason: { code: string; text: string; params: Record<string, unknown> } | null;
  /** P3, P4: a predictive campaign's dial level and abandon figures; absent or null for the other types. */
  pacing?: CampaignPacing | null;
}

/** P3, P4 (a predictive campaign, on the live boards). */
export interface CampaignPacing {
  /** Subscriber calls ringing now (dialled, not yet answered). */
  lines_in_flight: number;
  /** The campaign's agents on a nailed-up call (Available, ready for or in predictive calls). */
  working_agents: number;
  /** Calls in progress (ringing or talking) per working agent; 0 without one. */
  dial_level: number;
  compliance_window: 'rolling-30-days' | 'calendar-day';
  /** Answered and abandoned calls since the window's start. */
  answered: number;
  abandoned: number;
  /** abandoned ÷ answered in per cent, against the campaign's cap and target. */
  abandon_rate_pct: number;
  abandon_cap_pct: number;
  abandon_target_pct: number;
  /** under-target, over-target, at-guard (90 % of the cap: one line per idle agent), over-cap. */
  status: 'under-target' | 'over-target' | 'at-guard' | 'over-cap';
  /** The pacer's last decision, as the process holding the campaign wrote it; null before its first. */
  pacer: PacerDecisionView | null;
}

/** P3, P4, P7: what the campaign's pacer decided last and why (src/domain/pacer.ts). */
export interface PacerDecisionView {
  decided_at: string;
  /** predictive: paced ahead of the agents (P3); progressive: a P4 guard, one line per idle agent. */
  mode: 'progressive' | 'predictive';
  /** paced (P3), or the guard: few-answers, few-agents, window-near-cap, no-recent-answer. */
  reason: string;
  /** (lines in flight + new lines) ÷ working agents, as decided (P7: at most 3). */
  dial_level: number;
  /** Subscriber calls ringing or answered and not yet bridged when it decided. */
  lines_in_flight: number;
  /** New lines it decided to dial. */
  lines: number;
  /** Working agents it counted (idle, in wrap-up or in a call). */
  working_agents: number;
}

/**
 * One `snapshot` or `update` event of the live push. A `snapshot` replaces the whole board; one
 * may come again on an open stream (when `live` changes).
 */
export interface LiveMessage {
  server_now: string;
  agents: AgentBoardRow[];
  campaigns: CampaignBoardRow[];
  removed?: { agents: number[]; campaigns: number[] };
  /**
   * Snapshots only. True when the changes of every process reach this stream as they happen;
   * false when they do not (no feed in this process, or its relay to the others is down): the
   * rows are then only as fresh as this snapshot and the board must not claim to be live.
   */
  live?: boolean;
  /**
   * The dependencies as the serving process sees them (issue 13 §1): in every snapshot (null when
   * not watched), and alone in an update when they change. Each `{up, since}`; `freeswitch` is a
   * list of nodes, or null in a process without an engine.
   */
  health?: {
    database: { up: boolean; since: string };
    redis: { up: boolean; since: string };
    freeswitch: Array<{ node: string; up: boolean; since: string }> | null;
  } | null;
}
