import type { AgentView } from '../../domain/agent-state.js';
import type { CampaignRules } from '../../domain/attempt-rules.js';
import type { CauseOverrides } from '../../domain/cause-policy.js';
import { fromJsonColumn } from './row-mapping.js';

export const AGENT_COLUMNS = ['id', 'status', 'state', 'ready_at', 'no_answer_count', 'wrapup_sec', 'max_no_answer',
  'busy_delay_sec', 'reject_delay_sec', 'no_answer_delay_sec', 'sip_user', 'version'] as const;

export function toAgentView(r: Record<string, any>): AgentView {
  return {
    status: r.status,
    state: r.state,
    readyAt: r.ready_at,
    noAnswerCount: r.no_answer_count,
    wrapupSec: r.wrapup_sec,
    maxNoAnswer: r.max_no_answer,
    busyDelaySec: r.busy_delay_sec,
    rejectDelaySec: r.reject_delay_sec,
    noAnswerDelaySec: r.no_answer_delay_sec,
  };
}

/** The agent columns written back after a domain transition. */
export function agentViewColumns(a: AgentView, now: Date): Record<string, unknown> {
  return {
    status: a.status,
    state: a.state,
    ready_at: a.readyAt,
    no_answer_count: a.noAnswerCount,
    ...(a.state === 'Waiting' ? { idle_since: now } : {}),
    updated_at: now,
  };
}

export const CAMPAIGN_RULE_COLUMNS = ['retry_wait_sec', 'max_tries', 'min_success_sec', 'wait_result', 'wrapup_sec', 'causes',
  'max_minus_attempts'] as const;

export function toCampaignRules(r: Record<string, any>): CampaignRules {
  return {
    retryWaitSec: r.retry_wait_sec,
    maxTries: r.max_tries,
    minSuccessSec: r.min_success_sec,
    waitResult: Boolean(r.wait_result),
    wrapupSec: r.wrapup_sec,
    causes: fromJsonColumn<CauseOverrides>(r.causes, {}),
    maxMinusAttempts: r.max_minus_attempts,
  };
}
