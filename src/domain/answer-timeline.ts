/*
 * P3, DESIGN §8: how many new lines to dial, line by line: the next line is dialled while its own
 * chance of finding no agent, should it answer, stays within `maxRisk`.
 *
 * An answer is served only by an agent free when it comes (within the 2 s connect limit), so
 * answers and agents are compared at instants spread over the answer delay — the deciles of the
 * measured originate → answer times — rather than once at H: a wrap-up ending 10 s from now
 * serves a call answered in 9 s, not one answered in 3 s. At each instant t, answers by t (calls
 * waiting for an agent, ringing calls by their chance to answer within t, lines added before by
 * p̂ × the share of answers that come within t) are set against agents free by t + 2 s. A new
 * line answering at about t finds no agent when the answers before it already take every agent
 * free by then: P(answers by t ≥ agents by t + 2), weighted by the share of answers due around t.
 *
 * Line by line (the marginal chance), not the pool's average: a line for an agent about to be free
 * is cheap, a second line for the same agent is not, and an average over the pool lets the second
 * one through on the first one's credit. The pool's expected excess — the largest
 * E[(answers − agents)⁺] over the instants — is still computed: no line at all while the lines
 * already in flight exceed what `allowed` gives them (the compliance window's room).
 */
import { answeredBy, quantile, remainingAnswerProbability, ringingLine, type AnswerEstimate } from './answer-estimate.js';
import { agentsAtMost, ChanceSum, chanceNoAgentLeft, expectedExcess, shortfallOf } from './excess-answers.js';
import { freeWithin, type HandleTimeSurvival } from './handle-time-survival.js';

/**
 * The answer-delay quantiles compared: the middles of the ten deciles. Three quartiles were too
 * coarse: a line's answers between them were judged at the next one, after agents who were not
 * free yet at the answer (bench:pacing measured both).
 */
const CHECKPOINT_QUANTILES = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95] as const;
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
  /** The largest excess the lines already in flight may have (no new line beyond it). */
  allowed: (expectedAnswers: number) => number;
  /** The largest chance, given it answers, that a new line finds no agent. */
  maxRisk: number;
}

export interface LineSearchResult {
  lines: number;
  expectedAnswers: number;
  expectedExcess: number;
  /** Agents expected free by H + the connect limit. */
  expectedFreeAgents: number;
  /** The chance that the last line dialled finds no agent should it answer; 0 without a new line. */
  lastLineRisk: number;
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
  const ringing = s.inFlightElapsedSec.map((e) => ringingLine(s.est, e));
  const checkpoints: Checkpoint[] = CHECKPOINT_QUANTILES.map((q) => {
    const atSec = quantile(s.est.answerDelaysSec, q);
    const reachSec = atSec + CONNECT_LIMIT_SEC;
    const free = new ChanceSum([], s.wrapUpRemainingSec.length + s.talking.length);
    for (const r of s.wrapUpRemainingSec) free.add(r <= reachSec ? 1 : 0);
    for (const t of s.talking) free.add(freeWithin(s.survival, t.elapsedSec, t.wrapUpSec, reachSec));
    expectedFreeAgents = s.idleAgents + free.mean;
    const answers = new ChanceSum([], s.inFlightElapsedSec.length + s.maxLines);
    for (const line of ringing) answers.add(line.answerWithin(atSec));
    const atMost = agentsAtMost(s.idleAgents, free.pmf, maxAnswers);
    return {
      newLineChance: s.est.rateUpper * answeredBy(s.est, atSec),
      answers,
      atMost,
      excess: expectedExcess(s.answeredWaiting, answers.pmf, shortfallOf(atMost)),
    };
  });

  let expectedAnswers = s.answeredWaiting;
  for (const e of s.inFlightElapsedSec) expectedAnswers += remainingAnswerProbability(s.est, e);
  const worst = () => checkpoints.reduce((m, c) => Math.max(m, c.excess), 0);
  let excess = worst();
  let best: LineSearchResult = { lines: 0, expectedAnswers, expectedExcess: excess, expectedFreeAgents, lastLineRisk: 0 };
  if (excess > s.allowed(expectedAnswers)) return best;
  // P(answers ≥ agents) at each checkpoint: the n-th line's risk there, and what it adds to the excess.
  const noAgent = new Float64Array(checkpoints.length);
  for (let n = 1; n <= s.maxLines; n++) {
    // The n-th line, answering around checkpoint k (a tenth of the answers each, the tail at the last).
    let risk = 0;
    let below = 0;
    checkpoints.forEach((c, k) => {
      const upTo = k === checkpoints.length - 1 ? 1 : CHECKPOINT_QUANTILES[k]! + 0.05;
      noAgent[k] = chanceNoAgentLeft(s.answeredWaiting, c.answers.pmf, c.atMost);
      risk += (upTo - below) * noAgent[k]!;
      below = upTo;
    });
    if (risk > s.maxRisk) break;
    checkpoints.forEach((c, k) => {
      // One more line of chance p adds p · P(answers ≥ agents) to the excess.
      c.excess += c.newLineChance * noAgent[k]!;
      c.answers.add(c.newLineChance);
    });
    expectedAnswers += s.est.rateUpper;
    excess = worst();
    best = { lines: n, expectedAnswers, expectedExcess: excess, expectedFreeAgents, lastLineRisk: risk };
  }
  return best;
}

