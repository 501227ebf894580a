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
const HOUR = 3_600_000;
const MIN = 60_000;
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

  describe('K2, K4: properties against a brute-force reference', function () {
    this.timeout(120_000); // thousands of reference evaluations; a loaded machine is slow
    const ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Apia', 'UTC'];
    const FROM = Date.UTC(2010, 0, 1);
    const TO = Date.UTC(2029, 0, 1);

    // Reference: read weekday, date and time straight from Intl on every call, compare strings.
    const refFormat = new Map<string, Intl.DateTimeFormat>();
    const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    function refParts(zone: string, t: number): Record<string, string> {
      let f = refFormat.get(zone);
      if (!f) {
        f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', year: 'numeric', month: '2-digit',
          day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
        refFormat.set(zone, f);
      }
      return Object.fromEntries(f.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
    }
    function refOpen(c: Calendar, zone: string, t: number): boolean {
      if (c.startAt && t < c.startAt.getTime()) return false;
      if (c.endAt && t >= c.endAt.getTime()) return false;
      const p = refParts(zone, t);
      const date = `${p.year}-${p.month}-${p.day}`;
      if (c.holidays.some((h) => h.date === date || (h.repeatYearly && h.date.slice(5) === date.slice(5)))) return false;
      const clock = `${p.hour}:${p.minute}:${p.second}`;
      const day = DAYS.indexOf(p.weekday!);
      return c.windows.some((w) => w.day === day && `${w.start.padStart(5, '0')}:00` <= clock && clock < `${w.end}:00`);
    }
    function refOffset(zone: string, t: number): number {
      const p = refParts(zone, t);
      return Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!) - (t - (t % 1000));
    }

    // Every offset change of each zone in the range, to aim samples at DST days.
    const transitions = new Map<string, number[]>();
    before(() => {
      for (const zone of ZONES) {
        const found: number[] = [];
        // Weekly steps: no zone changes its offset twice within a week.
        for (let t = FROM; t < TO; t += 7 * DAY) {
          const o = refOffset(zone, t);
          if (refOffset(zone, t + 7 * DAY) === o) continue;
          let lo = t;
          let hi = t + 7 * DAY;
          while (hi - lo > 1000) {
            const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
            if (refOffset(zone, mid) === o) lo = mid;
            else hi = mid;
          }
          found.push(hi);
        }
        transitions.set(zone, found);
      }
    });

    function prng(seed: number): () => number {
      let a = seed >>> 0;
      return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let x = Math.imul(a ^ (a >>> 15), 1 | a);
        x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
        return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
      };
    }
    const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

    /** An instant: uniform in the range, or within two days of a DST change of the zone. */
    function instant(r: () => number, zone: string): number {
      const ts = transitions.get(zone)!;
      if (ts.length > 0 && r() < 0.6) return pick(r, ts) + Math.floor((r() * 4 - 2) * DAY);
      return FROM + Math.floor(r() * (TO - FROM));
    }

    function randomCalendar(r: () => number, zone: string): Calendar {
      const windows: CalendarWindow[] = [];
      // Boundaries cluster on the small hours, where DST changes happen, and on midnight.
      const minutes = [0, 0, 30, 60, 90, 120, 135, 150, 180, 210, 240, 540, 720, 1020, 1380, 1440, 1440];
      for (let day = 0; day < 7; day++) {
        const n = Math.floor(r() * 3.5);
        for (let i = 0; i < n; i++) {
          let a = pick(r, minutes);
          let b = pick(r, minutes);
          if (a === b) continue;
          if (a > b) [a, b] = [b, a];
          windows.push({ day, start: hhmm(a), end: hhmm(b) });
        }
      }
      const holidays: Holiday[] = [];
      for (let i = Math.floor(r() * 4); i > 0; i--) {
        const date = new Date(instant(r, zone)).toISOString().slice(0, 10);
        holidays.push({ date, name: 'h', repeatYearly: r() < 0.5 });
      }
      const c = cal(windows, { timezone: zone, holidays });
      if (r() < 0.2) c.startAt = new Date(instant(r, zone));
      if (r() < 0.2) c.endAt = new Date(instant(r, zone));
      return c;
    }

    it('K2: the samples aim at every DST change of the zones (two a year where observed)', () => {
      expect(transitions.get('Europe/Berlin')).to.have.length(38);
      expect(transitions.get('America/New_York')).to.have.length(38);
      expect(transitions.get('Australia/Lord_Howe')).to.have.length(38);
      expect(transitions.get('Asia/Kathmandu')).to.have.length(0);
      expect(transitions.get('UTC')).to.have.length(0);
      expect(transitions.get('Pacific/Apia')!.map((t) => new Date(t).toISOString())).to.include('2011-12-30T10:00:00.000Z');
    });

    it('K2: isOpen agrees with the brute-force reference on random calendars, zones and instants', () => {
      const r = prng(20261125);
      let open = 0;
      for (let i = 0; i < 300; i++) {
        const zone = pick(r, ZONES);
        const c = randomCalendar(r, zone);
        for (let j = 0; j < 40; j++) {
          // whole minutes and their neighbours hit the boundaries exactly
          const base = Math.floor(instant(r, zone) / MIN) * MIN;
          const t = base + pick(r, [0, 0, -1, 1, 500]);
          const want = refOpen(c, zone, t);
          if (want) open++;
          expect(isOpen(c, zone, new Date(t)), `${zone} ${new Date(t).toISOString()} ${JSON.stringify(c)}`).to.equal(want);
        }
      }
      expect(open, 'the sample mixes open and closed').to.be.within(1000, 11000);
    });

    it('K4: nextOpening is open, the instant before it is closed, and no sampled instant between is open', () => {
      const r = prng(4);
      let found = 0;
      for (let i = 0; i < 250; i++) {
        const zone = pick(r, ZONES);
        const c = randomCalendar(r, zone);
        const from = instant(r, zone);
        const next = nextOpening(c, zone, new Date(from));
        const where = `${zone} from ${new Date(from).toISOString()} ${JSON.stringify(c)}`;
        if (next === null) {
          // never: check a sample of the horizon is closed
          for (let k = 0; k < 400; k++) expect(refOpen(c, zone, from + Math.floor(r() * 400 * DAY)), where).to.equal(false);
          continue;
        }
        found++;
        const n = next.getTime();
        expect(n, where).to.be.at.least(from);
        expect(refOpen(c, zone, n), `open at ${next.toISOString()} ${where}`).to.equal(true);
        if (n > from) expect(refOpen(c, zone, n - 1), `closed before ${next.toISOString()} ${where}`).to.equal(false);
        const step = Math.max(1, Math.floor((n - from) / 300));
        for (let t = from; t < n; t += step) expect(refOpen(c, zone, t), `closed at ${new Date(t).toISOString()} ${where}`).to.equal(false);
        for (let t = Math.floor(from / MIN) * MIN + MIN; t < n && t < from + 2 * DAY; t += 15 * MIN) {
          expect(refOpen(c, zone, t), `closed at ${new Date(t).toISOString()} ${where}`).to.equal(false);
        }
      }
      expect(found).to.be.greaterThan(150);
    });

    it('K4: nextClosing is closed, the instant before it is open, and every sampled instant between is open', () => {
      const r = prng(99);
      let checked = 0;
      for (let i = 0; i < 400 && checked < 200; i++) {
        const zone = pick(r, ZONES);
        const c = randomCalendar(r, zone);
        const open = nextOpening(c, zone, new Date(instant(r, zone)));
        if (open === null) continue;
        const from = open.getTime() + Math.floor(r() * 30) * MIN;
        if (!refOpen(c, zone, from)) continue;
        checked++;
        const where = `${zone} from ${new Date(from).toISOString()} ${JSON.stringify(c)}`;
        const close = nextClosing(c, zone, new Date(from));
        if (close === null) {
          for (let k = 0; k < 400; k++) expect(refOpen(c, zone, from + Math.floor(r() * 400 * DAY)), where).to.equal(true);
          continue;
        }
        const e = close.getTime();
        expect(e, where).to.be.greaterThan(from);
        expect(refOpen(c, zone, e), `closed at ${close.toISOString()} ${where}`).to.equal(false);
        expect(refOpen(c, zone, e - 1), `open before ${close.toISOString()} ${where}`).to.equal(true);
        const step = Math.max(1, Math.floor((e - from) / 300));
        for (let t = from; t < e; t += step) expect(refOpen(c, zone, t), `open at ${new Date(t).toISOString()} ${where}`).to.equal(true);
      }
      expect(checked).to.be.greaterThan(100);
    });
  });
});
