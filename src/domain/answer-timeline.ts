/*
 * P3, DESIGN §8: the largest number of new lines whose answers, expected to find no agent,
 * stay within ρ of the expected answers.
 *
 * An answer is served only by an agent free when it comes (within the 2 s connect limit), so
 * answers and agents are compared at several instants ahead — the quartiles of the answer delay,
 * the last one being H — rather than once at H: a wrap-up ending 10 s from now serves a call
 * answered in 9 s, not one answered in 3 s. At each instant t, answers by t (calls waiting for
 * an agent, ringing calls by their chance to answer within t, new lines by p̂ × the share of
 * answers that come within t) are set against agents free by t + 2 s; the excess counted is the
 * largest E[(answers − agents)⁺] over the instants. Answers that find no agent are lost, not
 * queued, so the lost ones by T are the largest such gap up to T (a reflected count).
 */
import { answeredBy, answerWithin, quantile, remainingAnswerProbability, type AnswerEstimate } from './answer-estimate.js';
import { agentShortfall, agentsAtMost, ChanceSum, chanceNoAgentLeft, expectedExcess } from './excess-answers.js';
import { freeWithin, type HandleTimeSurvival } from './handle-time-survival.js';

/** The answer-delay quantiles compared; the last is H (DESIGN §8). */
const CHECKPOINT_QUANTILES = [0.25, 0.5, 0.75] as const;
/** P3: an answered call waits this long for an agent before the information message. */
export const CONNECT_LIMIT_SEC = 2;

export interface LineSearch {
  idleAgents: number;
  wrapUpRemainingSec: readonly number[];
  talking: readonly { elapsedSec: number; wrapUpSec: number }[];
  inFlightElapsedSec: readonly number[];
  answeredWaiting: number;
  est: AnswerEstimate;
  survival: HandleTimeSurvival;
  maxLines: number;
  /** The largest excess allowed for a given expected number of answers. */
  allowed: (expectedAnswers: number) => number;
}

export interface LineSearchResult {
  lines: number;
  expectedAnswers: number;
  expectedExcess: number;
  /** Agents expected free by H + the connect limit. */
  expectedFreeAgents: number;
}

interface Checkpoint {
  newLineChance: number;
  answers: ChanceSum;
  atMost: Float64Array;
  excess: number;
}

export function searchLines(s: LineSearch): LineSearchResult {
  const maxAnswers = s.answeredWaiting + s.inFlightElapsedSec.length + s.maxLines;
  let expectedFreeAgents = s.idleAgents;
  const checkpoints: Checkpoint[] = CHECKPOINT_QUANTILES.map((q) => {
    const atSec = quantile(s.est.answerDelaysSec, q);
    const reachSec = atSec + CONNECT_LIMIT_SEC;
    const free = new ChanceSum([], s.wrapUpRemainingSec.length + s.talking.length);
    for (const r of s.wrapUpRemainingSec) free.add(r <= reachSec ? 1 : 0);
    for (const t of s.talking) free.add(freeWithin(s.survival, t.elapsedSec, t.wrapUpSec, reachSec));
    expectedFreeAgents = s.idleAgents + free.mean;
    const answers = new ChanceSum([], s.inFlightElapsedSec.length + s.maxLines);
    for (const e of s.inFlightElapsedSec) answers.add(answerWithin(s.est, e, atSec));
    return {
      newLineChance: s.est.rateUpper * answeredBy(s.est, atSec),
      answers,
      atMost: agentsAtMost(s.idleAgents, free.pmf, maxAnswers),
      excess: expectedExcess(s.answeredWaiting, answers.pmf, agentShortfall(s.idleAgents, free.pmf, maxAnswers)),
    };
  });

  let expectedAnswers = s.answeredWaiting;
  for (const e of s.inFlightElapsedSec) expectedAnswers += remainingAnswerProbability(s.est, e);
  const worst = () => checkpoints.reduce((m, c) => Math.max(m, c.excess), 0);
  let excess = worst();
  let best: LineSearchResult = { lines: 0, expectedAnswers, expectedExcess: excess, expectedFreeAgents };
  for (let n = 0; n <= s.maxLines; n++) {
    if (excess > s.allowed(expectedAnswers)) break;
    best = { lines: n, expectedAnswers, expectedExcess: excess, expectedFreeAgents };
    if (n === s.maxLines) break;
    for (const c of checkpoints) {
      // One more line of chance p adds p · P(answers ≥ agents) to the excess.
      c.excess += c.newLineChance * chanceNoAgentLeft(s.answeredWaiting, c.answers.pmf, c.atMost);
      c.answers.add(c.newLineChance);
    }
    expectedAnswers += s.est.rateUpper;
    excess = worst();
  }
  return best;
}

