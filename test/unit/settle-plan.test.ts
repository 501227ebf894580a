import { expect } from 'chai';
import type { SettlePlan, SettleSnapshot, WakeUp } from '../../src/app/ports/call-store.js';
import type { MemberLegResult } from '../../src/app/ports/telephony.js';
import { memberAndAgentWrites, planSettle, type SettleEvent, type SettleStep } from '../../src/app/engine/settle-plan.js';
import type { AgentView } from '../../src/domain/agent-state.js';
import type { CampaignRules } from '../../src/domain/attempt-rules.js';

const NOW = new Date('2026-12-04T12:00:00.000Z');
const at = (sec: number): Date => new Date(NOW.getTime() + sec * 1000);
const ENDED = at(-2);
const after = (sec: number): Date => new Date(ENDED.getTime() + sec * 1000);

const RULES: CampaignRules = {
  retryWaitSec: 60, maxTries: 3, minSuccessSec: 10, waitResult: false, wrapupSec: 30, causes: {}, maxMinusAttempts: 5,
};
const AGENT: AgentView & { id: number; sipUser: string; version: number } = {
  id: 7, sipUser: '5000@dialer', version: 40, status: 'Available', state: 'In a queue call', readyAt: at(-100), noAnswerCount: 0,
  wrapupSec: 20, maxNoAnswer: 3, busyDelaySec: 15, rejectDelaySec: 25, noAnswerDelaySec: 35,
};

interface Over {
  attemptState?: string; rules?: Partial<CampaignRules>; tries?: number; minusTries?: number; memberState?: string;
  expireAt?: Date | null; resultStatus?: SettleSnapshot['resultStatus']; agent?: Partial<typeof AGENT> | null;
  numbers?: ('active' | 'stopped')[]; endedAt?: Date | null;
}

function snapshot(o: Over = {}): SettleSnapshot {
  return {
    attemptId: 100, attemptState: o.attemptState ?? 'talking', campaignId: 3, memberId: 50, communicationId: 500, agentId: 7,
    node: 'fs1', memberUuid: 'm-uuid', endedAt: o.endedAt === undefined ? null : o.endedAt, resultStatus: o.resultStatus ?? null,
    member: { state: o.memberState ?? 'dialing', tries: o.tries ?? 0, minusTries: o.minusTries ?? 0, expireAt: o.expireAt ?? null, version: 9 },
    communications: (o.numbers ?? ['active']).map((state, i) => ({ id: 500 + i, number: `10${i}`, priority: 0, position: i, state })),
    rules: { ...RULES, ...o.rules }, campaignState: 'running', campaignVersion: 4,
    agent: o.agent === null ? null : { ...AGENT, ...o.agent },
  };
}

const answered = (talkSec: number, cause = 'NORMAL_CLEARING'): SettleEvent => ({ kind: 'member-ended', result: leg({ answeredAt: after(-talkSec), talkSec, cause }) });
const notAnswered = (cause: string): SettleEvent => ({ kind: 'member-ended', result: leg({ cause }) });
const unknownEnd: SettleEvent = { kind: 'member-ended', result: leg({ answeredAt: after(-30), talkSec: 30, cause: 'UNKNOWN', endKnown: false }) };
const agentFailed = (cause: string, answeredLeg = false): SettleEvent => ({ kind: 'agent-failed', cause, answered: answeredLeg });
const deadline: SettleEvent = { kind: 'result-deadline' };

function leg(o: Partial<MemberLegResult>): MemberLegResult {
  return { attemptId: 100, agentLegUuid: 'a-uuid', memberUuid: 'm-uuid', cause: 'NORMAL_CLEARING', answeredAt: null, endedAt: ENDED, talkSec: 0, endKnown: true, ...o };
}

function applied(step: SettleStep): { plan: SettlePlan; wakeUps: WakeUp[] } {
  if (step.kind !== 'apply') throw new Error(`expected a plan, got ${step.kind}`);
  return step;
}

/** What the plan does to the member and the attempt, in one line per case. */
function memberAndAttempt(p: SettlePlan) {
  return {
    attempt: p.attempt.state, outcome: p.attempt.outcome, member: p.member.state, result: p.member.result ?? null,
    tries: p.member.tries, minusTries: p.member.minusTries, readyAt: p.member.readyAt ?? null, numberCounted: p.communication?.countTry ?? null,
  };
}

describe('settle plan (issue 14): the writes that end an attempt, from a snapshot', () => {
  describe('the subscriber leg ended: C4-C7, C9, M4, R1, S3 (table)', () => {
    type Row = [string, Over, SettleEvent, ReturnType<typeof memberAndAttempt>];
    const cases: Row[] = [
      ['C6: answered at least min_success_sec ends the member NORMAL_CLEARING, counted', {}, answered(10),
        { attempt: 'done', outcome: 'success', member: 'done', result: 'NORMAL_CLEARING', tries: 1, minusTries: 0, readyAt: null, numberCounted: true }],
      ['C6, C4: answered shorter is an unsuccessful attempt, ready after the retry wait', {}, answered(9),
        { attempt: 'done', outcome: 'retry', member: 'ready', result: null, tries: 1, minusTries: 0, readyAt: after(60), numberCounted: true }],
      ['C6, C5: answered shorter on the last try ends MAX_TRY_COUNT (outcome retry)', { tries: 2 }, answered(3),
        { attempt: 'done', outcome: 'retry', member: 'done', result: 'MAX_TRY_COUNT', tries: 3, minusTries: 0, readyAt: null, numberCounted: true }],
      ['C7: answered long enough waits for its result: member not counted yet, the number is', { rules: { waitResult: true } }, answered(40),
        { attempt: 'waiting_result', outcome: 'waiting_result', member: 'waiting_result', result: null, tries: 0, minusTries: 0, readyAt: null, numberCounted: true }],
      ['C6, C7: a call shorter than min_success_sec is not waited for', { rules: { waitResult: true } }, answered(2),
        { attempt: 'done', outcome: 'retry', member: 'ready', result: null, tries: 1, minusTries: 0, readyAt: after(60), numberCounted: true }],
      ['C9 error: UNALLOCATED_NUMBER ends the member with the cause', {}, notAnswered('UNALLOCATED_NUMBER'),
        { attempt: 'done', outcome: 'error', member: 'done', result: 'UNALLOCATED_NUMBER', tries: 1, minusTries: 0, readyAt: null, numberCounted: true }],
      ['C9 retry: USER_BUSY counts and waits', { tries: 1 }, notAnswered('USER_BUSY'),
        { attempt: 'done', outcome: 'retry', member: 'ready', result: null, tries: 2, minusTries: 0, readyAt: after(60), numberCounted: true }],
      ['C9 minus: NORMAL_TEMPORARY_FAILURE does not count, waits', { minusTries: 1 }, notAnswered('NORMAL_TEMPORARY_FAILURE'),
        { attempt: 'done', outcome: 'minus', member: 'ready', result: null, tries: 0, minusTries: 2, readyAt: after(60), numberCounted: false }],
      ['C9 minus: the max_minus_attempts-th ends the member with its cause', { minusTries: 4 }, notAnswered('NORMAL_TEMPORARY_FAILURE'),
        { attempt: 'done', outcome: 'minus', member: 'done', result: 'NORMAL_TEMPORARY_FAILURE', tries: 0, minusTries: 5, readyAt: null, numberCounted: false }],
      ['C9 ok: a cause remapped to ok ends the member as a success', { rules: { causes: { USER_BUSY: 'ok' } } }, notAnswered('USER_BUSY'),
        { attempt: 'done', outcome: 'success', member: 'done', result: 'USER_BUSY', tries: 1, minusTries: 0, readyAt: null, numberCounted: true }],
      ['S3: an end FreeSWITCH never reported is no success and no try, whatever the talk', {}, unknownEnd,
        { attempt: 'done', outcome: 'minus', member: 'ready', result: null, tries: 0, minusTries: 1, readyAt: after(60), numberCounted: false }],
      ['M4: a member past its expire instant is not made ready again: MEMBER_EXPIRED', { expireAt: at(-1) }, notAnswered('USER_BUSY'),
        { attempt: 'done', outcome: 'error', member: 'done', result: 'MEMBER_EXPIRED', tries: 1, minusTries: 0, readyAt: null, numberCounted: true }],
      ['M4: an expire instant still ahead changes nothing', { expireAt: at(1) }, notAnswered('USER_BUSY'),
        { attempt: 'done', outcome: 'retry', member: 'ready', result: null, tries: 1, minusTries: 0, readyAt: after(60), numberCounted: true }],
      ['M4: expiry does not turn a success into MEMBER_EXPIRED', { expireAt: at(-1) }, answered(12),
        { attempt: 'done', outcome: 'success', member: 'done', result: 'NORMAL_CLEARING', tries: 1, minusTries: 0, readyAt: null, numberCounted: true }],
      ['R1: a success status that came during the call decides it, even a short one', { resultStatus: { success: true } }, answered(1),
        { attempt: 'done', outcome: 'success', member: 'done', result: 'NORMAL_CLEARING', tries: 1, minusTries: 0, readyAt: null, numberCounted: true }],
      ['R1, C7: a success status during the call ends the member without waiting', { rules: { waitResult: true }, resultStatus: { success: true } }, answered(30),
        { attempt: 'done', outcome: 'success', member: 'done', result: 'NORMAL_CLEARING', tries: 1, minusTries: 0, readyAt: null, numberCounted: true }],
      ['R1, C4: success:false with next_after_sec during the call: ready then, counted', { resultStatus: { success: false, next_after_sec: 5 } }, answered(30),
        { attempt: 'done', outcome: 'retry', member: 'ready', result: null, tries: 1, minusTries: 0, readyAt: at(5), numberCounted: true }],
      ['R1: success:false when every number was stopped during the call ends NO_COMMUNICATIONS', { resultStatus: { success: false, stop_communications: 'all' }, numbers: ['stopped'] }, answered(30),
        { attempt: 'done', outcome: 'error', member: 'done', result: 'NO_COMMUNICATIONS', tries: 1, minusTries: 0, readyAt: null, numberCounted: true }],
      ['R1, C5: success:false during the last try ends MAX_TRY_COUNT', { tries: 2, resultStatus: { success: false } }, answered(30),
        { attempt: 'done', outcome: 'retry', member: 'done', result: 'MAX_TRY_COUNT', tries: 3, minusTries: 0, readyAt: null, numberCounted: true }],
    ];
    for (const [title, over, event, want] of cases) {
      it(title, () => expect(memberAndAttempt(applied(planSettle(snapshot(over), event, NOW)).plan)).to.deep.equal(want));
    }

    it('C7: the wait has a deadline at the end + wrap-up seconds, with its wake-up; the attempt keeps its hold on the member', () => {
      const { plan, wakeUps } = applied(planSettle(snapshot({ rules: { waitResult: true } }), answered(40), NOW));
      expect(plan.attempt.resultDeadlineAt).to.deep.equal(after(30));
      expect(plan.attempt.releasesMember).to.equal(false);
      expect(plan.attempt.leavesLine).to.equal(true);
      expect(wakeUps).to.deep.include({ kind: 'result-deadline', attemptId: 100, at: after(30) });
      expect(wakeUps.some((w) => w.kind === 'member-ready')).to.equal(false);
    });

    it('C4: a retry arms the member\'s wake-up at its ready instant; an end arms none', () => {
      expect(applied(planSettle(snapshot(), notAnswered('USER_BUSY'), NOW)).wakeUps)
        .to.deep.include({ kind: 'member-ready', campaignId: 3, memberId: 50, at: after(60) });
      expect(applied(planSettle(snapshot(), answered(60), NOW)).wakeUps.filter((w) => w.kind === 'member-ready')).to.deep.equal([]);
    });

    it('M5: the attempt records the call as FreeSWITCH reported it, and frees its line (C2)', () => {
      const r = leg({ answeredAt: after(-12), talkSec: 12, memberUuid: null });
      const { plan } = applied(planSettle(snapshot(), { kind: 'member-ended', result: r }, NOW));
      expect(plan.attempt).to.include({ memberUuid: 'm-uuid', answeredAt: r.answeredAt, endedAt: ENDED, hangupCause: 'NORMAL_CLEARING', talkSec: 12, leavesLine: true, releasesMember: true });
      expect(plan.communication).to.deep.equal({ id: 500, countTry: true, lastCause: 'NORMAL_CLEARING', stop: false });
    });
  });

  describe('P3, S3: a predictive call no agent took, settled by the process that followed its leg', () => {
    // The restart took the attempt over while the subscriber heard the message: no agent, still ringing_agent.
    const followed = (): SettleSnapshot => ({ ...snapshot({ attemptState: 'ringing_agent', agent: null }), agentId: null });
    const abandoned = leg({ agentLegUuid: '', cause: 'ABANDONED', answeredAt: after(-8), messageAt: after(-8), talkSec: 0 });

    it('the abandon is written in the settling statement itself: cause ABANDONED, its answer and its message instant', () => {
      const { plan } = applied(planSettle(followed(), { kind: 'member-ended', result: abandoned }, NOW));
      expect(plan.attempt).to.include({ state: 'done', hangupCause: 'ABANDONED', answeredAt: abandoned.answeredAt, messageAt: abandoned.messageAt, endedAt: ENDED, leavesLine: true });
      expect(plan.agent).to.equal(null);
      expect(plan.expectAttemptStates).to.deep.equal(['ringing_agent']);
    });

    it('a call with no message leaves message_at as it is', () => {
      const { plan } = applied(planSettle(snapshot(), answered(12), NOW));
      expect(plan.attempt).to.not.have.property('messageAt');
    });
  });

  describe('A3: the agent after the call', () => {
    it('goes to Wrap up for its wrap-up seconds, leaves the attempt, and gets a wrap-up wake-up', () => {
      const { plan, wakeUps } = applied(planSettle(snapshot(), answered(30), NOW));
      expect(plan.agent?.id).to.equal(7);
      expect(plan.agent?.view).to.include({ state: 'Wrap up', status: 'Available' });
      expect(plan.agent?.view.readyAt).to.deep.equal(at(20));
      expect(wakeUps).to.deep.include({ kind: 'wrapup-end', agentId: 7, at: at(20) });
      expect(plan.dropRegistration).to.equal(null);
    });

    it('with no wrap-up time is Waiting at once, and no wake-up is needed', () => {
      const { plan, wakeUps } = applied(planSettle(snapshot({ agent: { wrapupSec: 0 } }), answered(30), NOW));
      expect(plan.agent?.view).to.include({ state: 'Waiting' });
      expect(plan.agent?.view.readyAt).to.deep.equal(NOW);
      expect(wakeUps.filter((w) => w.kind !== 'member-ready')).to.deep.equal([]);
    });

    it('an agent no longer attached to the attempt is left alone', () => {
      const { plan } = applied(planSettle(snapshot({ agent: null }), answered(30), NOW));
      expect(plan.agent).to.equal(null);
      expect(plan.expectAgentVersion).to.equal(null);
    });
  });

  describe('A3: the agent leg failed (never charged to the member)', () => {
    type Row = [string, Partial<typeof AGENT>, string, boolean, Partial<AgentView>, Date, boolean];
    const cases: Row[] = [
      ['USER_BUSY: busy delay', {}, 'USER_BUSY', false, { state: 'Waiting', status: 'Available', noAnswerCount: 0 }, at(15), false],
      ['CALL_REJECTED: reject delay', {}, 'CALL_REJECTED', false, { state: 'Waiting', status: 'Available' }, at(25), false],
      ['NO_ANSWER: no-answer delay, the count grows', { noAnswerCount: 1 }, 'NO_ANSWER', false, { state: 'Waiting', status: 'Available', noAnswerCount: 2 }, at(35), false],
      ['NO_ANSWER reaching max no answer puts the agent On Break', { noAnswerCount: 2 }, 'NO_ANSWER', false, { state: 'Waiting', status: 'On Break', noAnswerCount: 0 }, at(35), false],
      ['USER_NOT_REGISTERED: no delay, the stale registration is dropped', {}, 'USER_NOT_REGISTERED', false, { state: 'Waiting' }, NOW, true],
      ['UNKNOWN (our side): no delay, no penalty', { noAnswerCount: 1 }, 'UNKNOWN', false, { state: 'Waiting', noAnswerCount: 1 }, NOW, false],
      ['an answered leg lost before the bridge: wrap-up as after a call', {}, 'SOCKET_TIMEOUT', true, { state: 'Wrap up' }, at(20), false],
    ];
    for (const [title, agent, cause, answeredLeg, want, readyAt, drop] of cases) {
      it(title, () => {
        const { plan } = applied(planSettle(snapshot({ attemptState: 'ringing_agent', agent: { state: 'Receiving', ...agent } }), agentFailed(cause, answeredLeg), NOW));
        expect(plan.agent?.view).to.include(want);
        expect(plan.agent?.view.readyAt).to.deep.equal(readyAt);
        expect(plan.dropRegistration).to.deep.equal(drop ? { sipUser: '5000@dialer', node: 'fs1' } : null);
      });
    }

    it('the member is ready again at once, nothing counted, the number untouched', () => {
      const { plan, wakeUps } = applied(planSettle(snapshot({ attemptState: 'ringing_agent', tries: 1, minusTries: 1 }), agentFailed('NO_ANSWER'), NOW));
      expect(memberAndAttempt(plan)).to.deep.equal({ attempt: 'done', outcome: 'agent_failed', member: 'ready', result: null, tries: 1, minusTries: 1, readyAt: NOW, numberCounted: null });
      expect(plan.attempt).to.include({ agentCause: 'NO_ANSWER', endedAt: NOW, leavesLine: true, releasesMember: true });
      expect(wakeUps).to.deep.include({ kind: 'member-ready', campaignId: 3, memberId: 50, at: NOW });
      expect(wakeUps).to.deep.include({ kind: 'agent-ready', agentId: 7, at: at(35) });
    });

    it('M4: an expired member ends MEMBER_EXPIRED instead, still uncounted', () => {
      const { plan } = applied(planSettle(snapshot({ attemptState: 'reserved', expireAt: NOW }), agentFailed('USER_BUSY'), NOW));
      expect(memberAndAttempt(plan)).to.include({ member: 'done', result: 'MEMBER_EXPIRED', tries: 0, minusTries: 0 });
    });
  });

  describe('C7: the result deadline passed with no status', () => {
    const waiting: Over = { attemptState: 'waiting_result', memberState: 'waiting_result', agent: null, endedAt: at(-40), rules: { waitResult: true } };
    it('counts the attempt; ready after the retry wait from the end of the call', () => {
      const { plan } = applied(planSettle(snapshot(waiting), deadline, NOW));
      expect(memberAndAttempt(plan)).to.deep.equal({ attempt: 'done', outcome: 'retry', member: 'ready', result: null, tries: 1, minusTries: 0, readyAt: at(20), numberCounted: null });
      expect(plan.attempt).to.include({ leavesLine: false, releasesMember: true });
      expect(plan.agent).to.equal(null);
    });
    it('never ready earlier than the moment the deadline is handled', () => {
      const { plan } = applied(planSettle(snapshot({ ...waiting, endedAt: at(-600) }), deadline, NOW));
      expect(plan.member.readyAt).to.deep.equal(NOW);
    });
    it('C5: on the last try ends MAX_TRY_COUNT', () => {
      expect(memberAndAttempt(applied(planSettle(snapshot({ ...waiting, tries: 2 }), deadline, NOW)).plan)).to.include({ member: 'done', result: 'MAX_TRY_COUNT', tries: 3 });
    });
    it('M4: an expired member ends MEMBER_EXPIRED, counted', () => {
      expect(memberAndAttempt(applied(planSettle(snapshot({ ...waiting, expireAt: at(-1) }), deadline, NOW)).plan)).to.include({ member: 'done', result: 'MEMBER_EXPIRED', tries: 1 });
    });
    it('R2: a status that came first (member no longer waiting) leaves nothing to do', () => {
      expect(planSettle(snapshot({ ...waiting, memberState: 'ready' }), deadline, NOW)).to.deep.equal({ kind: 'already-settled' });
      expect(planSettle(snapshot({ ...waiting, attemptState: 'done' }), deadline, NOW)).to.deep.equal({ kind: 'already-settled' });
    });
  });

  describe('S3: repeated and late events', () => {
    for (const state of ['done', 'waiting_result']) {
      it(`an attempt already ${state} is not settled again by a leg's end or an agent failure`, () => {
        expect(planSettle(snapshot({ attemptState: state }), answered(30), NOW)).to.deep.equal({ kind: 'already-settled' });
        expect(planSettle(snapshot({ attemptState: state }), agentFailed('NO_ANSWER'), NOW)).to.deep.equal({ kind: 'already-settled' });
      });
    }
    it('the plan is written only while the rows are as the snapshot saw them', () => {
      const { plan } = applied(planSettle(snapshot({ attemptState: 'bridging' }), answered(30), NOW));
      expect(plan).to.deep.include({ attemptId: 100, memberId: 50, campaignId: 3, expectAttemptStates: ['bridging'], expectMemberVersion: 9,
        expectCampaignVersion: 4, expectAgentVersion: 40, expectNoResultStatus: true });
      const pending = applied(planSettle(snapshot({ resultStatus: { success: true } }), answered(30), NOW)).plan;
      expect(pending.expectNoResultStatus).to.equal(false);
    });
  });

  describe('the tail every plan shares: member, agent, stale registration (memberAndAgentWrites)', () => {
    const s = snapshot({ tries: 1, minusTries: 2 });
    it('C4: a retry makes the member ready at its instant and wakes it then; the counters follow what the decision counts', () => {
      const wakeUps: WakeUp[] = [];
      const tail = memberAndAgentWrites(s, { kind: 'retry', readyAt: at(60), counts: 'minus', stopNumber: false }, NOW, wakeUps, null);
      expect(tail).to.deep.equal({ member: { state: 'ready', readyAt: at(60), result: null, tries: 1, minusTries: 3 }, agent: null, dropRegistration: null });
      expect(wakeUps).to.deep.equal([{ kind: 'member-ready', campaignId: 3, memberId: 50, at: at(60) }]);
    });
    it('C5, A3: an end counts its try; the agent leaves by its transition and is woken at its wrap-up end', () => {
      const wakeUps: WakeUp[] = [];
      const tail = memberAndAgentWrites(s, { kind: 'end', result: 'NORMAL_CLEARING', success: true, counts: 'try' }, NOW, wakeUps,
        (v) => ({ ...v, state: 'Wrap up', readyAt: at(20), unregistered: false }));
      expect(tail.member).to.deep.equal({ state: 'done', result: 'NORMAL_CLEARING', endedAt: NOW, tries: 2, minusTries: 2 });
      expect(tail.agent).to.deep.include({ id: 7 });
      expect(tail.agent?.view).to.include({ state: 'Wrap up' }).and.not.have.property('unregistered');
      expect(wakeUps).to.deep.equal([{ kind: 'wrapup-end', agentId: 7, at: at(20) }]);
    });
    it('A3: a transition that finds the phone unregistered drops its registration on the attempt\'s node', () => {
      const tail = memberAndAgentWrites(s, { kind: 'wait-result', deadline: at(30) }, NOW, [], (v) => ({ ...v, state: 'Waiting', readyAt: NOW, unregistered: true }));
      expect(tail.member).to.deep.equal({ state: 'waiting_result', tries: 1, minusTries: 2 });
      expect(tail.dropRegistration).to.deep.equal({ sipUser: '5000@dialer', node: 'fs1' });
    });
    it('no agent attached: no agent write, whatever the transition', () => {
      const tail = memberAndAgentWrites(snapshot({ agent: null }), { kind: 'retry', readyAt: NOW, counts: 'none', stopNumber: false }, NOW, [],
        (v) => ({ ...v, unregistered: true }));
      expect(tail).to.deep.include({ agent: null, dropRegistration: null });
    });
  });
});
