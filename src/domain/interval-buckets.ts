import { zoneClock } from './zone-clock.js';

/*
 * Q2: attempts counted per quarter hour of UTC, gathered into 15-minute, hour or day buckets of
 * a zone's wall clock. Every offset in use is a whole number of quarter hours, so a UTC quarter
 * hour lies in exactly one local bucket, also across a DST change: a day is as long as its wall
 * clock says (23 or 25 hours), and the hour a fall-back repeats is two buckets, told apart by
 * their offsets.
 */

export const INTERVALS = ['15min', 'hour', 'day'] as const;
export type Interval = (typeof INTERVALS)[number];

/** The longest range of one report per interval, so an answer stays a few thousand buckets. */
export const MAX_RANGE_DAYS: Record<Interval, number> = { '15min': 31, hour: 92, day: 366 };

export const SLOT_MS = 15 * 60_000;

/** The quarter hour `from` falls in: reports start there. */
export function slotStart(from: Date): Date {
  return new Date(Math.floor(from.getTime() / SLOT_MS) * SLOT_MS);
}

/** The end of the quarter hour `to` falls in (`to` itself when on one). */
export function slotEnd(to: Date): Date {
  return new Date(Math.ceil(to.getTime() / SLOT_MS) * SLOT_MS);
}
const LENGTH_MS: Record<Exclude<Interval, 'day'>, number> = { '15min': SLOT_MS, hour: 3_600_000 };

/** What one UTC quarter hour (or one bucket) holds; sums, so they add up. */
export interface SlotCounts {
  attempts: number;
  answered: number;
  /** P3: answered calls that no agent took (cause ABANDONED). */
  abandoned: number;
  successful: number;
  talkSum: number;
  talkN: number;
  handleSum: number;
  handleN: number;
  outcomes: Record<string, number>;
}

export interface BucketView {
  start: string;
  local: string;
  attempts: number;
  answered: number;
  abandoned: number;
  successful: number;
  contact_rate: number | null;
  /** P4: abandoned ÷ answered. */
  abandon_rate: number | null;
  success_rate: number | null;
  avg_talk_sec: number | null;
  avg_handle_sec: number | null;
  outcomes: Record<string, number>;
}

export function emptyCounts(): SlotCounts {
  return { attempts: 0, answered: 0, abandoned: 0, successful: 0, talkSum: 0, talkN: 0, handleSum: 0, handleN: 0, outcomes: {} };
}

export function addCounts(into: SlotCounts, c: SlotCounts): void {
  into.attempts += c.attempts;
  into.answered += c.answered;
  into.abandoned += c.abandoned;
  into.successful += c.successful;
  into.talkSum += c.talkSum;
  into.talkN += c.talkN;
  into.handleSum += c.handleSum;
  into.handleN += c.handleN;
  for (const [k, n] of Object.entries(c.outcomes)) into.outcomes[k] = (into.outcomes[k] ?? 0) + n;
}

const ratio = (a: number, b: number, digits: number): number | null => (b ? Number((a / b).toFixed(digits)) : null);

export function countsView(c: SlotCounts): Omit<BucketView, 'start' | 'local'> {
  return {
    attempts: c.attempts,
    answered: c.answered,
    abandoned: c.abandoned,
    successful: c.successful,
    contact_rate: ratio(c.answered, c.attempts, 4),
    abandon_rate: ratio(c.abandoned, c.answered, 4),
    success_rate: ratio(c.successful, c.attempts, 4),
    avg_talk_sec: ratio(c.talkSum, c.talkN, 1),
    avg_handle_sec: ratio(c.handleSum, c.handleN, 1),
    outcomes: { ...c.outcomes },
  };
}

/** `+03:00` / `-05:30` */
function offsetText(ms: number): string {
  const m = Math.round(Math.abs(ms) / 60_000);
  return `${ms < 0 ? '-' : '+'}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/**
 * The buckets of [from, to) (from rounded down to its quarter hour) in `zone`, every one of
 * them, empty ones too, in time order; `slots` maps a UTC quarter hour (ms / SLOT_MS) to its counts.
 */
export function bucketise(zone: string, interval: Interval, from: Date, to: Date, slots: ReadonlyMap<number, SlotCounts>): BucketView[] {
  return groupSlots(zone, interval, from, to, slots, emptyCounts, addCounts)
    .map((b) => ({ start: b.start, local: b.local, ...countsView(b.value) }));
}

/** The same buckets for any sums per quarter hour (the agent report's times and calls). */
export function groupSlots<T>(zone: string, interval: Interval, from: Date, to: Date, slots: ReadonlyMap<number, T>,
  empty: () => T, add: (into: T, v: T) => void): Array<{ start: string; local: string; value: T }> {
  const clock = zoneClock(zone);
  if (!clock) throw new Error(`unknown time zone ${zone}`);
  const buckets = new Map<string, { start: number; local: string; value: T }>();
  // A UTC day whose offset is the same at both ends has it throughout (no zone changes twice a
  // day): two offset readings a day, not one per quarter hour (a year is 35,000 of them).
  let day = NaN;
  let dayOffset: number | null = null;
  for (let slot = Math.floor(from.getTime() / SLOT_MS); slot * SLOT_MS < to.getTime(); slot++) {
    const t = slot * SLOT_MS;
    if (Math.floor(t / 86_400_000) !== day) {
      day = Math.floor(t / 86_400_000);
      const first = clock.offsetMs(day * 86_400_000);
      dayOffset = first === clock.offsetMs((day + 1) * 86_400_000 - 1) ? first : null;
    }
    const offset = dayOffset ?? clock.offsetMs(t);
    const wall = t + offset;
    const wallStart = interval === 'day' ? wall - (((wall % 86_400_000) + 86_400_000) % 86_400_000)
      : wall - (((wall % LENGTH_MS[interval]) + LENGTH_MS[interval]) % LENGTH_MS[interval]);
    const key = interval === 'day' ? String(wallStart) : `${wallStart}${offsetText(offset)}`;
    let b = buckets.get(key);
    if (!b) {
      const local = `${new Date(wallStart).toISOString().slice(0, interval === 'day' ? 10 : 16)}${interval === 'day' ? '' : offsetText(offset)}`;
      b = { start: t, local, value: empty() };
      buckets.set(key, b);
    }
    const v = slots.get(slot);
    if (v !== undefined) add(b.value, v);
  }
  return [...buckets.values()].map((b) => ({ start: new Date(b.start).toISOString(), local: b.local, value: b.value }));
}
