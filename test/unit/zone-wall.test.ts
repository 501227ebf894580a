import { expect } from 'chai';
import { instantOfWall, zoneClock } from '../../src/domain/zone-clock.js';

const wall = (s: string) => Date.parse(`${s}Z`);
const iso = (t: number) => new Date(t).toISOString();

describe('Q4: a wall time of a zone as an instant (the report page\'s date range)', () => {
  it('Q4, K2: midnight in Kyiv in winter and in summer, midnight in Kolkata, and UTC', () => {
    expect(iso(instantOfWall(zoneClock('Europe/Kyiv')!, wall('2026-01-15T00:00:00')))).to.equal('2026-01-14T22:00:00.000Z');
    expect(iso(instantOfWall(zoneClock('Europe/Kyiv')!, wall('2026-07-15T00:00:00')))).to.equal('2026-07-14T21:00:00.000Z');
    expect(iso(instantOfWall(zoneClock('Asia/Kolkata')!, wall('2026-07-15T00:00:00')))).to.equal('2026-07-14T18:30:00.000Z');
    expect(iso(instantOfWall(zoneClock('UTC')!, wall('2026-07-15T00:00:00')))).to.equal('2026-07-15T00:00:00.000Z');
  });

  it('Q4, K2: across the days of a DST change: the day after spring-forward and fall-back start at their own offsets', () => {
    const kyiv = zoneClock('Europe/Kyiv')!;
    expect(iso(instantOfWall(kyiv, wall('2026-03-30T00:00:00')))).to.equal('2026-03-29T21:00:00.000Z');
    expect(iso(instantOfWall(kyiv, wall('2026-10-26T00:00:00')))).to.equal('2026-10-25T22:00:00.000Z');
    // 03:30 happens twice on 2026-10-25: its first occurrence, still at +03:00.
    expect(iso(instantOfWall(kyiv, wall('2026-10-25T03:30:00')))).to.equal('2026-10-25T00:30:00.000Z');
  });
});
