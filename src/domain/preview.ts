/*
 * P2: a preview attempt. The agent is reserved and sees the member card before anything is
 * dialled; it accepts (the call then goes as A4) or skips with a reason within the campaign's
 * preview time; when that passes the campaign's policy dials or returns the member. Decisions
 * where the SPEC is silent:
 *  - A skip and a returned preview are kept as attempts (outcome `skipped`) that use no try and
 *    no uncounted try; the member is ready again after the campaign's retry wait, as after any
 *    attempt (C4), so a skipped member is not offered again at once.
 *  - A skip frees the agent at once: it answered, so its no-answer streak is over. A preview
 *    that timed out and is returned counts as an unanswered offer (A3): the no-answer delay,
 *    and max no answer puts the agent On Break, as an agent away from the desk would be.
 */
import type { PreviewTimeoutPolicy } from './campaign-type.js';
import type { AgentView } from './agent-state.js';
import { onAgentLegFailed } from './agent-state.js';
import type { MemberDecision } from './attempt-rules.js';

export type PreviewDecision = 'accepted' | 'skipped' | 'timed_out';

/** The attempt's outcome and agent cause of a preview that was not dialled. */
export const SKIPPED_OUTCOME = 'skipped';
export const PREVIEW_SKIPPED_CAUSE = 'PREVIEW_SKIPPED';
export const PREVIEW_TIMEOUT_CAUSE = 'PREVIEW_TIMEOUT';

/** When the preview time is over: an accept recorded meanwhile still dials, else the policy decides. */
export function onPreviewTimeout(decision: PreviewDecision | null, policy: PreviewTimeoutPolicy): 'dial' | 'return' {
  return decision === 'accepted' ? 'dial' : policy;
}

/** The member after a preview that was not dialled: ready after the retry wait, nothing counted. */
export function memberAfterPreview(retryWaitSec: number, now: Date): MemberDecision {
  return { kind: 'retry', readyAt: new Date(now.getTime() + retryWaitSec * 1000), counts: 'none', stopNumber: false };
}

/** The agent after a skip (Waiting now) or a returned preview (the no-answer path of A3). */
export function agentAfterPreview(a: AgentView, how: 'skipped' | 'timed_out', now: Date): AgentView {
  if (how === 'timed_out') {
    const { unregistered: _, ...next } = onAgentLegFailed(a, 'NO_ANSWER', now);
    return next;
  }
  return { ...a, state: 'Waiting', readyAt: now, noAnswerCount: 0 };
}
