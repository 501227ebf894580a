/*
 * P3, P4, P7, DESIGN §8: how many subscribers a predictive campaign dials now.
 *
 * Pure: the engine measures, the pacer decides. It takes the facts below and the small
 * controller state it returned last time, and gives the number of new lines plus the figures
 * the live boards show. Nothing here reads a clock or a database.
 *
 * The rule: P4's guards first (one line per idle agent no call is heading for); otherwise new
 * lines one by one, up to P7's 3 lines per working agent and C2/C3's headroom, while the next
 * line's own chance of finding no agent should it answer — answers and agents free compared at
 * the deciles of the answer delay (answer-timeline.ts) — is at most RISK_PER_RHO × ρ, scaled down
 * as the compliance window nears its guard; no line while the lines in flight are expected to
 * abandon more than the window can take below its guard; never fewer than the guard's own lines.
 * ρ is moved every ~60 s toward the target (abandon-controller.ts): it sets how much risk a line
 * may carry, and the measured abandon rate, not the model, decides where it settles.
 * What this achieves is measured by the simulation in bench/pacing (`npm run bench:pacing`,
 * BENCHMARKS.md "Predictive pacing").
 *
 * How the engine feeds it (one process holds a campaign's pacer at a time):
 *  - When: on every event that changes the picture — a call answered or ended, an agent
 *    becoming Waiting, logging in or out, going on or off break, a wrap-up ending — and on a
 *    short tick (1 s) so ringing calls age and wrap-ups come due. Dial the `lines` at once and
 *    count them in `inFlightElapsedSec` (elapsed 0) at the next call; calling twice with the
 *    same facts dials twice.
 *  - Agents (the campaign's, logged in and not on break — "working"): `idleAgents` Waiting and
 *    ready now; `wrapUpRemainingSec` one entry per agent in Wrap up (readyAt − now, or a delay
 *    after a failed agent leg); `talking` one entry per agent in a call, reserved or being
 *    bridged (elapsed since the bridge, 0 before it; the wrap-up it will do afterwards).
 *  - Calls: `inFlightElapsedSec` one entry per subscriber call originated and neither answered
 *    nor ended (seconds since originate); `answeredWaiting` answered calls not yet bridged nor
 *    abandoned (inside their 2 s).
 *  - Measurements, oldest first, over a sliding window the engine keeps in memory and reloads
 *    from MySQL at takeover: `recentDials` the last ~300 ended dials (answered = an answer that
 *    needs an agent: a person, or any answer when AMD is off or says NOTSURE), `talkTimesSec`
 *    the last ~300 talk times (bridge → hangup).
 *  - Counts: `window` answered / abandoned over the compliance window (P4, rolling 30 days or
 *    the calendar day); `recentAnswers` the same over the last ~500 answers; `answersKnown` the
 *    answers recorded for the campaign since it was created (monotonic; the P4 guard, the
 *    controller's step weight and its paced stretch read it).
 *  - `linesAllowed`: how many more calls C2 (the campaign limit) and C3 (the line group) allow now.
 *  - State: `initialPacerState(targetRate(settings))` when the engine takes the campaign; then
 *    always the `state` returned by the previous call; the engine keeps it in MySQL, and a process
 *    taking the campaign over goes on from it (losing it would only restart ρ).
 */
import { assertNever } from './assert-never.js';
import { estimateAnswers, type EndedDial } from './answer-estimate.js';
import { searchLines } from './answer-timeline.js';
import { holdController, stepController, type AbandonCounts, type PacerState } from './abandon-controller.js';
import { handleTimeSurvival } from './handle-time-survival.js';

export type { AbandonCounts, PacerState } from './abandon-controller.js';
export { initialPacerState } from './abandon-controller.js';
export type { EndedDial } from './answer-estimate.js';

/**
 * A line may carry up to this many times ρ of chance to find no agent. Lines are dialled while
 * their own chance is under the bound, so the abandon rate they make is below it: at 1 the
 * controller starts far from where it settles, and a small team's controller (a few answers a
 * minute) takes hours to get there. 2.5: where the simulation's campaigns settle near the target
 * (bench:pacing); the controller corrects it for a real campaign.
 */
export const RISK_PER_RHO = 2.5;
/**
 * Abandons left before the compliance window's guard below which a line's allowed risk shrinks
 * in proportion: a small window (a calendar day's first hundreds of answers) gets near its guard
 * after a few unlucky abandons, and the guard's fall-back to one line per idle agent then lasts
 * until tens of answers have diluted them; slowing down before it costs less.
 */
export const GUARD_ROOM_ABANDONS = 6;

export interface PacerSettings {
  /** P4: abandoned ÷ answered over the compliance window never exceeds this. @defaultValue 0.03 */
  abandonCap: number;
  /** P4: the share of the cap the pacer aims at. @defaultValue 0.8 */
  targetShare: number;
  /** P4: at this share of the cap in the window the pacer falls back to one line per idle agent. @defaultValue 0.9 */
  guardShare: number;
  /** P4: progressive while fewer answers than this are known. @defaultValue 100 */
  minAnswersKnown: number;
  /** P4: progressive with fewer working agents than this. @defaultValue 3 */
  minWorkingAgents: number;
  /** P7: lines (ringing or answered, not yet bridged) per working agent, at most. @defaultValue 3 */
  maxLinesPerAgent: number;
}

export const DEFAULT_PACER_SETTINGS: PacerSettings = {
  abandonCap: 0.03,
  targetShare: 0.8,
  guardShare: 0.9,
  minAnswersKnown: 100,
  minWorkingAgents: 3,
  maxLinesPerAgent: 3,
};

/** The abandon rate the controller aims at (P4: 80 % of the cap by default). */
export const targetRate = (s: PacerSettings): number => s.abandonCap * s.targetShare;

export interface TalkingAgent {
  /** Since the bridge; 0 while reserved or being bridged. */
  elapsedSec: number;
  /** The wrap-up this agent does after the call. */
  wrapUpSec: number;
}

export interface PacerInputs {
  nowMs: number;
  idleAgents: number;
  wrapUpRemainingSec: readonly number[];
  talking: readonly TalkingAgent[];
  inFlightElapsedSec: readonly number[];
  answeredWaiting: number;
  recentDials: readonly EndedDial[];
  talkTimesSec: readonly number[];
  window: AbandonCounts;
  recentAnswers: AbandonCounts;
  answersKnown: number;
  linesAllowed: number;
}

/** Why the pacer dials what it dials; the boards show it. */
export type PacerReason =
  | 'few-answers' // P4: fewer than minAnswersKnown answers known
  | 'few-agents' // P4: fewer than minWorkingAgents working
  | 'window-near-cap' // P4: the compliance window at ≥ guardShare of the cap
  | 'no-recent-answer' // no answer among the recent dials: nothing to measure H from
  | 'paced'; // P3: predictive

export type PacerMode = 'progressive' | 'predictive';

export const modeOf = (reason: PacerReason): PacerMode => {
  switch (reason) {
    case 'few-answers': case 'few-agents': case 'window-near-cap': case 'no-recent-answer': return 'progressive';
    case 'paced': return 'predictive';
    default: return assertNever(reason);
  }
};

export interface PacerDecision {
  /** New subscriber calls to originate now (≥ 0). */
  lines: number;
  mode: PacerMode;
  reason: PacerReason;
  workingAgents: number;
  /** Ringing + answered-waiting calls before this decision. */
  linesInFlight: number;
  /** (lines in flight + new lines) ÷ working agents; 0 without a working agent. */
  dialLevel: number;
  /** The controller's ρ used for this decision. */
  rho: number;
  /** The chance that the last new line finds no agent should it answer; null when the pacer added no line of its own. */
  lastLineRisk: number | null;
  /** p̂, H and the model's expectations within H; null in a guard that did not compute them. */
  answerRateUpper: number | null;
  horizonSec: number | null;
  expectedAnswers: number | null;
  expectedFreeAgents: number | null;
  expectedExcess: number | null;
  /** Abandoned ÷ answered in the compliance window; 0 without an answer. */
  windowRate: number;
}

export interface PacerResult {
  decision: PacerDecision;
  state: PacerState;
}

/** P3, P4, P7: the lines to dial now, and the controller state to pass next time. */
export function pace(inputs: PacerInputs, state: PacerState, settings: PacerSettings = DEFAULT_PACER_SETTINGS): PacerResult {
  const working = inputs.idleAgents + inputs.wrapUpRemainingSec.length + inputs.talking.length;
  const linesInFlight = inputs.inFlightElapsedSec.length + inputs.answeredWaiting;
  const windowRate = inputs.window.answered > 0 ? inputs.window.abandoned / inputs.window.answered : 0;
  const headroom = Math.max(0, Math.floor(inputs.linesAllowed));
  // P4's fallback: a line only for an idle agent no call is already heading for.
  const progressiveLines = Math.min(headroom, Math.max(0, inputs.idleAgents - linesInFlight));
  const base = { workingAgents: working, linesInFlight, windowRate };
  const progressive = (reason: PacerReason, st: PacerState): PacerResult => ({
    decision: {
      ...base, lines: progressiveLines, mode: modeOf(reason), reason, rho: st.rho,
      dialLevel: level(linesInFlight + progressiveLines, working),
      lastLineRisk: null, answerRateUpper: null, horizonSec: null, expectedAnswers: null, expectedFreeAgents: null, expectedExcess: null,
    },
    state: st,
  });

  const held = holdController(state, inputs.nowMs, inputs.answersKnown);
  if (inputs.answersKnown < settings.minAnswersKnown) return progressive('few-answers', held);
  if (working < settings.minWorkingAgents) return progressive('few-agents', held);
  // P4: the window at 90 % of the cap, or one abandon away from it — on a small window (a
  // calendar day's first hundreds of answers) one abandon moves the rate by tenths of a point,
  // and calls already in flight may still bring it; the pacer must stop before, not at, the line.
  if ((inputs.window.abandoned + 1) / (inputs.window.answered + 1) >= settings.guardShare * settings.abandonCap) {
    return progressive('window-near-cap', held);
  }
  const est = estimateAnswers(inputs.recentDials);
  if (est.horizonSec === null) return progressive('no-recent-answer', held);

  const next = stepController(state, inputs.nowMs, inputs.recentAnswers, inputs.answersKnown, targetRate(settings));
  // P7 and C2/C3: the most new lines allowed at all.
  const maxLines = Math.max(0, Math.min(headroom, settings.maxLinesPerAgent * working - linesInFlight));
  // P3: each line's risk within RISK_PER_RHO × ρ, less as the window nears its guard; P4: the
  // lines in flight within what the window can take below its guard.
  const guardRate = settings.guardShare * settings.abandonCap;
  const guardRoom = Math.max(0, guardRate * inputs.window.answered - inputs.window.abandoned);
  const found = searchLines({
    idleAgents: inputs.idleAgents, wrapUpRemainingSec: inputs.wrapUpRemainingSec, talking: inputs.talking,
    inFlightElapsedSec: inputs.inFlightElapsedSec, answeredWaiting: inputs.answeredWaiting,
    est, survival: handleTimeSurvival(inputs.talkTimesSec), maxLines,
    allowed: (expected) => Math.min(next.rho * expected, guardRate * (inputs.window.answered + expected) - inputs.window.abandoned),
    maxRisk: RISK_PER_RHO * next.rho * Math.min(1, guardRoom / GUARD_ROOM_ABANDONS),
  });
  // Never fewer than P4's fallback would dial: those lines have an idle agent each.
  const lines = Math.max(progressiveLines, found.lines);
  return {
    decision: {
      ...base, lines, mode: 'predictive', reason: 'paced', rho: next.rho,
      dialLevel: level(linesInFlight + lines, working), lastLineRisk: found.lines > 0 ? found.lastLineRisk : null,
      answerRateUpper: est.rateUpper, horizonSec: est.horizonSec,
      expectedAnswers: found.expectedAnswers, expectedFreeAgents: found.expectedFreeAgents, expectedExcess: found.expectedExcess,
    },
    state: next,
  };
}

function level(lines: number, working: number): number {
  return working > 0 ? lines / working : 0;
}
