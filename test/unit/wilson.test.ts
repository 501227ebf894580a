import { expect } from 'chai';
import { wilsonLower, wilsonUpper } from '../../src/domain/wilson.js';

describe('P3 Wilson bound of the answer rate (domain)', () => {
  it('P3: 5 of 10 gives the textbook 95 % interval [0.2366, 0.7634]', () => {
    expect(wilsonLower(5, 10)).to.be.closeTo(0.2366, 1e-4);
    expect(wilsonUpper(5, 10)).to.be.closeTo(0.7634, 1e-4);
  });

  it('P3: 0 of 10 still has an upper bound above 0 (0.2775), so no answer yet is not "never answers"', () => {
    expect(wilsonUpper(0, 10)).to.be.closeTo(0.2775, 1e-4);
    expect(wilsonLower(0, 10)).to.equal(0);
  });

  it('P3: 60 of 300 (20 %) gives an upper bound of 0.2489, above the rate and tighter than with 30 dials', () => {
    expect(wilsonUpper(60, 300)).to.be.closeTo(0.2489, 1e-4);
    expect(wilsonUpper(6, 30)).to.be.greaterThan(wilsonUpper(60, 300));
  });

  it('P3: without a dial the bounds are the whole [0, 1] (the pacer then dials nothing on it)', () => {
    expect(wilsonUpper(0, 0)).to.equal(1);
    expect(wilsonLower(0, 0)).to.equal(0);
  });
});
