import { expect } from 'chai';
import { CAUSE_CLASSES, DEFAULT_CAUSES, classifyCause, effectiveCauses } from '../../src/domain/cause-policy.js';

describe('cause-policy', () => {
  describe('C9: the default table', () => {
    const cases: Array<[string, string]> = [
      ['UNALLOCATED_NUMBER', 'error'],
      ['NO_ROUTE_DESTINATION', 'error'],
      ['INVALID_NUMBER_FORMAT', 'error'],
      ['NO_ANSWER', 'retry'],
      ['USER_BUSY', 'retry'],
      ['CALL_REJECTED', 'retry'],
      ['NORMAL_CLEARING', 'retry'],
      ['NORMAL_TEMPORARY_FAILURE', 'minus'],
      ['NORMAL_CIRCUIT_CONGESTION', 'minus'],
      ['ORIGINATOR_CANCEL', 'minus'],
      ['SYSTEM_SHUTDOWN', 'minus'],
    ];
    for (const [cause, cls] of cases) {
      it(`C9: ${cause} is ${cls} by default`, () => {
        expect(classifyCause(cause)).to.equal(cls);
      });
    }

    it('C9: an unmapped cause is retry', () => {
      expect(classifyCause('SOMETHING_FREESWITCH_INVENTS')).to.equal('retry');
      expect(classifyCause('')).to.equal('retry');
    });

    it('C9: causes are matched case-insensitively', () => {
      expect(classifyCause('unallocated_number')).to.equal('error');
      expect(classifyCause('Normal_Temporary_Failure')).to.equal('minus');
    });

    it('C9: every default entry is a known class, and no default says ok', () => {
      for (const [cause, cls] of Object.entries(DEFAULT_CAUSES)) {
        expect(CAUSE_CLASSES, cause).to.include(cls);
        expect(cause).to.equal(cause.toUpperCase());
      }
      // success is decided by talk time (C6), never by a cause on its own by default
      expect(Object.values(DEFAULT_CAUSES)).to.not.include('ok');
    });
  });

  describe('C9: per-campaign overrides', () => {
    it('C9: an override wins over the default for every class', () => {
      for (const cls of CAUSE_CLASSES) {
        expect(classifyCause('USER_BUSY', { USER_BUSY: cls })).to.equal(cls);
        expect(classifyCause('BRAND_NEW_CAUSE', { BRAND_NEW_CAUSE: cls })).to.equal(cls);
      }
    });

    it('C9: an override of one cause leaves the others at their defaults', () => {
      const o = { NO_ANSWER: 'error' } as const;
      for (const cause of Object.keys(DEFAULT_CAUSES).filter((c) => c !== 'NO_ANSWER')) {
        expect(classifyCause(cause, o), cause).to.equal(DEFAULT_CAUSES[cause]);
      }
    });

    it('C9: the effective table is the defaults with the overrides applied, defaults untouched', () => {
      const t = effectiveCauses({ USER_BUSY: 'minus', EXTRA: 'ok' });
      expect(t.USER_BUSY).to.equal('minus');
      expect(t.EXTRA).to.equal('ok');
      expect(t.UNALLOCATED_NUMBER).to.equal('error');
      expect(DEFAULT_CAUSES.USER_BUSY).to.equal('retry');
      expect(effectiveCauses()).to.deep.equal(DEFAULT_CAUSES);
    });

    it('C9: classifyCause agrees with the effective table for every cause in it', () => {
      const o = { USER_BUSY: 'ok', NO_ANSWER: 'minus', UNALLOCATED_NUMBER: 'retry' } as const;
      for (const [cause, cls] of Object.entries(effectiveCauses(o))) expect(classifyCause(cause, o), cause).to.equal(cls);
    });
  });
});
