/*
 * P4: the abandon figures a predictive campaign is held to, as the boards and reports show them.
 * Pure: the window's start is computed from the instant and the calendar's zone given.
 */
import type { ComplianceWindow } from './campaign-type.js';
import { zoneClock } from './zone-clock.js';

const DAY_MS = 86_400_000;

/** The hang-up cause an abandoned call (P3) is recorded with; C9 maps it like any cause, the board, pacer and reports count it. */
export const ABANDONED = 'ABANDONED';

/**
 * Where the compliance window starts: 30 days before `now` (rolling), or the last local midnight
 * in `zone` (calendar day; UTC when the zone is unknown).
 */
export function complianceWindowStart(window: ComplianceWindow, now: Date, zone: string): Date {
  if (window === 'rolling-30-days') return new Date(now.getTime() - 30 * DAY_MS);
  const clock = zoneClock(zone) ?? zoneClock('UTC')!;
  const local = now.getTime() + clock.offsetMs(now.getTime());
  const midnightLocal = Math.floor(local / DAY_MS) * DAY_MS;
  // the offset at midnight itself, which differs from now's across a DST change that day
  const guess = midnightLocal - clock.offsetMs(midnightLocal - clock.offsetMs(now.getTime()));
  return new Date(guess);
}

/** Where the window's rate stands: under the target, between target and the 90 % guard, at the guard (P4 falls back to one line per idle agent), or over the cap. */
export type ComplianceStatus = 'under-target' | 'over-target' | 'at-guard' | 'over-cap';

export interface ComplianceFigures {
  answered: number;
  abandoned: number;
  /** abandoned ÷ answered in per cent; 0 without an answer. */
  ratePct: number;
  capPct: number;
  targetPct: number;
  status: ComplianceStatus;
}

/** P4: the guard the pacer falls back at, as a share of the cap. */
export const GUARD_SHARE = 0.9;

export function complianceFigures(answered: number, abandoned: number, capPct: number, targetPct: number): ComplianceFigures {
  const ratePct = answered > 0 ? (abandoned / answered) * 100 : 0;
  const status: ComplianceStatus = ratePct > capPct ? 'over-cap'
    : answered > 0 && ratePct >= GUARD_SHARE * capPct ? 'at-guard'
    : ratePct > targetPct ? 'over-target' : 'under-target';
  return { answered, abandoned, ratePct: Math.round(ratePct * 100) / 100, capPct, targetPct, status };
}

/** P6: a member whose call was abandoned is not dialled without an agent reserved for it for this long. */
export const NO_REDIAL_AFTER_ABANDON_MS = 72 * 3_600_000;
