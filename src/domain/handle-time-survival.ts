/*
 * P3, DESIGN §8: the chance that an agent now in a call is free again within the answer horizon,
 * from the empirical survival curve of recent talk times. An agent talking for e seconds, with a
 * wrap-up of W seconds after the call, is free within H when the talk ends before e + H − W:
 *   P(T ≤ e + H − W | T > e) = (S(e) − S(e + H − W)) / S(e),  S(t) = share of talks longer than t.
 * Empirical, not a fitted law: talk times are skewed and campaign-specific, and a few hundred
 * samples describe them better than a lognormal guessed once.
 */
import { countAbove } from './answer-estimate.js';

/** DESIGN §8: talk times are read from about this many recent calls. */
export const TALK_WINDOW = 300;

export interface HandleTimeSurvival {
  /** Recent talk times, ascending. */
  talksSec: Float64Array;
}

/** `talkTimesSec`: bridge → hangup of recent connected calls, oldest first; the last TALK_WINDOW are used. */
export function handleTimeSurvival(talkTimesSec: readonly number[]): HandleTimeSurvival {
  const from = Math.max(0, talkTimesSec.length - TALK_WINDOW);
  const talksSec = new Float64Array(talkTimesSec.length - from);
  for (let i = from; i < talkTimesSec.length; i++) talksSec[i - from] = talkTimesSec[i]!;
  return { talksSec: talksSec.sort() };
}

/**
 * Chance that an agent talking for `elapsedSec`, then wrapping up for `wrapUpSec`, is free within
 * `horizonSec`. A call already longer than every recent one counts as not ending soon: guessing
 * it ends would dial for an agent who may not come.
 */
export function freeWithin(s: HandleTimeSurvival, elapsedSec: number, wrapUpSec: number, horizonSec: number): number {
  const slackSec = horizonSec - wrapUpSec;
  if (slackSec <= 0) return 0;
  const longer = countAbove(s.talksSec, elapsedSec);
  if (longer === 0) return 0;
  const stillLonger = countAbove(s.talksSec, elapsedSec + slackSec);
  return (longer - stillLonger) / longer;
}
