/**
 * Issue 18's acceptance over a set of paired runs (pacer and progressive baseline on the same
 * seeds): the P4 cap with its 95 % bound, day and 30-day buckets, the 2-second rule, the minimum
 * ring time, occupancy against the baseline and the recovery after a step of the answer rate.
 */
import { wilsonLower, wilsonUpper } from '../../src/domain/wilson.js';
import type { Tally } from './tally.js';

export const CAP = 0.03;
export const TARGET = 0.8 * CAP;
/** Buckets with fewer answers are not judged (3 % of 100 answers is 3 calls). */
export const BUCKET_MIN_ANSWERS = 300;
/** The pooled 95 % bound is judged on scenarios with at least this many answers. */
export const POOLED_MIN_ANSWERS = 10_000;
const RECOVERY_BLOCK_MIN = 5;
/** The recovery is judged over this long after the step (later blocks are the new steady state). */
const RECOVERY_SCOPE_MIN = 30;

export interface ScenarioVerdict {
  name: string;
  agents: number;
  seeds: number;
  answers: number;
  abandons: number;
  rate: number;
  rateUpper95: number;
  /** Day buckets (and the 30-day bucket of a month run) with ≥ 300 answers, and how many went over the cap. */
  buckets: number;
  bucketsOver: number;
  worstBucketRate: number;
  lateAnswers: number;
  maxConnectSec: number;
  endedBeforeMinRing: number;
  dialerEnded: number;
  occupancy: number;
  baselineOccupancy: number;
  /** Mean paired difference of occupancy (pacer − baseline), percentage points, and its 95 % CI. */
  gainPts: number;
  gainLowPts: number;
  gainHighPts: number;
  maxDialLevel: number;
  /** Minutes after the step until every later 5-minute block is not above the target (95 %); null without a step. */
  recoveryMin: number | null;
  checks: Record<string, boolean>;
}

/** Student t, two-sided 95 %, by degrees of freedom (1..30); 1.96 beyond. */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function judge(pacer: Tally[], baseline: Tally[], opts: { humanRateMax: number; stepAtSec?: number; month?: boolean }): ScenarioVerdict {
  const first = pacer[0];
  if (!first || pacer.length !== baseline.length) throw new Error('paired runs expected');
  const sum = (xs: Tally[], f: (t: Tally) => number) => xs.reduce((s, t) => s + f(t), 0);
  const answers = sum(pacer, (t) => t.answers);
  const abandons = sum(pacer, (t) => t.abandons);
  const buckets = pacer.flatMap((t) => (opts.month ? [...t.days, t.totalCounts()] : t.days)).filter((d) => d.answered >= BUCKET_MIN_ANSWERS);
  const rateOf = (d: { answered: number; abandoned: number }) => d.abandoned / d.answered;
  const gains = pacer.map((t, i) => 100 * (t.occupancy - baseline[i]!.occupancy));
  const mean = gains.reduce((s, g) => s + g, 0) / gains.length;
  const sd = Math.sqrt(gains.reduce((s, g) => s + (g - mean) ** 2, 0) / Math.max(1, gains.length - 1));
  const half = (T95[gains.length - 2] ?? 1.96) * sd / Math.sqrt(gains.length);
  const busy = sum(pacer, (t) => t.busySec);
  const logged = sum(pacer, (t) => t.loggedSec);
  const v: ScenarioVerdict = {
    name: first.scenario.name,
    agents: first.scenario.agents,
    seeds: pacer.length,
    answers,
    abandons,
    rate: answers ? abandons / answers : 0,
    rateUpper95: wilsonUpper(abandons, answers),
    buckets: buckets.length,
    bucketsOver: buckets.filter((d) => rateOf(d) > CAP).length,
    worstBucketRate: buckets.reduce((m, d) => Math.max(m, rateOf(d)), 0),
    lateAnswers: sum(pacer, (t) => t.lateAnswers) + sum(baseline, (t) => t.lateAnswers),
    maxConnectSec: Math.max(...pacer.map((t) => t.maxConnectSec), ...baseline.map((t) => t.maxConnectSec)),
    endedBeforeMinRing: sum(pacer, (t) => t.endedBeforeMinRing) + sum(baseline, (t) => t.endedBeforeMinRing),
    dialerEnded: sum(pacer, (t) => t.dialerEnded) + sum(baseline, (t) => t.dialerEnded),
    occupancy: logged ? busy / logged : 0,
    baselineOccupancy: sum(baseline, (t) => t.busySec) / Math.max(1, sum(baseline, (t) => t.loggedSec)),
    gainPts: mean,
    gainLowPts: mean - half,
    gainHighPts: mean + half,
    maxDialLevel: Math.max(...pacer.map((t) => t.maxDialLevel)),
    recoveryMin: opts.stepAtSec === undefined ? null : recoveryMinutes(pacer, opts.stepAtSec),
    checks: {},
  };
  v.checks = {
    'cap (95 % bound)': answers < POOLED_MIN_ANSWERS || v.rateUpper95 <= CAP,
    'buckets ≤ cap': v.bucketsOver === 0,
    '≤ 2 s': v.lateAnswers === 0,
    'min ring': v.endedBeforeMinRing === 0,
    'occupancy ≥ baseline': v.gainLowPts >= 0,
    '+10 points': v.agents < 10 || opts.humanRateMax > 0.35 || v.gainLowPts >= 10,
    'recovery ≤ 10 min': v.recoveryMin === null || v.recoveryMin <= 10,
  };
  return v;
}

/**
 * Answers and abandons pooled over the seeds by 5-minute block after the step; recovered at the
 * end of the last block, within 30 minutes of the step, whose Wilson lower bound is above the
 * target (after it the rate is not distinguishable from at-or-under the target).
 */
export function recoveryMinutes(runs: Tally[], stepAtSec: number): number {
  const stepMin = Math.floor(stepAtSec / 60);
  const blocks: { answered: number; abandoned: number }[] = [];
  for (const t of runs) {
    for (const [m, c] of t.perMinute) {
      if (m < stepMin) continue;
      const b = Math.floor((m - stepMin) / RECOVERY_BLOCK_MIN);
      const block = (blocks[b] ??= { answered: 0, abandoned: 0 });
      block.answered += c.answered;
      block.abandoned += c.abandoned;
    }
  }
  let recovered = 0;
  blocks.slice(0, RECOVERY_SCOPE_MIN / RECOVERY_BLOCK_MIN).forEach((b, i) => {
    if (b && wilsonLower(b.abandoned, b.answered) > TARGET) recovered = (i + 1) * RECOVERY_BLOCK_MIN;
  });
  return recovered;
}

/** The per-block pooled abandon rates after the step (for the report). */
export function stepProfile(runs: Tally[], stepAtSec: number, blocks: number): number[] {
  const stepMin = Math.floor(stepAtSec / 60);
  const out = Array.from({ length: blocks }, () => ({ answered: 0, abandoned: 0 }));
  for (const t of runs) {
    for (const [m, c] of t.perMinute) {
      const b = Math.floor((m - stepMin) / RECOVERY_BLOCK_MIN);
      if (b < 0 || b >= blocks) continue;
      out[b]!.answered += c.answered;
      out[b]!.abandoned += c.abandoned;
    }
  }
  return out.map((b) => (b.answered ? b.abandoned / b.answered : 0));
}
