import { expect } from 'chai';
import { bucketise, emptyCounts, SLOT_MS, type SlotCounts } from '../../src/domain/interval-buckets.js';

/** One attempt in the UTC quarter hour of `iso`. */
function slotsAt(...isos: string[]): Map<number, SlotCounts> {
  const m = new Map<number, SlotCounts>();
  for (const iso of isos) {
    const slot = Math.floor(Date.parse(iso) / SLOT_MS);
    const c = m.get(slot) ?? emptyCounts();
    c.attempts++;
    c.outcomes.retry = (c.outcomes.retry ?? 0) + 1;
    m.set(slot, c);
  }
  return m;
}

describe('Q2: buckets in the wall clock of a zone', () => {
  it('Q2, K2: the day of a spring-forward change is 23 hours long, its buckets by local date', () => {
    // Europe/Kyiv: 2026-03-29 03:00 EET becomes 04:00 EEST (01:00 UTC).
    const b = bucketise('Europe/Kyiv', 'day', new Date('2026-03-28T22:00:00Z'), new Date('2026-03-30T21:00:00Z'),
      slotsAt('2026-03-28T22:00:00Z', '2026-03-29T20:59:00Z', '2026-03-29T21:00:00Z'));
    expect(b.map((x) => [x.local, x.start, x.attempts])).to.deep.equal([
      ['2026-03-29', '2026-03-28T22:00:00.000Z', 2],
      ['2026-03-30', '2026-03-29T21:00:00.000Z', 1],
    ]);
  });

  it('Q2, K2: hour buckets skip the hour a spring-forward change leaves out', () => {
    const b = bucketise('Europe/Kyiv', 'hour', new Date('2026-03-29T00:00:00Z'), new Date('2026-03-29T02:00:00Z'), new Map());
    expect(b.map((x) => x.local)).to.deep.equal(['2026-03-29T02:00+02:00', '2026-03-29T04:00+03:00']);
  });

  it('Q2, K2: the hour a fall-back change repeats is two buckets, told apart by their offsets; that day is 25 hours', () => {
    // Europe/Kyiv: 2026-10-25 04:00 EEST becomes 03:00 EET (01:00 UTC).
    const hours = bucketise('Europe/Kyiv', 'hour', new Date('2026-10-24T23:00:00Z'), new Date('2026-10-25T02:00:00Z'),
      slotsAt('2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z', '2026-10-25T01:45:00Z'));
    expect(hours.map((x) => [x.local, x.attempts])).to.deep.equal([
      ['2026-10-25T02:00+03:00', 0], ['2026-10-25T03:00+03:00', 1], ['2026-10-25T03:00+02:00', 2]]);
    const days = bucketise('Europe/Kyiv', 'day', new Date('2026-10-24T21:00:00Z'), new Date('2026-10-25T22:00:00Z'),
      slotsAt('2026-10-24T21:00:00Z', '2026-10-25T21:59:00Z'));
    expect(days.map((x) => [x.local, x.attempts])).to.deep.equal([['2026-10-25', 2]]);
  });

  it('Q2: a half-hour zone (Asia/Kolkata) puts 15-minute slots into its own hours', () => {
    const b = bucketise('Asia/Kolkata', 'hour', new Date('2026-12-01T03:30:00Z'), new Date('2026-12-01T05:30:00Z'),
      slotsAt('2026-12-01T04:15:00Z', '2026-12-01T04:30:00Z'));
    expect(b.map((x) => [x.local, x.attempts])).to.deep.equal([['2026-12-01T09:00+05:30', 1], ['2026-12-01T10:00+05:30', 1]]);
  });

  it('Q2: rates and averages come from the sums; none without attempts', () => {
    const c = emptyCounts();
    Object.assign(c, { attempts: 4, answered: 3, successful: 1, talkSum: 90, talkN: 3, handleSum: 120, handleN: 3, outcomes: { success: 1, retry: 3 } });
    const [b] = bucketise('UTC', '15min', new Date('2026-12-01T00:00:00Z'), new Date('2026-12-01T00:15:00Z'),
      new Map([[Math.floor(Date.parse('2026-12-01T00:00:00Z') / SLOT_MS), c]]));
    expect(b).to.include({ contact_rate: 0.75, success_rate: 0.25, avg_talk_sec: 30, avg_handle_sec: 40 });
    const [e] = bucketise('UTC', '15min', new Date('2026-12-01T00:15:00Z'), new Date('2026-12-01T00:30:00Z'), new Map());
    expect(e).to.include({ attempts: 0, contact_rate: null, avg_talk_sec: null });
  });

  it('Q2, P4: abandoned calls add up across slots; the abandon rate is abandoned ÷ answered, none without answers', () => {
    const at = (iso: string, answered: number, abandoned: number) => {
      const c = emptyCounts();
      Object.assign(c, { attempts: answered + 1, answered, abandoned, outcomes: { retry: answered + 1 } });
      return [Math.floor(Date.parse(iso) / SLOT_MS), c] as const;
    };
    const slots = new Map([at('2026-12-01T00:00:00Z', 40, 1), at('2026-12-01T00:45:00Z', 60, 2), at('2026-12-01T01:00:00Z', 0, 0)]);
    const [h0, h1] = bucketise('UTC', 'hour', new Date('2026-12-01T00:00:00Z'), new Date('2026-12-01T02:00:00Z'), slots);
    expect(h0).to.include({ answered: 100, abandoned: 3, abandon_rate: 0.03 });
    expect(h1).to.include({ answered: 0, abandoned: 0, abandon_rate: null });
  });
});
