import { prng } from '../helpers/prng.js';
import { expect } from 'chai';
import type { CampaignRules } from '../../src/domain/attempt-rules.js';
import {
  applyResultStatus,
  type CommunicationView,
  type MemberView,
  type ResultStatus,
  type StatusDecision,
} from '../../src/domain/result-status.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const EARLIER = new Date('2026-11-25T11:00:00.000Z');
const at = (sec: number): Date => new Date(NOW.getTime() + sec * 1000);
const RULES: CampaignRules = { retryWaitSec: 60, maxTries: 3, minSuccessSec: 10, waitResult: true, wrapupSec: 30, causes: {}, maxMinusAttempts: 10 };

const comm = (id: number, number: string, priority = 0, state: 'active' | 'stopped' = 'active'): CommunicationView =>
  ({ id, number, priority, position: id - 1, state });
const COMMS = [comm(1, '100', 5), comm(2, '200', 1), comm(3, '300', 1)];

function member(m: Partial<MemberView> = {}): MemberView {
  return { state: 'waiting_result', tries: 0, readyAt: EARLIER, result: null, communications: COMMS, ...m };
}
function applied(d: StatusDecision): Extract<StatusDecision, { kind: 'apply' }> {
  expect(d.kind).to.equal('apply');
  return d as Extract<StatusDecision, { kind: 'apply' }>;
}
const states = (d: StatusDecision): Record<string, string> =>
  Object.fromEntries(applied(d).communications.map((c) => [c.number, c.state]));


describe('result-status', () => {
  describe('R1: success and the attempt count', () => {
    const cases: Array<[string, Partial<MemberView>, ResultStatus, { state: string; tries: number; readyAt: Date; result: string | null }]> = [
      ['R1, C7, M5: success ends the member NORMAL_CLEARING and counts the attempt it decides', {}, { success: true },
        { state: 'done', tries: 1, readyAt: EARLIER, result: 'NORMAL_CLEARING' }],
      ['R1, C7: failure while waiting counts the attempt, ready after the retry wait', {}, { success: false },
        { state: 'ready', tries: 1, readyAt: at(60), result: null }],
      ['R1: next_after_sec replaces the retry wait', {}, { success: false, nextAfterSec: 3600 },
        { state: 'ready', tries: 1, readyAt: at(3600), result: null }],
      ['R1: next_after_sec 0 is ready now', {}, { success: false, nextAfterSec: 0 },
        { state: 'ready', tries: 1, readyAt: NOW, result: null }],
      ['R1, C5: failure on the last try ends MAX_TRY_COUNT', { tries: 2 }, { success: false },
        { state: 'done', tries: 3, readyAt: EARLIER, result: 'MAX_TRY_COUNT' }],
      ['R1: reset_retries on the last try keeps the member going with tries 0', { tries: 2 }, { success: false, resetRetries: true },
        { state: 'ready', tries: 0, readyAt: at(60), result: null }],
      ['R1: a ready member is not charged again (its attempt was counted when it settled)', { state: 'ready', tries: 1 },
        { success: false, nextAfterSec: 10 }, { state: 'ready', tries: 1, readyAt: at(10), result: null }],
      ['R1: success on a ready member ends it', { state: 'ready', tries: 2 }, { success: true },
        { state: 'done', tries: 2, readyAt: EARLIER, result: 'NORMAL_CLEARING' }],
      ['R1: while dialing the state stays dialing and the success waits for the call to settle', { state: 'dialing', tries: 1 },
        { success: true }, { state: 'dialing', tries: 1, readyAt: EARLIER, result: 'NORMAL_CLEARING' }],
      ['R1: while dialing a failure does not count; next_after_sec is kept for after the call', { state: 'dialing', tries: 2 },
        { success: false, nextAfterSec: 5 }, { state: 'dialing', tries: 2, readyAt: at(5), result: null }],
    ];
    for (const [title, m, status, want] of cases) {
      it(title, () => {
        const d = applied(applyResultStatus(RULES, member(m), status, NOW));
        expect(d.member).to.deep.equal(want);
        expect(d.resetTries).to.equal(status.resetRetries === true);
      });
    }
  });

  describe('R2: late or duplicate statuses', () => {
    it('R2: a status for a done member is a conflict that names its result', () => {
      const d = applyResultStatus(RULES, member({ state: 'done', result: 'NORMAL_CLEARING' }), { success: false }, NOW);
      expect(d.kind).to.equal('conflict');
      expect(d.kind === 'conflict' && d.reason).to.contain('NORMAL_CLEARING');
    });

    it('R2: the same success status twice: the second is a conflict', () => {
      const first = applied(applyResultStatus(RULES, member(), { success: true }, NOW));
      const again = applyResultStatus(RULES, { ...first.member, state: first.member.state as MemberView['state'], communications: first.communications }, { success: true }, NOW);
      expect(again.kind).to.equal('conflict');
    });

    it('R2: a second, different status with the same success for one attempt applies as sent and does not count the attempt again', () => {
      const first = applied(applyResultStatus(RULES, member(), { success: false, nextAfterSec: 3600, stopCommunications: ['100'] }, NOW));
      expect(first.member).to.deep.equal({ state: 'ready', tries: 1, readyAt: at(3600), result: null });
      // The member as the first status left it; the second comes a minute later.
      const after = { ...first.member, state: first.member.state as MemberView['state'], communications: first.communications };
      const second = applied(applyResultStatus(RULES, after, { success: false, nextAfterSec: 5, nextCommunication: '300' }, at(60)));
      expect(second.member).to.deep.equal({ state: 'ready', tries: 1, readyAt: at(65), result: null });
      expect(second.nextCommunication).to.equal('300');
      expect(states(second)).to.deep.equal({ '100': 'stopped', '200': 'active', '300': 'active' });
    });

    it('R2: the input member is never mutated', () => {
      const m = member();
      const copy = JSON.stringify(m);
      applyResultStatus(RULES, m, { success: false, nextCommunication: '999', stopCommunications: 'all', resetRetries: true }, NOW);
      expect(JSON.stringify(m)).to.equal(copy);
    });
  });

  describe('R1: next_communication and stop_communications', () => {
    it('R1: next_communication naming an existing number makes it next without adding one', () => {
      const d = applied(applyResultStatus(RULES, member(), { success: false, nextCommunication: '300' }, NOW));
      expect(d.nextCommunication).to.equal('300');
      expect(d.communications).to.deep.equal(COMMS);
    });

    it('R1: a stopped number chosen as next becomes active again', () => {
      const m = member({ communications: [comm(1, '100'), comm(2, '200', 0, 'stopped')] });
      const d = applyResultStatus(RULES, m, { success: false, nextCommunication: '200' }, NOW);
      expect(states(d)).to.deep.equal({ '100': 'active', '200': 'active' });
    });

    it('R1: a new next_communication is added at the top priority, at the end of the list', () => {
      const d = applied(applyResultStatus(RULES, member(), { success: false, nextCommunication: ' 555 ' }, NOW));
      expect(d.nextCommunication).to.equal('555');
      expect(d.communications.at(-1)).to.deep.equal({ id: null, number: '555', priority: 6, position: 3, state: 'active' });
      expect(d.communications.slice(0, 3)).to.deep.equal(COMMS);
    });

    it('R1: stop_communications stops the listed numbers and ignores unknown ones', () => {
      const d = applyResultStatus(RULES, member(), { success: false, stopCommunications: ['100', '999'] }, NOW);
      expect(states(d)).to.deep.equal({ '100': 'stopped', '200': 'active', '300': 'active' });
      expect(applied(d).member.state).to.equal('ready');
    });

    it('R1: stop_communications "all" stops everything but next_communication', () => {
      const d = applied(applyResultStatus(RULES, member(), { success: false, nextCommunication: '200', stopCommunications: 'all' }, NOW));
      expect(states(d)).to.deep.equal({ '100': 'stopped', '200': 'active', '300': 'stopped' });
      expect(d.member).to.deep.equal({ state: 'ready', tries: 1, readyAt: at(60), result: null });
    });

    it('R1: "all" with a new next number keeps only the new one', () => {
      const d = applyResultStatus(RULES, member(), { success: false, nextCommunication: '777', stopCommunications: 'all' }, NOW);
      expect(states(d)).to.deep.equal({ '100': 'stopped', '200': 'stopped', '300': 'stopped', '777': 'active' });
    });

    it('R1: a listed next_communication is not stopped', () => {
      const d = applyResultStatus(RULES, member(), { success: false, nextCommunication: '100', stopCommunications: ['100', '200'] }, NOW);
      expect(states(d)).to.deep.equal({ '100': 'active', '200': 'stopped', '300': 'active' });
    });

    it('R1: stopping every number ends the member NO_COMMUNICATIONS, even on the last try', () => {
      const d = applied(applyResultStatus(RULES, member({ tries: 2 }), { success: false, stopCommunications: 'all' }, NOW));
      expect(d.member).to.deep.equal({ state: 'done', tries: 3, readyAt: EARLIER, result: 'NO_COMMUNICATIONS' });
    });

    it('R1: success with stop "all" still ends NORMAL_CLEARING', () => {
      const d = applied(applyResultStatus(RULES, member(), { success: true, stopCommunications: 'all' }, NOW));
      expect(d.member.result).to.equal('NORMAL_CLEARING');
    });

    it('R1: a member without numbers gets one from next_communication at priority 0', () => {
      const d = applied(applyResultStatus(RULES, member({ communications: [] }), { success: false, nextCommunication: '42' }, NOW));
      expect(d.communications).to.deep.equal([{ id: null, number: '42', priority: 0, position: 0, state: 'active' }]);
      expect(d.member.state).to.equal('ready');
    });
  });

  describe('properties', () => {
    it('R1, R2: random statuses keep every invariant', () => {
      const r = prng(5);
      const nums = ['100', '200', '300', '400', '500'];
      const memberStates: MemberView['state'][] = ['ready', 'dialing', 'waiting_result', 'done'];
      for (let i = 0; i < 3000; i++) {
        const n = Math.floor(r() * 4);
        const comms = nums.slice(0, n).map((x, k) => comm(k + 1, x, Math.floor(r() * 3), r() < 0.3 ? 'stopped' : 'active'));
        const m = member({ state: memberStates[Math.floor(r() * 4)]!, tries: Math.floor(r() * 3), communications: comms });
        const status: ResultStatus = { success: r() < 0.3 };
        if (r() < 0.4) status.resetRetries = true;
        if (r() < 0.4) status.nextAfterSec = Math.floor(r() * 100);
        if (r() < 0.4) status.nextCommunication = nums[Math.floor(r() * nums.length)]!;
        if (r() < 0.4) status.stopCommunications = r() < 0.5 ? 'all' : nums.filter(() => r() < 0.5);
        const d = applyResultStatus(RULES, m, status, NOW);
        if (m.state === 'done') {
          expect(d.kind).to.equal('conflict');
          continue;
        }
        const a = applied(d);
        const active = a.communications.filter((c) => c.state === 'active');
        // the next number always exists and is active
        if (status.nextCommunication) expect(active.map((c) => c.number)).to.include(status.nextCommunication);
        // numbers are never duplicated and old ones never disappear
        expect(new Set(a.communications.map((c) => c.number)).size).to.equal(a.communications.length);
        expect(a.communications.slice(0, comms.length).map((c) => c.id)).to.deep.equal(comms.map((c) => c.id));
        // dialing stays dialing; otherwise done exactly when a result is set
        if (m.state === 'dialing') expect(a.member.state).to.equal('dialing');
        else expect(a.member.state === 'done').to.equal(a.member.result !== null);
        if (status.success) expect(a.member.result).to.equal('NORMAL_CLEARING');
        if (!status.success && active.length === 0) expect(a.member.result).to.equal('NO_COMMUNICATIONS');
        if (status.resetRetries) expect(a.member.tries).to.equal(0);
        else expect(a.member.tries - m.tries).to.equal(m.state === 'waiting_result' ? 1 : 0);
        if (a.member.result === null) {
          expect(a.member.readyAt.getTime() - NOW.getTime()).to.equal((status.nextAfterSec ?? RULES.retryWaitSec) * 1000);
          expect(a.member.tries).to.be.below(RULES.maxTries);
        }
      }
    });
  });
});
