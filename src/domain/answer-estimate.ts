/*
 * P3, DESIGN §8: what the recent dials say about the next ones — the answer rate's upper bound
 * p̂, the answer horizon H and the chance that a call still ringing will yet be answered.
 *
 * All three stand on the same recent dials: the last DIAL_WINDOW ended dials, or a shorter,
 * newer part of them when that part answers clearly more often than the whole window allows
 * (its Wilson lower bound above the window's upper bound). A step up in the answer rate is the
 * dangerous change (more answers than agents); waiting for 300 dials to notice it would take
 * minutes at the slow dial rate of a team that is already busy.
 */
import { wilsonLower, wilsonUpper } from './wilson.js';

/** One dial that has ended: answered (and needing an agent) or not, and how long it took. */
export interface EndedDial {
  answered: boolean;
  /** Originate → answer when answered; originate → end of the call otherwise. */
  durationSec: number;
}

/** DESIGN §8: the answer rate is measured over about this many recent dials. */
export const DIAL_WINDOW = 300;
/** Newer parts of the window checked for a step up of the answer rate, longest first. */
const CHANGE_SUFFIXES = [150, 75, 40] as const;
/** DESIGN §8: H is this quantile of originate → answer. */
const HORIZON_QUANTILE = 0.75;

export interface AnswerEstimate {
  /** Dials the estimate stands on (≤ DIAL_WINDOW). */
  dials: number;
  answers: number;
  /** p̂: upper 95 % Wilson bound of the answer rate. */
  rateUpper: number;
  /** H: the 75th percentile of originate → answer, seconds; null without an answer. */
  horizonSec: number | null;
  /** True when a newer part of the window answered clearly more often and is used alone. */
  stepUp: boolean;
  /** Answer delays of the answered dials, ascending. */
  answerDelaysSec: Float64Array;
  /** Durations of all the dials (answer delay or length), ascending. */
  durationsSec: Float64Array;
}

/** `recentDials` oldest first; only the last DIAL_WINDOW are read. */
export function estimateAnswers(recentDials: readonly EndedDial[]): AnswerEstimate {
  const end = recentDials.length;
  let from = Math.max(0, end - DIAL_WINDOW);
  const wholeUpper = wilsonUpper(countAnswers(recentDials, from, end), end - from);
  let stepUp = false;
  for (const k of CHANGE_SUFFIXES) {
    if (end - from <= k) continue;
    if (wilsonLower(countAnswers(recentDials, end - k, end), k) > wholeUpper) {
      from = end - k;
      stepUp = true;
      break;
    }
  }
  const answers = countAnswers(recentDials, from, end);
  const answerDelaysSec = new Float64Array(answers);
  const durationsSec = new Float64Array(end - from);
  for (let i = from, a = 0; i < end; i++) {
    const d = recentDials[i]!;
    durationsSec[i - from] = d.durationSec;
    if (d.answered) answerDelaysSec[a++] = d.durationSec;
  }
  answerDelaysSec.sort();
  durationsSec.sort();
  return {
    dials: end - from,
    answers,
    rateUpper: wilsonUpper(answers, end - from),
    horizonSec: answers > 0 ? quantile(answerDelaysSec, HORIZON_QUANTILE) : null,
    stepUp,
    answerDelaysSec,
    durationsSec,
  };
}

/**
 * The chance that a call ringing for `elapsedSec` is still answered: of the recent dials that
 * lasted longer than that, the share answered later (upper Wilson bound, like p̂). A call
 * ringing longer than every recent dial counts as sure to answer, so it never makes room.
 */
export function remainingAnswerProbability(est: AnswerEstimate, elapsedSec: number): number {
  const later = countAbove(est.answerDelaysSec, elapsedSec);
  const stillRinging = countAbove(est.durationsSec, elapsedSec);
  return wilsonUpper(later, stillRinging);
}

/**
 * The chance that a call ringing for `elapsedSec` is answered within the next `withinSec`: of
 * the recent dials that lasted longer than `elapsedSec`, the share answered by then (upper
 * Wilson bound).
 */
export function answerWithin(est: AnswerEstimate, elapsedSec: number, withinSec: number): number {
  return ringingLine(est, elapsedSec).answerWithin(withinSec);
}

/**
 * `answerWithin` for one ringing call at several `withinSec`: what depends on the call alone is
 * looked up once (the pacer asks at ten instants for each call in flight).
 */
export function ringingLine(est: AnswerEstimate, elapsedSec: number): { answerWithin: (withinSec: number) => number } {
  const later = countAbove(est.answerDelaysSec, elapsedSec);
  const stillRinging = countAbove(est.durationsSec, elapsedSec);
  return { answerWithin: (withinSec) => wilsonUpper(later - countAbove(est.answerDelaysSec, elapsedSec + withinSec), stillRinging) };
}

/** Share of the recent answers that came within `withinSec` of the originate. */
export function answeredBy(est: AnswerEstimate, withinSec: number): number {
  return est.answers > 0 ? 1 - countAbove(est.answerDelaysSec, withinSec) / est.answers : 0;
}

/** Nearest-rank quantile of an ascending sample. */
export function quantile(ascending: Float64Array, q: number): number {
  const i = Math.min(ascending.length - 1, Math.max(0, Math.ceil(q * ascending.length) - 1));
  return ascending[i] ?? 0;
}

/** How many values of an ascending sample are strictly above x (binary search). */
export function countAbove(ascending: Float64Array, x: number): number {
  let lo = 0;
  let hi = ascending.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ascending[mid] ?? 0) <= x) lo = mid + 1;
    else hi = mid;
  }
  return ascending.length - lo;
}

function countAnswers(dials: readonly EndedDial[], from: number, end: number): number {
  let n = 0;
  for (let i = from; i < end; i++) if (dials[i]!.answered) n++;
  return n;
}
