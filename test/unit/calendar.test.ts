import { expect } from 'chai';
import {
  calendarProblems,
  isOpen,
  isPastEnd,
  isValidZone,
  nextClosing,
  nextOpening,
  type Calendar,
  type CalendarWindow,
  type Holiday,
} from '../../src/domain/calendar.js';

const Z = (iso: string): Date => new Date(iso);
const DAY = 86_400_000;

function cal(windows: CalendarWindow[], more: Partial<Calendar> = {}): Calendar {
  return { timezone: 'UTC', startAt: null, endAt: null, windows, holidays: [], ...more };
}
const everyDay = (start: string, end: string): CalendarWindow[] =>
  [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start, end }));

/** The opening after `from` and the closing after it, as ISO strings. */
function span(c: Calendar, zone: string, from: string): [string, string] {
  const open = nextOpening(c, zone, Z(from));
  expect(open, 'opens').to.not.equal(null);
  const close = nextClosing(c, zone, open!);
  expect(close, 'closes').to.not.equal(null);
  return [open!.toISOString(), close!.toISOString()];
}

describe('calendar', () => {
  describe('K2: exact across DST changes (tables)', () => {
    const cases: Array<{ title: string; zone: string; windows: CalendarWindow[]; from: string; open: string; close: string }> = [
      {
        title: 'Europe/Berlin spring forward: 01:00–04:00 lasts 2 real hours',
        zone: 'Europe/Berlin', windows: [{ day: 0, start: '01:00', end: '04:00' }],
        from: '2026-03-28T12:00:00Z', open: '2026-03-29T00:00:00.000Z', close: '2026-03-29T02:00:00.000Z',
      },
      {
        title: 'Europe/Berlin spring forward: a window at the missing 02:30 opens at 03:00 CEST',
        zone: 'Europe/Berlin', windows: [{ day: 0, start: '02:30', end: '05:00' }],
        from: '2026-03-28T12:00:00Z', open: '2026-03-29T01:00:00.000Z', close: '2026-03-29T03:00:00.000Z',
      },
      {
        title: 'Europe/Berlin fall back: 01:00–04:00 lasts 4 real hours',
        zone: 'Europe/Berlin', windows: [{ day: 0, start: '01:00', end: '04:00' }],
        from: '2026-10-24T12:00:00Z', open: '2026-10-24T23:00:00.000Z', close: '2026-10-25T03:00:00.000Z',
      },
      {
        title: 'America/New_York spring forward: 00:00–12:00 lasts 11 real hours',
        zone: 'America/New_York', windows: [{ day: 0, start: '00:00', end: '12:00' }],
        from: '2026-03-07T12:00:00Z', open: '2026-03-08T05:00:00.000Z', close: '2026-03-08T16:00:00.000Z',
      },
      {
        title: 'America/New_York fall back: 00:00–12:00 lasts 13 real hours',
        zone: 'America/New_York', windows: [{ day: 0, start: '00:00', end: '12:00' }],
        from: '2026-10-31T12:00:00Z', open: '2026-11-01T04:00:00.000Z', close: '2026-11-01T17:00:00.000Z',
      },
      {
        title: 'Australia/Lord_Howe 30-min fall back: 01:00–03:00 lasts 2.5 real hours',
        zone: 'Australia/Lord_Howe', windows: [{ day: 0, start: '01:00', end: '03:00' }],
        from: '2026-04-04T00:00:00Z', open: '2026-04-04T14:00:00.000Z', close: '2026-04-04T16:30:00.000Z',
      },
      {
        title: 'Australia/Lord_Howe 30-min spring forward: 02:00–03:00 lasts 30 real minutes',
        zone: 'Australia/Lord_Howe', windows: [{ day: 0, start: '02:00', end: '03:00' }],
        from: '2026-10-03T00:00:00Z', open: '2026-10-03T15:30:00.000Z', close: '2026-10-03T16:00:00.000Z',
      },
      {
        title: 'Asia/Kathmandu +05:45: 09:00–17:00 is 03:15Z–11:15Z',
        zone: 'Asia/Kathmandu', windows: everyDay('09:00', '17:00'),
        from: '2026-01-01T00:00:00Z', open: '2026-01-01T03:15:00.000Z', close: '2026-01-01T11:15:00.000Z',
      },
      {
        title: 'Pacific/Apia skipped 2011-12-30 entirely: the next opening is on the 31st',
        zone: 'Pacific/Apia', windows: everyDay('09:00', '17:00'),
        from: '2011-12-30T04:00:00Z', open: '2011-12-30T19:00:00.000Z', close: '2011-12-31T03:00:00.000Z',
      },
    ];
    for (const k of cases) {
      it(`K2: ${k.title}`, () => {
        expect(span(cal(k.windows), k.zone, k.from)).to.deep.equal([k.open, k.close]);
      });
    }

    it('K2: the zone passed in decides, not the calendar zone (K3)', () => {
      const c = cal(everyDay('09:00', '17:00'), { timezone: 'Europe/Berlin' });
      const at = Z('2026-06-01T14:00:00Z'); // 16:00 Berlin, 10:00 New York, 19:45 Kathmandu
      expect(isOpen(c, 'Europe/Berlin', at)).to.equal(true);
      expect(isOpen(c, 'America/New_York', at)).to.equal(true);
      expect(isOpen(c, 'Asia/Kathmandu', at)).to.equal(false);
    });
  });

  describe('K1: windows, 24:00, holidays, start and end', () => {
    const mon = '2026-11-23'; // a Monday
    it('K1: window start is inclusive, end exclusive', () => {
      const c = cal([{ day: 1, start: '09:00', end: '17:00' }]);
      expect(isOpen(c, 'UTC', Z(`${mon}T08:59:59.999Z`))).to.equal(false);
      expect(isOpen(c, 'UTC', Z(`${mon}T09:00:00.000Z`))).to.equal(true);
      expect(isOpen(c, 'UTC', Z(`${mon}T16:59:59.999Z`))).to.equal(true);
      expect(isOpen(c, 'UTC', Z(`${mon}T17:00:00.000Z`))).to.equal(false);
    });

    it('K1: several windows a day; adjacent windows do not close in between', () => {
      const c = cal([
        { day: 1, start: '09:00', end: '12:00' },
        { day: 1, start: '13:00', end: '15:00' },
        { day: 1, start: '15:00', end: '16:30' },
      ]);
      expect(nextClosing(c, 'UTC', Z(`${mon}T10:00:00Z`))!.toISOString()).to.equal(`${mon}T12:00:00.000Z`);
      expect(nextOpening(c, 'UTC', Z(`${mon}T12:30:00Z`))!.toISOString()).to.equal(`${mon}T13:00:00.000Z`);
      expect(nextClosing(c, 'UTC', Z(`${mon}T13:30:00Z`))!.toISOString()).to.equal(`${mon}T16:30:00.000Z`);
    });

    it('K1: 24:00 windows and whole days chain across midnight', () => {
      const c = cal([
        { day: 1, start: '18:00', end: '24:00' },
        { day: 2, start: '00:00', end: '24:00' },
        { day: 3, start: '00:00', end: '06:00' },
      ]);
      expect(isOpen(c, 'UTC', Z(`${mon}T23:59:59.999Z`))).to.equal(true);
      expect(nextClosing(c, 'UTC', Z(`${mon}T19:00:00Z`))!.toISOString()).to.equal('2026-11-25T06:00:00.000Z');
    });

    it('K1: a holiday closes the whole local day', () => {
      const holidays: Holiday[] = [{ date: '2026-11-24', name: 'x', repeatYearly: false }];
      const c = cal(everyDay('00:00', '24:00'), { holidays });
      expect(isOpen(c, 'UTC', Z('2026-11-24T12:00:00Z'))).to.equal(false);
      expect(nextClosing(c, 'UTC', Z(`${mon}T10:00:00Z`))!.toISOString()).to.equal('2026-11-24T00:00:00.000Z');
      expect(nextOpening(c, 'UTC', Z('2026-11-24T10:00:00Z'))!.toISOString()).to.equal('2026-11-25T00:00:00.000Z');
      // the local day of the zone, not the UTC day: 2026-11-24 in New York is 05:00Z..05:00Z next day
      expect(isOpen(c, 'America/New_York', Z('2026-11-25T04:59:59Z'))).to.equal(false);
      expect(isOpen(c, 'America/New_York', Z('2026-11-25T05:00:00Z'))).to.equal(true);
    });

    it('K1: repeat_yearly holidays match month-day every year; others only their year', () => {
      const holidays: Holiday[] = [
        { date: '2020-12-25', name: 'Christmas', repeatYearly: true },
        { date: '2020-01-01', name: 'once', repeatYearly: false },
      ];
      const c = cal(everyDay('09:00', '17:00'), { holidays });
      expect(isOpen(c, 'UTC', Z('2031-12-25T10:00:00Z'))).to.equal(false);
      expect(isOpen(c, 'UTC', Z('2031-12-26T10:00:00Z'))).to.equal(true);
      expect(isOpen(c, 'UTC', Z('2020-01-01T10:00:00Z'))).to.equal(false);
      expect(isOpen(c, 'UTC', Z('2021-01-01T10:00:00Z'))).to.equal(true);
    });

    it('K1: closed before startAt and from endAt; the next opening respects both', () => {
      const c = cal(everyDay('09:00', '17:00'), { startAt: Z('2026-11-23T12:00:00Z'), endAt: Z('2026-11-25T10:00:00Z') });
      expect(isOpen(c, 'UTC', Z('2026-11-23T11:59:59Z'))).to.equal(false);
      expect(nextOpening(c, 'UTC', Z('2026-11-01T00:00:00Z'))!.toISOString()).to.equal('2026-11-23T12:00:00.000Z');
      expect(nextClosing(c, 'UTC', Z('2026-11-25T09:00:00Z'))!.toISOString()).to.equal('2026-11-25T10:00:00.000Z');
      expect(nextOpening(c, 'UTC', Z('2026-11-25T10:00:00Z'))).to.equal(null);
    });

    it('C10: isPastEnd is true from endAt on, never without an end', () => {
      const c = cal([], { endAt: Z('2026-11-25T10:00:00Z') });
      expect(isPastEnd(c, Z('2026-11-25T09:59:59.999Z'))).to.equal(false);
      expect(isPastEnd(c, Z('2026-11-25T10:00:00Z'))).to.equal(true);
      expect(isPastEnd(cal([]), Z('2100-01-01T00:00:00Z'))).to.equal(false);
    });
  });

  describe('K4: next opening and closing edge cases', () => {
    it('K4: open now means the next opening is now', () => {
      const c = cal(everyDay('00:00', '24:00'));
      expect(nextOpening(c, 'UTC', Z('2026-11-23T10:00:00.123Z'))!.toISOString()).to.equal('2026-11-23T10:00:00.123Z');
    });

    it('K4: no windows, or windows only beyond the horizon, never open', () => {
      expect(nextOpening(cal([]), 'UTC', Z('2026-11-23T10:00:00Z'))).to.equal(null);
      const far = cal(everyDay('09:00', '17:00'), { holidays: [] , startAt: null, endAt: null });
      const blocked = { ...far, holidays: Array.from({ length: 500 }, (_, i) => ({
        date: new Date(Date.UTC(2026, 10, 23) + i * DAY).toISOString().slice(0, 10), name: 'h', repeatYearly: false })) };
      expect(nextOpening(blocked, 'UTC', Z('2026-11-23T00:00:00Z'))).to.equal(null);
    });

    it('K4: a 24/7 calendar never closes; a closed instant is its own closing', () => {
      expect(nextClosing(cal(everyDay('00:00', '24:00')), 'UTC', Z('2026-11-23T10:00:00Z'))).to.equal(null);
      const c = cal(everyDay('09:00', '17:00'));
      expect(nextClosing(c, 'UTC', Z('2026-11-23T18:00:00Z'))!.toISOString()).to.equal('2026-11-23T18:00:00.000Z');
    });

    it('K3: an unknown zone is never open and never opens', () => {
      const c = cal(everyDay('00:00', '24:00'));
      expect(isValidZone('Mars/Olympus_Mons')).to.equal(false);
      expect(isValidZone('')).to.equal(false);
      expect(isValidZone('Europe/Berlin')).to.equal(true);
      expect(isOpen(c, 'Mars/Olympus_Mons', Z('2026-11-23T10:00:00Z'))).to.equal(false);
      expect(nextOpening(c, 'Mars/Olympus_Mons', Z('2026-11-23T10:00:00Z'))).to.equal(null);
    });

    it('K1: calendarProblems names each bad field; a valid calendar has none', () => {
      const bad = cal([{ day: 7, start: '9:60', end: '24:30' }, { day: 1, start: '10:00', end: '09:00' }], {
        timezone: 'Nowhere/Land', holidays: [{ date: '2026-02-30', name: 'x', repeatYearly: false }],
        startAt: Z('2026-02-01T00:00:00Z'), endAt: Z('2026-01-01T00:00:00Z'),
      });
      const p = calendarProblems(bad).join('\n');
      for (const s of ['Nowhere/Land', 'start is not before end', 'windows[0].day', 'windows[0].start', 'windows[0].end', 'windows[1] ends', 'holidays[0].date']) {
        expect(p).to.contain(s);
      }
      const good = cal(everyDay('09:00', '24:00'), { holidays: [{ date: '2024-02-29', name: 'leap', repeatYearly: true }] });
      expect(calendarProblems(good)).to.deep.equal([]);
    });
  });
});
