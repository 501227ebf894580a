/*
 * K1–K4: when a calendar is open for a time zone, and when it next opens or closes.
 *
 * Rule: an instant is open when its wall-clock reading in the zone falls inside one of the
 * windows of that local weekday ([start, end), end may be 24:00), the local date is not a
 * holiday, and the instant lies in [startAt, endAt). Everything is decided by the wall clock,
 * which makes DST days exact (K2):
 *  - a window on a spring-forward day is as long as the wall clock says: 01:00–04:00 on the
 *    day Europe/Berlin skips 02:00–03:00 lasts 2 real hours;
 *  - a window starting at a wall time that does not exist (02:30 on that day) opens at the
 *    first existing instant after it (03:00 CEST), because that is the first reading >= 02:30;
 *  - on a fall-back day a repeated wall time is open both times it is read: 01:00–04:00 on the
 *    day Berlin repeats 02:00–03:00 lasts 4 real hours;
 *  - a whole skipped local day (Pacific/Apia, 2011-12-30) has no open instant.
 * A window whose end is not after its start is empty (calendarProblems reports it), so an
 * overnight shift is written as two windows: 22:00–24:00 and 00:00–06:00 of the next day.
 * A repeat_yearly holiday matches its month-day in every year (02-29 only in leap years).
 * An unknown zone is never open (K3: never dial outside a member's own window), and never opens.
 * The parsed form of a calendar's windows and holidays is memoised (per object and by
 * content), so a Calendar must not be mutated after its first use.
 */
import { zoneClock, type ZoneClock } from './zone-clock.js';

export { isValidZone } from './zone-clock.js';

export interface CalendarWindow {
  /** 0..6, 0 = Sunday. */
  day: number;
  /** HH:MM, local time. */
  start: string;
  /** HH:MM or 24:00, local time, exclusive. */
  end: string;
}
export interface Holiday {
  /** YYYY-MM-DD, a local date. */
  date: string;
  name: string;
  repeatYearly: boolean;
}
export interface Calendar {
  timezone: string;
  startAt: Date | null;
  endAt: Date | null;
  windows: CalendarWindow[];
  holidays: Holiday[];
}

/** How far ahead nextOpening / nextClosing look before answering null (K4). */
export const HORIZON_DAYS = 400;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

interface DayPlan {
  /** [startMs, endMs) since local midnight. */
  spans: Array<[number, number]>;
  /** Sorted instants of the day where openness may change, always ending with DAY_MS. */
  boundaries: number[];
}
interface Compiled {
  days: DayPlan[];
  anyWindow: boolean;
  dates: Set<string>;
  monthDays: Set<string>;
}

/** Parsed calendars by content; bounded, as the set of calendars of a deployment is small. */
const compiled = new Map<string, Compiled>();
const MAX_COMPILED = 1000;
/** The same, per Calendar object: callers treat calendars as immutable values. */
const byObject = new WeakMap<Calendar, Compiled>();

/** K2: open at `at` in the local time of `zone` (the member's zone, else the calendar's — K3). */
export function isOpen(cal: Calendar, zone: string, at: Date): boolean {
  const clock = zoneClock(zone);
  if (clock === null) return false;
  return openAt(compile(cal), cal, clock, at.getTime());
}

/** K4: the first instant >= from that is open; null when it never opens within HORIZON_DAYS. */
export function nextOpening(cal: Calendar, zone: string, from: Date): Date | null {
  const c = compile(cal);
  if (!c.anyWindow) return null;
  const start = cal.startAt?.getTime() ?? -Infinity;
  return scan(cal, zone, Math.max(from.getTime(), start), true);
}

/**
 * The first instant > from that is closed, when open at `from`; `from` itself when already
 * closed there; null when it stays open for the whole horizon (a 24/7 calendar without end).
 */
export function nextClosing(cal: Calendar, zone: string, from: Date): Date | null {
  return scan(cal, zone, from.getTime(), false);
}

/** C10: the calendar's end has passed, so its campaigns stop. */
export function isPastEnd(cal: Calendar, at: Date): boolean {
  return cal.endAt !== null && at.getTime() >= cal.endAt.getTime();
}

/** What is wrong with a calendar, for the REST edge to report; empty when it is valid. */
export function calendarProblems(cal: Calendar): string[] {
  const out: string[] = [];
  if (zoneClock(cal.timezone) === null) out.push(`unknown time zone "${cal.timezone}"`);
  if (cal.startAt && cal.endAt && cal.startAt.getTime() >= cal.endAt.getTime()) out.push('start is not before end');
  cal.windows.forEach((w, i) => {
    const s = parseClock(w.start);
    const e = parseClock(w.end);
    if (!Number.isInteger(w.day) || w.day < 0 || w.day > 6) out.push(`windows[${i}].day must be 0..6`);
    if (s === null || s === DAY_MS) out.push(`windows[${i}].start "${w.start}" is not HH:MM`);
    if (e === null) out.push(`windows[${i}].end "${w.end}" is not HH:MM or 24:00`);
    if (s !== null && e !== null && e <= s) out.push(`windows[${i}] ends before it starts`);
  });
  cal.holidays.forEach((h, i) => {
    if (parseDate(h.date) === null) out.push(`holidays[${i}].date "${h.date}" is not YYYY-MM-DD`);
  });
  return out;
}

function openAt(c: Compiled, cal: Calendar, clock: ZoneClock, t: number): boolean {
  if (cal.startAt && t < cal.startAt.getTime()) return false;
  if (cal.endAt && t >= cal.endAt.getTime()) return false;
  return openAtWall(c, t + clock.offsetMs(t));
}

/** `wall` is the local wall clock read as if it were UTC milliseconds. */
function openAtWall(c: Compiled, wall: number): boolean {
  const dayIndex = Math.floor(wall / DAY_MS);
  const ms = wall - dayIndex * DAY_MS;
  const plan = c.days[weekday(dayIndex)]!;
  if (!plan.spans.some(([s, e]) => s <= ms && ms < e)) return false;
  if (c.dates.size === 0 && c.monthDays.size === 0) return true;
  const date = new Date(dayIndex * DAY_MS).toISOString().slice(0, 10);
  return !c.dates.has(date) && !c.monthDays.has(date.slice(5));
}

/**
 * Walks forward from t to the first instant whose openness equals `want`. Openness can only
 * change where the wall clock crosses a window boundary or midnight, at a zone transition,
 * or at endAt, so it steps from one such instant to the next: a few steps per local day.
 */
function scan(cal: Calendar, zone: string, from: number, want: boolean): Date | null {
  const clock = zoneClock(zone);
  if (clock === null) return want ? null : new Date(from);
  const c = compile(cal);
  const end = cal.endAt?.getTime() ?? Infinity;
  const horizon = from + HORIZON_DAYS * DAY_MS;
  let t = from;
  while (t <= horizon) {
    if (openAt(c, cal, clock, t) === want) return new Date(t);
    if (want && t >= end) return null; // closed for good
    const offset = clock.offsetMs(t);
    const wall = t + offset;
    const dayIndex = Math.floor(wall / DAY_MS);
    const ms = wall - dayIndex * DAY_MS;
    const next = c.days[weekday(dayIndex)]!.boundaries.find((b) => b > ms)!;
    let cand = t + (next - ms);
    if (t < end && end < cand) cand = end;
    if (clock.offsetMs(cand) !== offset) cand = firstOffsetChange(clock, t, cand, offset);
    t = cand;
  }
  return null;
}

/** The first instant in (lo, hi] whose offset differs from `offset` (which holds at lo). */
function firstOffsetChange(clock: ZoneClock, lo: number, hi: number, offset: number): number {
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (clock.offsetMs(mid) === offset) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** 1970-01-01 (day index 0) was a Thursday. */
function weekday(dayIndex: number): number {
  return (((dayIndex + 4) % 7) + 7) % 7;
}

function compile(cal: Calendar): Compiled {
  const mine = byObject.get(cal);
  if (mine) return mine;
  // Then by content: the engine may build a fresh Calendar from each row it reads.
  const key = JSON.stringify([cal.windows, cal.holidays]);
  const known = compiled.get(key);
  if (known) {
    byObject.set(cal, known);
    return known;
  }
  const days: DayPlan[] = Array.from({ length: 7 }, () => ({ spans: [], boundaries: [] }));
  for (const w of cal.windows) {
    const s = parseClock(w.start);
    const e = parseClock(w.end);
    const plan = days[w.day];
    if (plan === undefined || s === null || e === null || e <= s) continue;
    plan.spans.push([s, e]);
  }
  for (const plan of days) {
    const set = new Set<number>([DAY_MS]);
    for (const [s, e] of plan.spans) set.add(s).add(e);
    plan.boundaries = [...set].sort((a, b) => a - b);
  }
  const dates = new Set<string>();
  const monthDays = new Set<string>();
  for (const h of cal.holidays) {
    const d = parseDate(h.date);
    if (d === null) continue;
    if (h.repeatYearly) monthDays.add(d.slice(5));
    else dates.add(d);
  }
  const result: Compiled = { days, anyWindow: days.some((d) => d.spans.length > 0), dates, monthDays };
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(key, result);
  byObject.set(cal, result);
  return result;
}

/** "HH:MM" → ms since midnight; 24:00 is the end of the day; null when malformed. */
function parseClock(s: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return null;
  return (h * 60 + min) * MINUTE_MS;
}

/** Normalised YYYY-MM-DD of a real calendar date (02-29 allowed, for yearly holidays), else null. */
function parseDate(s: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(2000, mo - 1, d)); // 2000 is a leap year: 02-29 passes
  if (mo < 1 || mo > 12 || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${m[2]}-${m[3]}`;
}
