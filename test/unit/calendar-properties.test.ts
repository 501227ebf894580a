import { prng } from '../helpers/prng.js';
import { expect } from 'chai';
import { isOpen, nextClosing, nextOpening, type Calendar, type CalendarWindow, type Holiday } from '../../src/domain/calendar.js';

/*
 * K2, K4 as properties: random calendars, zones and instants (aimed at DST changes) checked
 * against a slow reference that reads weekday, date and time from Intl on every call.
 */
const MIN = 60_000;
const DAY = 86_400_000;

function cal(windows: CalendarWindow[], more: Partial<Calendar> = {}): Calendar {
  return { timezone: 'UTC', startAt: null, endAt: null, windows, holidays: [], ...more };
}

describe('calendar properties (K2, K4) against a brute-force reference', function () {
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
