/*
 * The wall clock of an IANA time zone at an instant, from the platform's tz data (Intl).
 * K2 needs it exact across DST changes, and dispatch asks it for every open-zone check,
 * so formatters are built once per zone and offsets are memoised per quarter hour.
 */

/** A zone's offset is memoised per bucket of this size; every real transition is >= 15 min apart. */
const BUCKET_MS = 15 * 60_000;
/** Bounds on the caches, so garbage zone names or long scans cannot grow memory without end. */
const MAX_ZONES = 1000;
const MAX_BUCKETS_PER_ZONE = 20_000;

/** A zone's clock: `offsetMs(t)` is local wall time minus UTC at instant t (ms since epoch). */
export interface ZoneClock {
  readonly zone: string;
  offsetMs(t: number): number;
}

const clocks = new Map<string, ZoneClock | null>();

/** True when the platform knows `zone` (an IANA name such as `Europe/Berlin`, or `UTC`). */
export function isValidZone(zone: string): boolean {
  return zoneClock(zone) !== null;
}

/** The clock of `zone`, or null when the zone is unknown. */
export function zoneClock(zone: string): ZoneClock | null {
  const known = clocks.get(zone);
  if (known !== undefined) return known;
  const clock = buildClock(zone);
  if (clocks.size >= MAX_ZONES) clocks.clear();
  clocks.set(zone, clock);
  return clock;
}

function buildClock(zone: string): ZoneClock | null {
  if (typeof zone !== 'string' || zone.trim() === '') return null;
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      // h23: midnight reads 00, never 24 (older ICU printed 24 with hour12:false).
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return null;
  }
  const buckets = new Map<number, number>();
  const exact = (t: number): number => exactOffset(fmt, t);
  return {
    zone,
    offsetMs(t: number): number {
      const bucket = Math.floor(t / BUCKET_MS);
      const cached = buckets.get(bucket);
      if (cached !== undefined) return cached;
      const first = bucket * BUCKET_MS;
      const atFirst = exact(first);
      const atLast = exact(first + BUCKET_MS - 1);
      // A transition inside this bucket: answer exactly and do not memoise it.
      if (atFirst !== atLast) return exact(t);
      if (buckets.size >= MAX_BUCKETS_PER_ZONE) buckets.clear();
      buckets.set(bucket, atFirst);
      return atFirst;
    },
  };
}

/** Offset at t: the formatter reads whole seconds, so compare with t truncated to its second. */
function exactOffset(fmt: Intl.DateTimeFormat, t: number): number {
  const f = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of fmt.formatToParts(t)) {
    if (p.type in f) f[p.type as keyof typeof f] = Number(p.value);
  }
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  const second = t - (((t % 1000) + 1000) % 1000);
  return wall - second;
}

/**
 * The instant at which the wall clock of `clock`'s zone shows `wallMs` (a wall time written as
 * if it were UTC). Offsets change at most once a day: the offsets a day before and after are the
 * candidates. A repeated wall time (fall-back) is its first occurrence; one a spring-forward skips
 * is read with the offset before the change, so it lands just after it.
 */
export function instantOfWall(clock: ZoneClock, wallMs: number): number {
  const before = clock.offsetMs(wallMs - 86_400_000);
  const after = clock.offsetMs(wallMs + 86_400_000);
  const fits = [wallMs - before, wallMs - after].filter((t) => t + clock.offsetMs(t) === wallMs);
  return fits.length ? Math.min(...fits) : wallMs - before;
}
