import { expect } from 'chai';
import { planPreview, type PreviewEvent, type PreviewStep } from '../../src/app/engine/preview-plan.js';
import type { PreviewPlan, PreviewSnapshot } from '../../src/app/ports/preview-store.js';
import type { WakeUp } from '../../src/app/ports/call-store.js';
import type { PreviewTimeoutPolicy } from '../../src/domain/campaign-type.js';
import type { PreviewDecision } from '../../src/domain/preview.js';

const NOW = new Date('2026-12-05T10:00:00.000Z');
const at = (sec: number): Date => new Date(NOW.getTime() + sec * 1000);
const AGENT = {
  id: 7, sipUser: '5000@dialer', version: 40, status: 'Available' as const, state: 'Reserved' as const, readyAt: at(-100), noAnswerCount: 1,
  wrapupSec: 20, maxNoAnswer: 3, busyDelaySec: 15, rejectDelaySec: 25, noAnswerDelaySec: 35,
};

interface Over {
  state?: string; decision?: PreviewDecision | null; agentId?: number | null; policy?: PreviewTimeoutPolicy; expireAt?: Date | null;
  agent?: Partial<typeof AGENT> | null; tries?: number; minusTries?: number;
}

function snapshot(o: Over = {}): PreviewSnapshot {
  return {
    attemptId: 100, attemptState: o.state ?? 'previewing', previewDecision: o.decision ?? null, campaignId: 3, memberId: 50,
    agentId: o.agentId === undefined ? 7 : o.agentId, node: 'fs1',
    member: { state: 'dialing', tries: o.tries ?? 1, minusTries: o.minusTries ?? 2, expireAt: o.expireAt ?? null, version: 9 },
    campaign: { state: 'running', version: 4, retryWaitSec: 60, previewTimeout: o.policy ?? 'return' },
    agent: o.agent === null ? null : { ...AGENT, ...o.agent },
  };
}

const accept: PreviewEvent = { kind: 'accept', agentId: 7 };
const skip = (reason = 'wrong person'): PreviewEvent => ({ kind: 'skip', agentId: 7, reason });
const deadline: PreviewEvent = { kind: 'deadline' };

function ended(step: PreviewStep): { plan: PreviewPlan & { end: NonNullable<PreviewPlan['end']> }; wakeUps: WakeUp[] } {
  if (step.kind !== 'end' || !step.plan.end) throw new Error(`expected an end, got ${step.kind}`);
  return { plan: step.plan as PreviewPlan & { end: NonNullable<PreviewPlan['end']> }, wakeUps: step.wakeUps };
}

describe('preview plan (P2, issue 14): the writes that accept or end a preview, from a snapshot', () => {
  describe('the agent accepts', () => {
    it('P2: its undecided preview is marked accepted, nothing else written, while it is still the agent\'s call', () => {
      expect(planPreview(snapshot(), accept, NOW)).to.deep.equal({
        kind: 'accept',
        plan: { attemptId: 100, memberId: 50, campaignId: 3, expect: { decision: null, agentId: 7 }, decision: 'accepted', end: null },
      });
    });
  });

  describe('accept or skip without an undecided preview of the agent\'s own (table)', () => {
    const cases: [string, PreviewSnapshot | null, string | null][] = [
      ['no call', null, null],
      ['the preview already ringing (accepted, or dialled by the policy)', snapshot({ state: 'ringing_agent' }), 'ringing_agent'],
      ['already accepted, not rung yet', snapshot({ decision: 'accepted' }), 'previewing'],
      ['the preview time passed with the policy dial, not rung yet', snapshot({ decision: 'timed_out' }), 'previewing'],
      ['another agent\'s attempt', snapshot({ agentId: 8 }), 'previewing'],
      ['an ended preview', snapshot({ state: 'done', decision: 'skipped' }), 'done'],
    ];
    for (const [title, s, state] of cases) {
      it(`${title}: no-preview (${state ?? 'null'}), nothing written`, () => {
        expect(planPreview(s, accept, NOW)).to.deep.equal({ kind: 'no-preview', state });
        expect(planPreview(s, skip(), NOW)).to.deep.equal({ kind: 'no-preview', state });
      });
    }
  });

  describe('the agent skips with a reason', () => {
    it('P2: the attempt is kept as skipped with the reason; no try used; the member ready after the retry wait; the agent Waiting now', () => {
      const { plan, wakeUps } = ended(planPreview(snapshot(), skip('wrong person'), NOW));
      expect(plan.decision).to.equal('skipped');
      expect(plan.end).to.deep.include({ outcome: 'skipped', agentCause: 'PREVIEW_SKIPPED', comment: 'wrong person', endedAt: NOW });
      expect(plan.end.member).to.deep.equal({ state: 'ready', readyAt: at(60), result: null, tries: 1, minusTries: 2 });
      expect(plan.end.agent?.id).to.equal(7);
      expect(plan.end.agent?.view).to.include({ state: 'Waiting', status: 'Available', noAnswerCount: 0 });
      expect(plan.end.agent?.view.readyAt).to.deep.equal(NOW);
      expect(wakeUps).to.deep.equal([{ kind: 'member-ready', campaignId: 3, memberId: 50, at: at(60) }]);
    });
    it('S3: written only while the attempt is the agent\'s undecided preview and the member, campaign and agent are as read', () => {
      const { plan } = ended(planPreview(snapshot(), skip(), NOW));
      expect(plan).to.deep.include({ attemptId: 100, memberId: 50, campaignId: 3 });
      expect(plan.expect).to.deep.equal({ decision: null, agentId: 7, agentVersion: 40, memberVersion: 9, campaignVersion: 4 });
    });
    it('M4: a member past its expire instant ends MEMBER_EXPIRED instead, still no try used', () => {
      const { plan, wakeUps } = ended(planPreview(snapshot({ expireAt: NOW }), skip(), NOW));
      expect(plan.end.member).to.deep.equal({ state: 'done', result: 'MEMBER_EXPIRED', endedAt: NOW, tries: 1, minusTries: 2 });
      expect(wakeUps).to.deep.equal([]);
    });
  });

  describe('the preview time passed: the campaign\'s policy (table)', () => {
    type Want = 'dial, timed_out recorded' | 'dial, nothing written' | 'return';
    const cases: [PreviewDecision | null, PreviewTimeoutPolicy, Want][] = [
      [null, 'dial', 'dial, timed_out recorded'],
      [null, 'return', 'return'],
      ['accepted', 'dial', 'dial, nothing written'],
      ['accepted', 'return', 'dial, nothing written'],
      ['timed_out', 'dial', 'dial, nothing written'],
      ['timed_out', 'return', 'return'],
    ];
    for (const [decision, policy, want] of cases) {
      it(`decision ${decision ?? 'none'}, policy ${policy}: ${want}`, () => {
        const step = planPreview(snapshot({ decision, policy }), deadline, NOW);
        if (want === 'dial, nothing written') {
          expect(step).to.deep.equal({ kind: 'dial', plan: null });
        } else if (want === 'dial, timed_out recorded') {
          // The policy read decided it: a change of the campaign since voids the write.
          expect(step).to.deep.equal({ kind: 'dial', plan: { attemptId: 100, memberId: 50, campaignId: 3,
            expect: { decision: null, campaignVersion: 4 }, decision: 'timed_out', end: null } });
        } else {
          const { plan } = ended(step);
          expect(plan.decision).to.equal('timed_out');
          expect(plan.expect).to.deep.equal({ decision, agentVersion: 40, memberVersion: 9, campaignVersion: 4 });
          expect(plan.end).to.deep.include({ outcome: 'skipped', agentCause: 'PREVIEW_TIMEOUT', comment: null, endedAt: NOW });
        }
      });
    }

    it('P2, A3: a returned preview uses no try and is an unanswered offer: the agent\'s no-answer delay', () => {
      const { plan, wakeUps } = ended(planPreview(snapshot(), deadline, NOW));
      expect(plan.end.member).to.deep.equal({ state: 'ready', readyAt: at(60), result: null, tries: 1, minusTries: 2 });
      expect(plan.end.agent?.view).to.include({ state: 'Waiting', status: 'Available', noAnswerCount: 2 });
      expect(plan.end.agent?.view.readyAt).to.deep.equal(at(35));
      expect(wakeUps).to.deep.equal([
        { kind: 'member-ready', campaignId: 3, memberId: 50, at: at(60) },
        { kind: 'agent-ready', agentId: 7, at: at(35) },
      ]);
    });
    it('A3: the agent\'s max no answer reached by a returned preview puts it On Break', () => {
      const { plan } = ended(planPreview(snapshot({ agent: { noAnswerCount: 2 } }), deadline, NOW));
      expect(plan.end.agent?.view).to.include({ status: 'On Break', noAnswerCount: 0 });
    });
    it('M4: an expired member is returned as MEMBER_EXPIRED', () => {
      const { plan } = ended(planPreview(snapshot({ expireAt: at(-1) }), deadline, NOW));
      expect(plan.end.member).to.include({ state: 'done', result: 'MEMBER_EXPIRED', tries: 1 });
    });
    it('an agent no longer attached to the attempt is not written, nor expected', () => {
      const { plan, wakeUps } = ended(planPreview(snapshot({ agent: null }), deadline, NOW));
      expect(plan.end.agent).to.equal(null);
      expect(plan.expect).to.not.have.property('agentVersion');
      expect(wakeUps.map((w) => w.kind)).to.deep.equal(['member-ready']);
    });
    for (const [title, s] of [['no such attempt', null], ['already rung', snapshot({ state: 'ringing_agent' })], ['already ended', snapshot({ state: 'done' })]] as const) {
      it(`S3: ${title}: gone, nothing written`, () => {
        expect(planPreview(s, deadline, NOW)).to.deep.equal({ kind: 'gone' });
      });
    }
  });
});
