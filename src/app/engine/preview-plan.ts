/*
 * P2: the end of a preview as a value. From a snapshot of the preview's rows and what happened
 * (the agent accepted or skipped, or the preview time passed), the writes that follow. No I/O:
 * the store applies a plan in one statement, only while the rows are still as the snapshot saw
 * them (PreviewPlan.expect); otherwise they are read and planned again (preview-decisions.ts).
 */
import type { MemberDecision } from '../../domain/attempt-rules.js';
import {
  agentAfterPreview, memberAfterPreview, onPreviewTimeout, PREVIEW_SKIPPED_CAUSE, PREVIEW_TIMEOUT_CAUSE, SKIPPED_OUTCOME,
} from '../../domain/preview.js';
import type { WakeUp } from '../ports/call-store.js';
import type { PreviewPlan, PreviewSnapshot } from '../ports/preview-store.js';
import { expireIfDue, memberAndAgentWrites } from './settle-plan.js';

export type PreviewEvent =
  /** The agent accepts its preview: the call goes as A4 from the engine holding it. */
  | { kind: 'accept'; agentId: number }
  /** The agent skips its preview with a reason: nothing is dialled. */
  | { kind: 'skip'; agentId: number; reason: string }
  /** The preview time passed: the campaign's policy decides (an accept made meanwhile still dials). */
  | { kind: 'deadline' };

export type PreviewStep =
  /** Accept or skip: the agent has no undecided preview (none, another state, already decided). */
  | { kind: 'no-preview'; state: string | null }
  /** Deadline: the preview is no longer there (dialled, skipped, recovered). */
  | { kind: 'gone' }
  /** The accept, recorded on the attempt. */
  | { kind: 'accept'; plan: PreviewPlan }
  /** Deadline: dial; `plan` records the time-out when nothing was decided yet (null: nothing to write). */
  | { kind: 'dial'; plan: PreviewPlan | null }
  /** Skipped or returned: the attempt kept as skipped, no try used, the member after its retry wait, the agent freed. */
  | { kind: 'end'; plan: PreviewPlan; decision: MemberDecision; wakeUps: WakeUp[] };

export function planPreview(s: PreviewSnapshot | null, e: PreviewEvent, now: Date): PreviewStep {
  switch (e.kind) {
    case 'accept':
    case 'skip': {
      // Only the agent's own preview, still previewing and undecided.
      if (!s || s.agentId !== e.agentId || s.attemptState !== 'previewing' || s.previewDecision !== null) {
        return { kind: 'no-preview', state: s ? s.attemptState : null };
      }
      if (e.kind === 'skip') return endPreview(s, 'skipped', e.reason, e.agentId, now);
      return {
        kind: 'accept',
        plan: { ...ids(s), expect: { decision: null, agentId: e.agentId }, decision: 'accepted', end: null },
      };
    }
    case 'deadline': {
      if (!s || s.attemptState !== 'previewing') return { kind: 'gone' };
      if (onPreviewTimeout(s.previewDecision, s.campaign.previewTimeout) === 'return') return endPreview(s, 'timed_out', null, undefined, now);
      // Recorded once, so the history tells a preview the policy dialled from one the agent accepted.
      if (s.previewDecision !== null) return { kind: 'dial', plan: null };
      return {
        kind: 'dial',
        plan: { ...ids(s), expect: { decision: null, campaignVersion: s.campaign.version }, decision: 'timed_out', end: null },
      };
    }
    default: {
      const never: never = e;
      return never;
    }
  }
}

function ids(s: PreviewSnapshot): Pick<PreviewPlan, 'attemptId' | 'memberId' | 'campaignId'> {
  return { attemptId: s.attemptId, memberId: s.memberId, campaignId: s.campaignId };
}

/** A preview that is not dialled (domain/preview.ts): nothing counted, M4 still ends an expired member. */
function endPreview(s: PreviewSnapshot, how: 'skipped' | 'timed_out', reason: string | null, agentId: number | undefined, now: Date): PreviewStep {
  const decision = expireIfDue(memberAfterPreview(s.campaign.retryWaitSec, now), s.member.expireAt, now);
  const wakeUps: WakeUp[] = [];
  // A returned preview is an unanswered offer, never a stale registration: nothing to drop.
  const { member, agent } = memberAndAgentWrites(s, decision, now, wakeUps,
    (view) => ({ ...agentAfterPreview(view, how, now), unregistered: false }));
  return {
    kind: 'end',
    decision,
    wakeUps,
    plan: {
      ...ids(s),
      expect: {
        decision: s.previewDecision,
        ...(agentId !== undefined ? { agentId } : {}),
        ...(s.agent ? { agentVersion: s.agent.version } : {}),
        memberVersion: s.member.version,
        campaignVersion: s.campaign.version,
      },
      decision: how,
      end: {
        outcome: SKIPPED_OUTCOME,
        agentCause: how === 'skipped' ? PREVIEW_SKIPPED_CAUSE : PREVIEW_TIMEOUT_CAUSE,
        comment: reason,
        endedAt: now,
        member,
        agent,
      },
    },
  };
}
