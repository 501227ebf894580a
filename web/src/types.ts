/* Shapes of the REST answers the client reads (see GET /api/openapi.json). */

export interface Calendar {
  id: number;
  name: string;
  timezone: string;
  start_at: string | null;
  end_at: string | null;
  windows: Array<{ day: number; start: string; end: string }>;
  holidays: Array<{ date: string; name: string; repeat_yearly: boolean }>;
}

export interface LineGroup {
  id: number;
  name: string;
  capacity: number;
}

export type CauseClass = 'error' | 'retry' | 'ok' | 'minus';

export interface Campaign {
  id: number;
  name: string;
  /** P1: agent first (progressive), member card first (preview) or subscriber first (predictive). */
  type: 'progressive' | 'preview' | 'predictive';
  /** P2: seconds to accept or skip a preview, and what a timeout does. */
  preview_sec: number;
  preview_timeout: 'dial' | 'return';
  /** P4: abandon cap and the pacer's target, in per cent, over the compliance window. */
  abandon_cap_pct: number;
  abandon_target_pct: number;
  compliance_window: 'rolling-30-days' | 'calendar-day';
  /** P5 */
  min_ring_sec: number;
  /** P3: played to an answered subscriber no agent is free for; with an optional DNC opt-out key. */
  info_message: string | null;
  dnc_opt_out_key: string | null;
  amd: boolean;
  calendar_id: number;
  priority: number;
  limit: number;
  retry_wait_sec: number;
  max_tries: number;
  /** C9: uncounted (minus) attempts of a member before it ends with the last cause. */
  max_minus_attempts: number;
  min_success_sec: number;
  wait_result: boolean;
  wrapup_sec: number;
  /** W4: its agents may end their wrap-up early. */
  allow_end_wrap_up_early: boolean;
  variables: Record<string, unknown>;
  causes: Record<string, CauseClass>;
  line_group_id: number | null;
  state: 'idle' | 'running' | 'stopping' | 'stopped' | 'finished';
  /** Why it is (not) dialling, or why it ended, in plain language (`text`). */
  reason: { code: string; text: string; params: Record<string, unknown> } | null;
}

export interface Agent {
  id: number;
  name: string;
  sip_user: string;
  call_timeout: number;
  wrapup_sec: number;
  max_no_answer: number;
  busy_delay_sec: number;
  reject_delay_sec: number;
  no_answer_delay_sec: number;
  /** W2: offered calls only while a client is connected to the CTI socket. */
  requires_client: boolean;
  status: 'Available' | 'On Break' | 'Logged Out';
  /** W4: the reason given with On Break; null otherwise. */
  break_reason: string | null;
  state: string;
  no_answer_count: number;
  ready_at: string | null;
  registered_node: string | null;
}

export interface Tier {
  campaign_id: number;
  agent_id: number;
  level: number;
  agent_name: string;
  sip_user: string;
}

/** A campaign an agent works (GET /api/v2/agents/:id/tiers). */
export interface AgentTier {
  campaign_id: number;
  campaign_name: string;
  campaign_state: string;
  level: number;
}

export interface Member {
  id: number;
  name: string;
  priority: number;
  expire_at: string | null;
  timezone: string | null;
  variables: Record<string, unknown>;
  communications: Array<{ id: number; number: string; priority: number; state: string; tries: number; last_cause: string | null }>;
  state: string;
  ready_at: string | null;
  tries: number;
  /** C9: attempts not counted in tries; max_minus_attempts of the campaign ends the member. */
  minus_tries: number;
  result: string | null;
  ended_at: string | null;
}

export interface Attempt {
  id: number;
  communication_id: number;
  number: string;
  agent_id: number | null;
  node: string | null;
  state: string;
  /** Call ids: the agent leg's and the subscriber leg's FreeSWITCH uuids. */
  agent_uuid: string | null;
  member_uuid: string | null;
  created_at: string | null;
  agent_answered_at: string | null;
  answered_at: string | null;
  ended_at: string | null;
  agent_cause: string | null;
  hangup_cause: string | null;
  talk_sec: number | null;
  outcome: string | null;
  result_status: unknown;
  comment: string | null;
}

export interface DncEntry {
  id: number;
  campaign_id: number | null;
  number: string;
  created_at: string | null;
}

/* The live push (GET /api/v2/live): the server's own definitions. */
export type { AgentBoardRow, CampaignBoardRow, LiveMessage } from '../../src/app/ports/live-board.js';

export interface User {
  id: number;
  username: string;
  role: 'admin' | 'operator' | 'api' | 'agent';
  /** W1: the agent a user of role agent acts as; null for every other role. */
  agent_id: number | null;
  created_at: string | null;
}
