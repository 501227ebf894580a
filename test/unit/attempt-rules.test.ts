import { prng, int } from '../helpers/prng.js';
import { expect } from 'chai';
import {
  decideAfterCall,
  decideAfterResultDeadline,
  type CallOutcome,
  type CampaignRules,
  type MemberDecision,
} from '../../src/domain/attempt-rules.js';
import { DEFAULT_CAUSES } from '../../src/domain/cause-policy.js';

const END = new Date('2026-11-25T12:00:00.000Z');
const at = (sec: number): Date => new Date(END.getTime() + sec * 1000);
const rules = (r: Partial<CampaignRules> = {}): CampaignRules => ({
  retryWaitSec: 60, maxTries: 3, minSuccessSec: 10, waitResult: false, wrapupSec: 30, causes: {}, ...r,
});
const member = { tries: 0, activeNumbers: 1 };
const retry = (sec: number, countsAsTry: boolean): MemberDecision => ({ kind: 'retry', readyAt: at(sec), countsAsTry, stopNumber: false });


describe('attempt-rules', () => {
  describe('decideAfterCall (tables)', () => {
    const cases: Array<[string, Partial<CampaignRules>, number, CallOutcome, MemberDecision]> = [
      ['C6: answered at least min success ends NORMAL_CLEARING', {}, 0, { kind: 'answered', talkSec: 10, cause: 'NORMAL_CLEARING' },
        { kind: 'end', result: 'NORMAL_CLEARING', success: true }],
      ['C6: answered shorter is an unsuccessful attempt after the retry wait', {}, 0, { kind: 'answered', talkSec: 9, cause: 'NORMAL_CLEARING' },
        retry(60, true)],
      ['C6, C5: answered shorter on the last try ends MAX_TRY_COUNT', {}, 2, { kind: 'answered', talkSec: 3, cause: 'NORMAL_CLEARING' },
        { kind: 'end', result: 'MAX_TRY_COUNT', success: false }],
      ['C7: answered long enough waits for the result until end + wrap-up', { waitResult: true }, 0,
        { kind: 'answered', talkSec: 50, cause: 'NORMAL_CLEARING' }, { kind: 'wait-result', deadline: at(30) }],
      ['C7: a short call is not waited for', { waitResult: true }, 0, { kind: 'answered', talkSec: 1, cause: 'NORMAL_CLEARING' },
        retry(60, true)],
      ['C9: error ends the member with the cause', {}, 0, { kind: 'not-answered', cause: 'UNALLOCATED_NUMBER' },
        { kind: 'end', result: 'UNALLOCATED_NUMBER', success: false }],
      ['C9: retry counts and waits', {}, 1, { kind: 'not-answered', cause: 'USER_BUSY' }, retry(60, true)],
      ['C4: retry wait of 0 is ready at once', { retryWaitSec: 0 }, 0, { kind: 'not-answered', cause: 'NO_ANSWER' }, retry(0, true)],
      ['C5: retry on the last try ends MAX_TRY_COUNT', {}, 2, { kind: 'not-answered', cause: 'NO_ANSWER' },
        { kind: 'end', result: 'MAX_TRY_COUNT', success: false }],
      ['C9: minus does not count, even on the last try', {}, 2, { kind: 'not-answered', cause: 'NORMAL_TEMPORARY_FAILURE' }, retry(60, false)],
      ['C9: an unmapped cause is retry', {}, 0, { kind: 'not-answered', cause: 'SOMETHING_NEW' }, retry(60, true)],
      ['C9: a lower-case cause is classified like its upper case', {}, 0, { kind: 'not-answered', cause: 'unallocated_number' },
        { kind: 'end', result: 'UNALLOCATED_NUMBER', success: false }],
      ['C9: override to ok ends with success and the cause', { causes: { USER_BUSY: 'ok' } }, 0,
        { kind: 'not-answered', cause: 'USER_BUSY' }, { kind: 'end', result: 'USER_BUSY', success: true }],
      ['C9: override to error ends the member', { causes: { NO_ANSWER: 'error' } }, 0, { kind: 'not-answered', cause: 'NO_ANSWER' },
        { kind: 'end', result: 'NO_ANSWER', success: false }],
      ['C9: override to minus does not count', { causes: { NO_ANSWER: 'minus' } }, 2, { kind: 'not-answered', cause: 'NO_ANSWER' },
        retry(60, false)],
      ['A3: an agent-leg failure is ready at once and never counted', {}, 2, { kind: 'agent-failed' }, retry(0, false)],
      ['C5: maxTries 0 still allows one attempt, then ends', { maxTries: 0 }, 0, { kind: 'not-answered', cause: 'NO_ANSWER' },
        { kind: 'end', result: 'MAX_TRY_COUNT', success: false }],
    ];
    for (const [title, r, tries, outcome, want] of cases) {
      it(title, () => {
        expect(decideAfterCall(rules(r), { tries, activeNumbers: 1 }, outcome, END)).to.deep.equal(want);
      });
    }

    it('C9: error ends the member even when it has other active numbers', () => {
      const d = decideAfterCall(rules(), { tries: 0, activeNumbers: 3 }, { kind: 'not-answered', cause: 'NO_ROUTE_DESTINATION' }, END);
      expect(d).to.deep.equal({ kind: 'end', result: 'NO_ROUTE_DESTINATION', success: false });
    });
  });

  describe('decideAfterResultDeadline', () => {
    it('C7: no status by the deadline is an unsuccessful attempt, retry wait from the call end', () => {
      expect(decideAfterResultDeadline(rules({ waitResult: true }), member, END, at(30))).to.deep.equal(retry(60, true));
    });
    it('C7: ready no earlier than the moment the deadline is handled', () => {
      expect(decideAfterResultDeadline(rules({ waitResult: true, retryWaitSec: 10 }), member, END, at(30))).to.deep.equal(retry(30, true));
    });
    it('C7, C5: no status on the last try ends MAX_TRY_COUNT', () => {
      expect(decideAfterResultDeadline(rules({ waitResult: true }), { tries: 2, activeNumbers: 1 }, END, at(30)))
        .to.deep.equal({ kind: 'end', result: 'MAX_TRY_COUNT', success: false });
    });
  });

  describe('properties', () => {
    const causes = [...Object.keys(DEFAULT_CAUSES), 'NOT_IN_TABLE'];
    function randomOutcome(r: () => number): CallOutcome {
      const k = int(r, 3);
      if (k === 0) return { kind: 'answered', talkSec: int(r, 40), cause: 'NORMAL_CLEARING' };
      if (k === 1) return { kind: 'not-answered', cause: causes[int(r, causes.length)]! };
      return { kind: 'agent-failed' };
    }

    it('C4, C5, A3: every decision is consistent with the counters and the retry wait', () => {
      const r = prng(7);
      for (let i = 0; i < 5000; i++) {
        const rl = rules({ retryWaitSec: int(r, 600), maxTries: 1 + int(r, 6), minSuccessSec: int(r, 30), waitResult: r() < 0.5 });
        const tries = int(r, rl.maxTries);
        const outcome = randomOutcome(r);
        const d = decideAfterCall(rl, { tries, activeNumbers: 1 + int(r, 3) }, outcome, END);
        if (d.kind === 'retry') {
          expect(d.stopNumber).to.equal(false);
          if (outcome.kind === 'agent-failed') {
            expect(d).to.deep.equal(retry(0, false));
          } else {
            expect(d.readyAt.getTime() - END.getTime()).to.equal(rl.retryWaitSec * 1000);
            if (d.countsAsTry) expect(tries + 1).to.be.below(rl.maxTries);
          }
        }
        if (d.kind === 'end' && d.result === 'MAX_TRY_COUNT') expect(tries + 1).to.equal(rl.maxTries);
        if (d.kind === 'wait-result') expect(rl.waitResult).to.equal(true);
        if (outcome.kind === 'agent-failed') expect(d.kind).to.equal('retry');
      }
    });

    it('C4, C5: a member that never answers makes exactly maxTries counted attempts, retry wait apart', () => {
      const r = prng(11);
      const counting = causes.filter((c) => DEFAULT_CAUSES[c] === 'retry' || c === 'NOT_IN_TABLE');
      const free = causes.filter((c) => DEFAULT_CAUSES[c] === 'minus');
      for (let i = 0; i < 200; i++) {
        const rl = rules({ retryWaitSec: 1 + int(r, 300), maxTries: 1 + int(r, 8) });
        let tries = 0;
        let start = END.getTime();
        let lastStart = -Infinity;
        let calls = 0;
        for (;;) {
          expect(start - lastStart).to.be.at.least(rl.retryWaitSec * 1000);
          calls++;
          const ended = new Date(start + int(r, 60_000));
          const free_ = r() < 0.3;
          const cause = free_ ? free[int(r, free.length)]! : counting[int(r, counting.length)]!;
          const d = decideAfterCall(rl, { tries, activeNumbers: 1 }, { kind: 'not-answered', cause }, ended);
          if (d.kind === 'end') {
            expect(d).to.deep.equal({ kind: 'end', result: 'MAX_TRY_COUNT', success: false });
            break;
          }
          expect(d.kind).to.equal('retry');
          if (d.kind !== 'retry') break;
          expect(d.countsAsTry).to.equal(!free_);
          if (d.countsAsTry) tries++;
          lastStart = start;
          start = d.readyAt.getTime() + int(r, 5000);
          expect(calls).to.be.below(1000);
        }
        expect(tries + 1).to.equal(rl.maxTries);
      }
    });

    it('C6: success is monotone in talk time, with the threshold at minSuccessSec', () => {
      for (let min = 0; min < 20; min++) {
        for (let talk = 0; talk < 25; talk++) {
          const d = decideAfterCall(rules({ minSuccessSec: min }), member, { kind: 'answered', talkSec: talk, cause: 'NORMAL_CLEARING' }, END);
          expect(d.kind === 'end' && d.success, `min ${min} talk ${talk}`).to.equal(talk >= min);
        }
      }
    });
  });
});
