/*
 * Q3: when a running campaign will finish, as a range, from facts measured now (time is an argument).
 *
 * Model, in the order it is applied:
 *  - Rate: the recent attempts per agent-hour of open calendar time (the window's closed hours
 *    are not counted, so a night does not dilute it), times the agents logged in now.
 *  - Share needing more tries q: of the recent ended attempts that used a try and were not the
 *    member's last (that one ends it whatever happens), the share after which the member had to
 *    be tried again (outcome `retry`). A member with k tries left then needs
 *    (1 − q^k) / (1 − q) counted attempts on average (the truncated geometric series: the last
 *    try ends it whatever happens, C5).
 *  - Uncounted repeats: `minus`, `agent_failed` and skipped preview attempts use no try (C9,
 *    P2); their share u adds counted × u / (1 − u) attempts per member, at most the member's
 *    minus attempts left.
 *  - The work (attempts ÷ rate) is laid out over the calendar's open hours from now; that is
 *    when the last attempt starts, so the recent attempts' mean length (creation to end) is added.
 *  - Retry waits: a member's tries are at least the retry wait apart, so the campaign cannot end
 *    before the rounds still expected (until fewer than half a member is left on average) have
 *    been waited out from the latest ready instant; a round falling in closed hours waits for
 *    the next opening.
 *  - Range: the rate ± 2/√n (n recent attempts) and q within its ±2σ Agresti–Coull interval; the
 *    earliest takes the fast rate and low q, the latest the slow rate and high q.
 * The calendar is read in its own zone; members with zones of their own are not modelled apart.
 */
import { nextClosing, nextOpening, type Calendar } from './calendar.js';

/** Fewer recent ended attempts than this is "not enough data" (a rate from 2 calls is noise). */
export const MIN_ENDED_ATTEMPTS = 5;

export interface RemainingGroup {
  /** Members not ended yet with these counters. */
  members: number;
  /** max_tries − tries, at least 1 for a member still to be dialled. */
  triesLeft: number;
  /** max_minus_attempts − minus_tries. */
  minusLeft: number;
}

export interface ForecastFacts {
  now: Date;
  calendar: Calendar;
  retryWaitSec: number;
  /** Agents logged in (not Logged Out) in the campaign's tiers now. */
  agents: number;
  /**
   * The recent attempts: created in [since, now); of the ended ones, `retries` left the member
   * to be tried again, `exhausted` used its last try without success, `uncounted` used no try.
   */
  recent: { since: Date; attempts: number; ended: number; retries: number; exhausted: number; uncounted: number; meanLengthMs: number };
  remaining: RemainingGroup[];
  /** The latest instant a remaining member becomes ready (a retry wait or call-back ahead); null when none. */
  lastReadyAt: Date | null;
}

export interface ForecastBasis {
  agents: number;
  attemptsPerAgentHour: number;
  retryShare: number;
  uncountedShare: number;
  remainingMembers: number;
  /** Attempts still expected (likely case). */
  attemptsLeft: number;
  measuredAttempts: number;
  measuredSince: Date;
}

/** null instants: not within the calendar's open time (its end, or HORIZON_DAYS, comes first). */
export type Forecast =
  | { kind: 'finished' }
  | { kind: 'not_enough_data'; reason: string }
  | { kind: 'forecast'; earliest: Date | null; likely: Date | null; latest: Date | null; basis: ForecastBasis };

const HOUR_MS = 3_600_000;

export function forecastFinish(f: ForecastFacts): Forecast {
  const members = f.remaining.reduce((n, g) => n + g.members, 0);
  if (members === 0) return { kind: 'finished' };
  if (f.agents <= 0) return { kind: 'not_enough_data', reason: 'no agent of the campaign is logged in' };
  if (f.recent.ended < MIN_ENDED_ATTEMPTS) {
    return { kind: 'not_enough_data', reason: `${f.recent.ended} attempts ended recently; at least ${MIN_ENDED_ATTEMPTS} are needed` };
  }
  const openHours = openMsBetween(f.calendar, f.recent.since, f.now) / HOUR_MS;
  if (openHours <= 0) return { kind: 'not_enough_data', reason: 'the recent attempts fall in no open hour of the calendar' };

  const perAgentHour = f.recent.attempts / (f.agents * openHours);
  const counted = Math.max(0, f.recent.ended - f.recent.uncounted - f.recent.exhausted);
  const q = counted === 0 ? 0 : f.recent.retries / counted;
  const u = f.recent.ended === 0 ? 0 : f.recent.uncounted / f.recent.ended;
  const rateErr = Math.min(0.9, 2 / Math.sqrt(f.recent.attempts));
  const [qLow, qHigh] = shareInterval(f.recent.retries, counted);

  const finishAt = (rateFactor: number, share: number): Date | null => {
    const attempts = attemptsLeft(f.remaining, share, u);
    const workEnd = addOpenMs(f.calendar, f.now, (attempts / (perAgentHour * rateFactor * f.agents)) * HOUR_MS);
    const chainEnd = retryChainEnd(f, share);
    if (workEnd === null || chainEnd === null) return null;
    return new Date(Math.max(workEnd.getTime(), chainEnd.getTime()) + f.recent.meanLengthMs);
  };
  return {
    kind: 'forecast',
    earliest: finishAt(1 + rateErr, qLow),
    likely: finishAt(1, q),
    latest: finishAt(1 - rateErr, qHigh),
    basis: {
      agents: f.agents, attemptsPerAgentHour: round(perAgentHour, 2), retryShare: round(q, 4), uncountedShare: round(u, 4),
      remainingMembers: members, attemptsLeft: Math.round(attemptsLeft(f.remaining, q, u)),
      measuredAttempts: f.recent.attempts, measuredSince: f.recent.since,
    },
  };
}

/** Expected attempts of the remaining members when a counted attempt is retried with probability q. */
export function attemptsLeft(groups: RemainingGroup[], q: number, u: number): number {
  let total = 0;
  for (const g of groups) {
    const k = Math.max(1, g.triesLeft);
    const counted = q >= 1 ? k : (1 - q ** k) / (1 - q);
    const uncounted = u >= 1 ? Math.max(0, g.minusLeft) : Math.min(counted * u / (1 - u), Math.max(0, g.minusLeft));
    total += g.members * (counted + uncounted);
  }
  return total;
}

/** Open milliseconds of the calendar (in its zone) in [from, to). */
export function openMsBetween(cal: Calendar, from: Date, to: Date): number {
  let total = 0;
  let t = from;
  while (t.getTime() < to.getTime()) {
    const open = nextOpening(cal, cal.timezone, t);
    if (open === null || open.getTime() >= to.getTime()) break;
    const close = nextClosing(cal, cal.timezone, open);
    const end = close === null || close.getTime() > to.getTime() ? to : close;
    total += end.getTime() - open.getTime();
    t = end;
  }
  return total;
}

/** The instant by which `ms` of open time have passed from `from`; null when the calendar runs out first. */
export function addOpenMs(cal: Calendar, from: Date, ms: number): Date | null {
  let left = ms;
  let t = from;
  for (;;) {
    const open = nextOpening(cal, cal.timezone, t);
    if (open === null) return null;
    const close = nextClosing(cal, cal.timezone, open);
    if (close === null || close.getTime() - open.getTime() >= left) return new Date(open.getTime() + left);
    left -= close.getTime() - open.getTime();
    t = close;
  }
}

/**
 * C4: the rounds still expected (until under half a member is left on average) are at least
 * the retry wait apart, from the latest ready instant; each round due in closed hours waits
 * for the next opening.
 */
function retryChainEnd(f: ForecastFacts, q: number): Date | null {
  let rounds = 1;
  const maxTries = Math.max(...f.remaining.map((g) => Math.max(1, g.triesLeft)));
  while (rounds < maxTries) {
    const alive = f.remaining.reduce((n, g) => n + (rounds < Math.max(1, g.triesLeft) ? g.members * q ** rounds : 0), 0);
    if (alive < 0.5) break;
    rounds++;
  }
  let t: Date | null = new Date(Math.max(f.now.getTime(), f.lastReadyAt?.getTime() ?? 0));
  for (let i = 0; i < rounds && t !== null; i++) {
    if (i > 0) t = new Date(t.getTime() + f.retryWaitSec * 1000);
    t = nextOpening(f.calendar, f.calendar.timezone, t);
  }
  return t;
}

/** q's ±2σ interval (Agresti–Coull), so a handful of attempts gives a wide range, never a point. */
function shareInterval(x: number, n: number): [number, number] {
  const p = (x + 2) / (n + 4);
  const d = 2 * Math.sqrt((p * (1 - p)) / (n + 4));
  return [Math.max(0, Math.min(x / Math.max(n, 1), p - d)), Math.min(0.99, Math.max(x / Math.max(n, 1), p + d))];
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}
