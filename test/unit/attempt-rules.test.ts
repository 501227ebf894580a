import { prng, int } from '../helpers/prng.js';
import { expect } from 'chai';
import {
  decideAfterCall,
  decideAfterResultDeadline,
  type AttemptCount,
  type CallOutcome,
  type CampaignRules,
  type MemberDecision,
} from '../../src/domain/attempt-rules.js';
import { DEFAULT_CAUSES } from '../../src/domain/cause-policy.js';

const END = new Date('2026-11-25T12:00:00.000Z');
const at = (sec: number): Date => new Date(END.getTime() + sec * 1000);
const rules = (r: Partial<CampaignRules> = {}): CampaignRules => ({
  retryWaitSec: 60, maxTries: 3, minSuccessSec: 10, waitResult: false, wrapupSec: 30, causes: {}, maxMinusAttempts: 5, ...r,
});
const member = { tries: 0, minusTries: 0, activeNumbers: 1 };
const retry = (sec: number, counts: AttemptCount): MemberDecision => ({ kind: 'retry', readyAt: at(sec), counts, stopNumber: false });


describe('attempt-rules', () => {
  describe('decideAfterCall (tables)', () => {
    const cases: Array<[string, Partial<CampaignRules>, number, CallOutcome, MemberDecision]> = [
      ['C6: answered at least min success ends NORMAL_CLEARING', {}, 0, { kind: 'answered', talkSec: 10, cause: 'NORMAL_CLEARING' },
        { kind: 'end', result: 'NORMAL_CLEARING', success: true, counts: 'try' }],
      ['C6: answered shorter is an unsuccessful attempt after the retry wait', {}, 0, { kind: 'answered', talkSec: 9, cause: 'NORMAL_CLEARING' },
        retry(60, 'try')],
      ['C6, C5: answered shorter on the last try ends MAX_TRY_COUNT', {}, 2, { kind: 'answered', talkSec: 3, cause: 'NORMAL_CLEARING' },
        { kind: 'end', result: 'MAX_TRY_COUNT', success: false, counts: 'try' }],
      ['C7: answered long enough waits for the result until end + wrap-up', { waitResult: true }, 0,
        { kind: 'answered', talkSec: 50, cause: 'NORMAL_CLEARING' }, { kind: 'wait-result', deadline: at(30) }],
      ['C7: a short call is not waited for', { waitResult: true }, 0, { kind: 'answered', talkSec: 1, cause: 'NORMAL_CLEARING' },
        retry(60, 'try')],
      ['C9: error ends the member with the cause', {}, 0, { kind: 'not-answered', cause: 'UNALLOCATED_NUMBER' },
        { kind: 'end', result: 'UNALLOCATED_NUMBER', success: false, counts: 'try' }],
      ['C9: retry counts and waits', {}, 1, { kind: 'not-answered', cause: 'USER_BUSY' }, retry(60, 'try')],
      ['C4: retry wait of 0 is ready at once', { retryWaitSec: 0 }, 0, { kind: 'not-answered', cause: 'NO_ANSWER' }, retry(0, 'try')],
      ['C5: retry on the last try ends MAX_TRY_COUNT', {}, 2, { kind: 'not-answered', cause: 'NO_ANSWER' },
        { kind: 'end', result: 'MAX_TRY_COUNT', success: false, counts: 'try' }],
      ['C9: minus does not count, even on the last try', {}, 2, { kind: 'not-answered', cause: 'NORMAL_TEMPORARY_FAILURE' }, retry(60, 'minus')],
      ['C9: an unmapped cause is retry', {}, 0, { kind: 'not-answered', cause: 'SOMETHING_NEW' }, retry(60, 'try')],
      ['C9: a lower-case cause is classified like its upper case', {}, 0, { kind: 'not-answered', cause: 'unallocated_number' },
        { kind: 'end', result: 'UNALLOCATED_NUMBER', success: false, counts: 'try' }],
      ['C9: override to ok ends with success and the cause', { causes: { USER_BUSY: 'ok' } }, 0,
        { kind: 'not-answered', cause: 'USER_BUSY' }, { kind: 'end', result: 'USER_BUSY', success: true, counts: 'try' }],
      ['C9: override to error ends the member', { causes: { NO_ANSWER: 'error' } }, 0, { kind: 'not-answered', cause: 'NO_ANSWER' },
        { kind: 'end', result: 'NO_ANSWER', success: false, counts: 'try' }],
      ['C9: override to minus does not count', { causes: { NO_ANSWER: 'minus' } }, 2, { kind: 'not-answered', cause: 'NO_ANSWER' },
        retry(60, 'minus')],
      ['A3: an agent-leg failure is ready at once and never counted', {}, 2, { kind: 'agent-failed' }, retry(0, 'none')],
      ['C5: maxTries 0 still allows one attempt, then ends', { maxTries: 0 }, 0, { kind: 'not-answered', cause: 'NO_ANSWER' },
        { kind: 'end', result: 'MAX_TRY_COUNT', success: false, counts: 'try' }],
    ];
    for (const [title, r, tries, outcome, want] of cases) {
      it(title, () => {
        expect(decideAfterCall(rules(r), { tries, minusTries: 0, activeNumbers: 1 }, outcome, END)).to.deep.equal(want);
      });
    }

    it('C9: error ends the member even when it has other active numbers', () => {
      const d = decideAfterCall(rules(), { tries: 0, minusTries: 0, activeNumbers: 3 }, { kind: 'not-answered', cause: 'NO_ROUTE_DESTINATION' }, END);
      expect(d).to.deep.equal({ kind: 'end', result: 'NO_ROUTE_DESTINATION', success: false, counts: 'try' });
    });
  });

  describe('C9: the ceiling on uncounted (minus) attempts', () => {
    const minus = { kind: 'not-answered', cause: 'SERVICE_UNAVAILABLE' } as const;
    const decide = (r: Partial<CampaignRules>, minusTries: number, o: CallOutcome = minus) =>
      decideAfterCall(rules(r), { tries: 0, minusTries, activeNumbers: 1 }, o, END);

    it('C9: minus below the ceiling does not count and waits the retry wait', () => {
      expect(decide({ maxMinusAttempts: 5 }, 3)).to.deep.equal(retry(60, 'minus'));
    });
    it('C9: the minus attempt that reaches max_minus_attempts ends the member with its cause, still not a try', () => {
      expect(decide({ maxMinusAttempts: 5 }, 4)).to.deep.equal({ kind: 'end', result: 'SERVICE_UNAVAILABLE', success: false, counts: 'minus' });
    });
    it('C9: max_minus_attempts below 1 behaves as 1', () => {
      expect(decide({ maxMinusAttempts: 0 }, 0)).to.deep.equal({ kind: 'end', result: 'SERVICE_UNAVAILABLE', success: false, counts: 'minus' });
    });
    it('C9: counted (retry) attempts do not use the ceiling, nor minus attempts the tries', () => {
      expect(decide({ maxMinusAttempts: 1 }, 5, { kind: 'not-answered', cause: 'USER_BUSY' })).to.deep.equal(retry(60, 'try'));
    });
    it('C9: a number that always answers 503 ends after exactly max_minus_attempts attempts, none counted', () => {
      for (let max = 1; max <= 12; max++) {
        let minusTries = 0;
        let calls = 0;
        for (;;) {
          calls++;
          const d = decide({ maxMinusAttempts: max, maxTries: 1 }, minusTries);
          if (d.kind === 'end') {
            expect(d).to.deep.equal({ kind: 'end', result: 'SERVICE_UNAVAILABLE', success: false, counts: 'minus' });
            break;
          }
          expect(d).to.deep.equal(retry(60, 'minus'));
          minusTries++;
        }
        expect(calls).to.equal(max);
      }
    });
  });

  describe('S3: a call whose end FreeSWITCH never reported', () => {
    const unknown = { kind: 'end-unknown', cause: 'UNKNOWN' } as const;
    it('S3, C6: is never a success: not counted, tried again after the retry wait', () => {
      expect(decideAfterCall(rules({ minSuccessSec: 0 }), member, unknown, END)).to.deep.equal(retry(60, 'minus'));
    });
    it('S3, C7: is not waited for a result either', () => {
      expect(decideAfterCall(rules({ minSuccessSec: 0, waitResult: true }), member, unknown, END)).to.deep.equal(retry(60, 'minus'));
    });
    it('S3, C9: uses the same ceiling as minus, and then ends with UNKNOWN', () => {
      expect(decideAfterCall(rules({ maxMinusAttempts: 2 }), { ...member, minusTries: 1 }, unknown, END))
        .to.deep.equal({ kind: 'end', result: 'UNKNOWN', success: false, counts: 'minus' });
    });
  });

  describe('decideAfterResultDeadline', () => {
    it('C7: no status by the deadline is an unsuccessful attempt, retry wait from the call end', () => {
      expect(decideAfterResultDeadline(rules({ waitResult: true }), member, END, at(30))).to.deep.equal(retry(60, 'try'));
    });
    it('C7: ready no earlier than the moment the deadline is handled', () => {
      expect(decideAfterResultDeadline(rules({ waitResult: true, retryWaitSec: 10 }), member, END, at(30))).to.deep.equal(retry(30, 'try'));
    });
    it('C7, C5: no status on the last try ends MAX_TRY_COUNT', () => {
      expect(decideAfterResultDeadline(rules({ waitResult: true }), { tries: 2, minusTries: 0, activeNumbers: 1 }, END, at(30)))
        .to.deep.equal({ kind: 'end', result: 'MAX_TRY_COUNT', success: false, counts: 'try' });
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
        const d = decideAfterCall(rl, { tries, minusTries: 0, activeNumbers: 1 + int(r, 3) }, outcome, END);
        if (d.kind === 'retry') {
          expect(d.stopNumber).to.equal(false);
          if (outcome.kind === 'agent-failed') {
            expect(d).to.deep.equal(retry(0, 'none'));
          } else {
            expect(d.readyAt.getTime() - END.getTime()).to.equal(rl.retryWaitSec * 1000);
            if (d.counts === 'try') expect(tries + 1).to.be.below(rl.maxTries);
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
          const d = decideAfterCall(rl, { tries, minusTries: 0, activeNumbers: 1 }, { kind: 'not-answered', cause }, ended);
          if (d.kind === 'end') {
            expect(d).to.deep.equal({ kind: 'end', result: 'MAX_TRY_COUNT', success: false, counts: 'try' });
            break;
          }
          expect(d.kind).to.equal('retry');
          if (d.kind !== 'retry') break;
          expect(d.counts).to.equal(free_ ? 'minus' : 'try');
          if (d.counts === 'try') tries++;
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
