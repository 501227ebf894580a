import { expect } from 'chai';
import type { Calendar } from '../../src/domain/calendar.js';
import { addOpenMs, attemptsLeft, forecastFinish, openMsBetween, type ForecastFacts } from '../../src/domain/forecast.js';

const Z = (iso: string): Date => new Date(iso);
const iso = (d: Date | null): string | null => d && d.toISOString();
const everyDay = (start: string, end: string) => [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start, end }));
const ALWAYS: Calendar = { timezone: 'UTC', startAt: null, endAt: null, windows: everyDay('00:00', '24:00'), holidays: [] };
/** Closed overnight: open 09:00–17:00 Kyiv time (UTC+2 in December) every day. */
const DAYTIME: Calendar = { timezone: 'Europe/Kyiv', startAt: null, endAt: null, windows: everyDay('09:00', '17:00'), holidays: [] };

function facts(more: Partial<ForecastFacts> = {}): ForecastFacts {
  return {
    now: Z('2026-12-04T12:00:00Z'), calendar: ALWAYS, retryWaitSec: 60, agents: 2,
    recent: { since: Z('2026-12-04T11:00:00Z'), attempts: 60, ended: 60, retries: 0, exhausted: 0, uncounted: 0, meanLengthMs: 0 },
    remaining: [{ members: 100, triesLeft: 1, minusLeft: 10 }], lastReadyAt: null, ...more,
  };
}

describe('Q3 forecast (domain)', () => {
  describe('open time of a calendar', () => {
    const cases: Array<[string, Calendar, string, string, number]> = [
      ['24/7: all of it', ALWAYS, '2026-12-04T10:00:00Z', '2026-12-04T13:00:00Z', 3],
      ['closed overnight: 16:00 today to 10:00 tomorrow, local, is 1 + 1 open hours', DAYTIME, '2026-12-04T14:00:00Z', '2026-12-05T08:00:00Z', 2],
      ['wholly closed', DAYTIME, '2026-12-04T20:00:00Z', '2026-12-05T06:00:00Z', 0],
    ];
    for (const [title, cal, from, to, hours] of cases) {
      it(`openMsBetween: ${title}`, () => {
        expect(openMsBetween(cal, Z(from), Z(to)) / 3_600_000).to.equal(hours);
      });
    }
    const adds: Array<[string, Calendar, string, number, string]> = [
      ['24/7', ALWAYS, '2026-12-04T12:00:00Z', 2.5, '2026-12-04T14:30:00.000Z'],
      ['closed overnight: 1 h left today, the rest tomorrow from 09:00 local', DAYTIME, '2026-12-04T14:00:00Z', 2, '2026-12-05T08:00:00.000Z'],
      ['from a closed instant: starts at the opening', DAYTIME, '2026-12-04T20:00:00Z', 0.5, '2026-12-05T07:30:00.000Z'],
    ];
    for (const [title, cal, from, hours, want] of adds) {
      it(`addOpenMs: ${title}`, () => {
        expect(iso(addOpenMs(cal, Z(from), hours * 3_600_000))).to.equal(want);
      });
    }
    it('addOpenMs: null when the calendar ends before the work is done', () => {
      const ending = { ...ALWAYS, endAt: Z('2026-12-04T13:00:00Z') };
      expect(addOpenMs(ending, Z('2026-12-04T12:00:00Z'), 2 * 3_600_000)).to.equal(null);
    });
  });

  describe('attempts left (tries left, share retried, uncounted repeats)', () => {
    const cases: Array<[string, number, number, number, number, number]> = [
      // title, triesLeft, minusLeft, q, u, expected attempts per member
      ['one try left: one attempt whatever q', 1, 10, 0.7, 0, 1],
      ['never retried: one attempt', 3, 10, 0, 0, 1],
      ['half retried, 2 tries: 1 + 0.5', 2, 10, 0.5, 0, 1.5],
      ['half retried, 3 tries: 1 + 0.5 + 0.25', 3, 10, 0.5, 0, 1.75],
      ['all retried: every try is used', 4, 10, 1, 0, 4],
      ['a quarter uncounted: a third more attempts', 1, 10, 0, 0.25, 4 / 3],
      ['uncounted repeats stop at the minus ceiling', 2, 0, 1, 0.5, 2],
    ];
    for (const [title, triesLeft, minusLeft, q, u, want] of cases) {
      it(title, () => {
        expect(attemptsLeft([{ members: 10, triesLeft, minusLeft }], q, u)).to.be.closeTo(10 * want, 1e-9);
      });
    }
  });

  describe('forecastFinish', () => {
    it('a steady 24/7 campaign: 100 attempts at 2 agents × 30 per agent-hour take 100 minutes', () => {
      const f = forecastFinish(facts());
      expect(f.kind).to.equal('forecast');
      if (f.kind !== 'forecast') return;
      expect(iso(f.likely)).to.equal('2026-12-04T13:40:00.000Z');
      expect(f.basis).to.include({ agents: 2, attemptsPerAgentHour: 30, retryShare: 0, remainingMembers: 100, attemptsLeft: 100 });
      expect(f.earliest!.getTime()).to.be.below(f.likely!.getTime());
      expect(f.latest!.getTime()).to.be.above(f.likely!.getTime());
    });

    it('closed overnight: the measured rate counts open hours only and the work resumes at 09:00 local', () => {
      // 60 attempts since 16:00 local yesterday: 1 open hour then, 1 this morning (now 10:00 local).
      const f = forecastFinish(facts({
        calendar: DAYTIME, agents: 1, now: Z('2026-12-05T08:00:00Z'),
        recent: { since: Z('2026-12-04T14:00:00Z'), attempts: 60, ended: 60, retries: 0, exhausted: 0, uncounted: 0, meanLengthMs: 0 },
        remaining: [{ members: 240, triesLeft: 1, minusLeft: 10 }],
      }));
      if (f.kind !== 'forecast') throw new Error(f.kind);
      expect(f.basis.attemptsPerAgentHour).to.equal(30);
      // 8 hours of work: 7 today (to 17:00 local), 1 tomorrow from 09:00 local.
      expect(iso(f.likely)).to.equal('2026-12-06T08:00:00.000Z');
    });

    it('C4: the retry waits bound the finish when dialling is fast', () => {
      const f = forecastFinish(facts({
        retryWaitSec: 3600,
        recent: { since: Z('2026-12-04T11:00:00Z'), attempts: 600, ended: 600, retries: 300, exhausted: 0, uncounted: 0, meanLengthMs: 0 },
        remaining: [{ members: 1, triesLeft: 3, minusLeft: 10 }],
      }));
      if (f.kind !== 'forecast') throw new Error(f.kind);
      // Half a member is left after the first round, a quarter after the second: two rounds, one wait.
      expect(iso(f.likely)).to.equal('2026-12-04T13:00:00.000Z');
    });

    it('C5: attempts that used a member\'s last try say nothing about retrying: left out of the share', () => {
      // 60 ended: 30 successes, 15 retried, 15 last tries failed: q = 15 / 45, not 30 / 60.
      const f = forecastFinish(facts({ recent: { since: Z('2026-12-04T11:00:00Z'), attempts: 60, ended: 60, retries: 15, exhausted: 15, uncounted: 0, meanLengthMs: 0 } }));
      if (f.kind !== 'forecast') throw new Error(f.kind);
      expect(f.basis.retryShare).to.equal(0.3333);
    });

    it('the last attempt takes its time: the recent attempts\' mean length is added', () => {
      const f = forecastFinish(facts({ recent: { since: Z('2026-12-04T11:00:00Z'), attempts: 60, ended: 60, retries: 0, exhausted: 0, uncounted: 0, meanLengthMs: 90_000 } }));
      if (f.kind !== 'forecast') throw new Error(f.kind);
      expect(iso(f.likely)).to.equal('2026-12-04T13:41:30.000Z');
    });

    it('a member whose retry is due later: not before its ready instant', () => {
      const f = forecastFinish(facts({ remaining: [{ members: 1, triesLeft: 1, minusLeft: 10 }], lastReadyAt: Z('2026-12-04T18:00:00Z') }));
      if (f.kind !== 'forecast') throw new Error(f.kind);
      expect(iso(f.likely)).to.equal('2026-12-04T18:00:00.000Z');
    });

    it('null instants when the calendar ends first', () => {
      const f = forecastFinish(facts({ calendar: { ...ALWAYS, endAt: Z('2026-12-04T13:00:00Z') } }));
      if (f.kind !== 'forecast') throw new Error(f.kind);
      expect(f.likely).to.equal(null);
      expect(f.latest).to.equal(null);
    });

    const values: Array<[string, Partial<ForecastFacts>, string]> = [
      ['no attempt measured yet: not enough data, as a value', { recent: { since: Z('2026-12-04T12:00:00Z'), attempts: 0, ended: 0, retries: 0, exhausted: 0, uncounted: 0, meanLengthMs: 0 } }, 'not_enough_data'],
      ['fewer than 5 ended attempts: not enough data', { recent: { since: Z('2026-12-04T11:00:00Z'), attempts: 9, ended: 4, retries: 0, exhausted: 0, uncounted: 0, meanLengthMs: 0 } }, 'not_enough_data'],
      ['no agent logged in: not enough data', { agents: 0 }, 'not_enough_data'],
      ['no member left: finished', { remaining: [] }, 'finished'],
    ];
    for (const [title, more, kind] of values) {
      it(title, () => {
        const f = forecastFinish(facts(more));
        expect(f.kind).to.equal(kind);
        if (f.kind === 'not_enough_data') expect(f.reason).to.be.a('string').and.not.equal('');
      });
    }
  });
});
