import { expect } from 'chai';
import { planExpiry } from '../../src/app/engine/expiry-plan.js';
import type { ExpiryCandidate } from '../../src/app/ports/engine-store.js';

const NOW = new Date('2026-12-05T10:00:00.000Z');
const at = (sec: number): Date => new Date(NOW.getTime() + sec * 1000);

function member(id: number, o: Partial<ExpiryCandidate> = {}): ExpiryCandidate {
  return { memberId: id, campaignId: 3, state: 'ready', version: 10 + id, expireAt: at(-1), waitingAttemptIds: [], ...o };
}

describe('expiry plan (M4, issue 14): the writes that end expired members, from what was read', () => {
  describe('which members end (table)', () => {
    const cases: [string, Partial<ExpiryCandidate>, boolean][] = [
      ['ready, its instant passed', {}, true],
      ['ready, its instant now', { expireAt: NOW }, true],
      ['waiting for its result (C7), its instant passed', { state: 'waiting_result', waitingAttemptIds: [70] }, true],
      ['ready, its instant still to come', { expireAt: at(1) }, false],
      ['no expire instant', { expireAt: null }, false],
      ['in a call: left to its settle, which sees the expiry itself', { state: 'dialing' }, false],
      ['already done', { state: 'done' }, false],
    ];
    for (const [title, o, ends] of cases) {
      it(`${title}: ${ends ? 'ends MEMBER_EXPIRED' : 'untouched'}`, () => {
        const plan = planExpiry([member(1, o)], NOW);
        expect(plan.members.map((m) => m.id)).to.deep.equal(ends ? [1] : []);
        if (!ends) expect(plan.attempts).to.deep.equal([]);
      });
    }
  });

  it('M4, M5: the member ends with exactly one result and the instant it ended, written only at the version read', () => {
    const plan = planExpiry([member(1), member(2, { campaignId: 4 })], NOW);
    expect(plan.members).to.deep.equal([{ id: 1, campaignId: 3, expectVersion: 11 }, { id: 2, campaignId: 4, expectVersion: 12 }]);
    expect(plan.member).to.deep.equal({ state: 'done', result: 'MEMBER_EXPIRED', endedAt: NOW });
  });

  it('C7, M4: an attempt waiting for the result of an expired member is over too (outcome expired), its hold on the member released', () => {
    const plan = planExpiry([member(1, { state: 'waiting_result', waitingAttemptIds: [70] }), member(2), member(3, { state: 'dialing', waitingAttemptIds: [90] })], NOW);
    expect(plan.attempts).to.deep.equal([70]);
    expect(plan.attempt).to.deep.equal({ state: 'done', outcome: 'expired', releasesMember: true });
  });

  it('nothing read, nothing to write', () => {
    expect(planExpiry([], NOW).members).to.deep.equal([]);
  });
});
