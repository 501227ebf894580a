import { expect } from 'chai';
import { decideAfterCall, type CampaignRules, type MemberDecision } from '../../src/domain/attempt-rules.js';
import { applyResultStatus, type MemberView, type ResultStatus } from '../../src/domain/result-status.js';

/*
 * C7, M5: one answered call reaches its verdict by one of three paths; the member's `tries`
 * afterwards must not depend on which one (issue 11, defect 3).
 */
const END = new Date('2026-11-25T12:00:00.000Z');
const LATER = new Date(END.getTime() + 5_000);
const base: CampaignRules = { retryWaitSec: 60, maxTries: 3, minSuccessSec: 10, waitResult: false, wrapupSec: 30, causes: {}, maxMinusAttempts: 10 };
const talk = { kind: 'answered', talkSec: 20, cause: 'NORMAL_CLEARING' } as const;
const COMMS: MemberView['communications'] = [{ id: 1, number: '100', priority: 0, position: 0, state: 'active' }];
const view = (state: MemberView['state'], tries: number): MemberView => ({ state, tries, readyAt: END, result: null, communications: COMMS });

/** How the store writes a settled call's decision into `tries`. */
function triesAfterSettle(tries: number, d: MemberDecision): number {
  return tries + (d.kind !== 'wait-result' && d.counts === 'try' ? 1 : 0);
}
function applied(d: ReturnType<typeof applyResultStatus>) {
  if (d.kind !== 'apply') throw new Error(`expected apply, got ${d.kind}`);
  return d.member;
}

const paths: Record<string, (tries: number, s: ResultStatus | null) => { tries: number; result: string | null }> = {
  // The call settles with no status to wait for (C6 alone decides).
  'no waiting for a result': (tries) => {
    const d = decideAfterCall(base, { tries, minusTries: 0, activeNumbers: 1 }, talk, END);
    return { tries: triesAfterSettle(tries, d), result: d.kind === 'end' ? d.result : null };
  },
  // The status comes while the call is live; the call's settle applies it as the waiting attempt's verdict.
  'status sent during the call': (tries, s) => {
    const during = applied(applyResultStatus({ ...base, waitResult: true }, view('dialing', tries), s!, END));
    const atSettle = applied(applyResultStatus({ ...base, waitResult: true }, view('waiting_result', during.tries), s!, LATER));
    return { tries: atSettle.tries, result: atSettle.result };
  },
  // The call settles into waiting_result; the status comes afterwards.
  'status sent while waiting for the result': (tries, s) => {
    const rules = { ...base, waitResult: true };
    const d = decideAfterCall(rules, { tries, minusTries: 0, activeNumbers: 1 }, talk, END);
    expect(d.kind).to.equal('wait-result');
    const m = applied(applyResultStatus(rules, view('waiting_result', triesAfterSettle(tries, d)), s!, LATER));
    return { tries: m.tries, result: m.result };
  },
};

describe('tries: one rule whatever the path of the verdict (C5, C7, M5)', () => {
  for (const [name, path] of Object.entries(paths)) {
    it(`C7, M5: a successful call leaves tries 1 (${name})`, () => {
      expect(path(0, { success: true })).to.deep.equal({ tries: 1, result: 'NORMAL_CLEARING' });
    });
    it(`C5, M5: a successful call on the last try counts it too (${name})`, () => {
      expect(path(2, { success: true })).to.deep.equal({ tries: 3, result: 'NORMAL_CLEARING' });
    });
  }
  for (const name of ['status sent during the call', 'status sent while waiting for the result']) {
    it(`C5, C7: success:false counts the attempt once (${name})`, () => {
      expect(paths[name]!(0, { success: false })).to.deep.equal({ tries: 1, result: null });
      expect(paths[name]!(2, { success: false })).to.deep.equal({ tries: 3, result: 'MAX_TRY_COUNT' });
    });
  }
});
