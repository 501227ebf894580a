import { expect } from 'chai';
import { complianceFigures, complianceWindowStart } from '../../src/domain/compliance.js';

describe('compliance figures (P4)', () => {
  it('P4: the rolling window is the last 30 days; the calendar day starts at local midnight, also on a DST change day', () => {
    const now = new Date('2026-03-29T15:00:00Z');
    expect(complianceWindowStart('rolling-30-days', now, 'UTC').toISOString()).to.equal('2026-02-27T15:00:00.000Z');
    expect(complianceWindowStart('calendar-day', now, 'UTC').toISOString()).to.equal('2026-03-29T00:00:00.000Z');
    // Europe/Berlin switches to summer time at 02:00 on 2026-03-29: midnight was still +01:00
    expect(complianceWindowStart('calendar-day', now, 'Europe/Berlin').toISOString()).to.equal('2026-03-28T23:00:00.000Z');
    expect(complianceWindowStart('calendar-day', new Date('2026-07-01T01:30:00Z'), 'America/New_York').toISOString()).to.equal('2026-06-30T04:00:00.000Z');
  });

  it('P4: abandoned ÷ answered against the target, the 90 % guard and the cap', () => {
    expect(complianceFigures(0, 0, 3, 2.4)).to.include({ ratePct: 0, status: 'under-target' });
    expect(complianceFigures(1000, 20, 3, 2.4)).to.include({ ratePct: 2, status: 'under-target' });
    expect(complianceFigures(1000, 25, 3, 2.4)).to.include({ ratePct: 2.5, status: 'over-target' });
    expect(complianceFigures(1000, 27, 3, 2.4)).to.include({ ratePct: 2.7, status: 'at-guard' });
    expect(complianceFigures(1000, 31, 3, 2.4)).to.include({ ratePct: 3.1, status: 'over-cap' });
  });
});
