/*
 * P4, DESIGN §8: the outer loop of the pacer. ρ is the share of the expected answers the pacer
 * lets go without an agent; every CONTROLLER_PERIOD_MS it is moved toward the campaign's target
 * abandon rate from the rate measured over the last ~CONTROLLER_ANSWERS answers.
 *
 * The step is multiplicative and weighted by the answers new since the last step: over one
 * window's worth of answers, log ρ moves by GAIN × the relative error, whatever the team size,
 * so a small team (a few answers a minute) is not pushed 60 times on the same stale figure.
 * It only integrates while the pacer paces, and sets the window's abandons against the answers of
 * the current paced stretch only: a guard's progressive calls abandon nothing, and their answers
 * in the measured window would dilute the rate and wind ρ up (P4's fallback is not evidence that
 * more over-dial is safe). Abandons of an earlier stretch still in the window only make the
 * measured rate higher, never lower.
 */

/** DESIGN §8: ρ moves about once a minute. */
export const CONTROLLER_PERIOD_MS = 60_000;
/** DESIGN §8: the abandon rate is measured over about this many recent answers. */
export const CONTROLLER_ANSWERS = 500;
/** Below this many recent answers the measured rate is noise (3 % of 100 is 3 calls); ρ holds. */
export const CONTROLLER_MIN_ANSWERS = 100;
/** log ρ moves by GAIN × relative error per CONTROLLER_ANSWERS new answers. */
const GAIN = 1;
/** Relative error clipped: a burst moves ρ down fast (×e⁻³ at most), calm moves it up slowly. */
const ERROR_MIN = -3;
const ERROR_MAX = 1;
/** ρ stays within [target / 20, target × 10]. */
const RHO_MIN_FACTOR = 1 / 20;
const RHO_MAX_FACTOR = 10;

/** The pacer's only memory between calls; the engine keeps it per campaign, in memory and in MySQL (a takeover goes on from it). */
export interface PacerState {
  /** Share of expected answers allowed to find no agent. */
  rho: number;
  /** When ρ last moved (or the controller started / held); null before the first call. */
  stepAtMs: number | null;
  /** `answersKnown` at that instant. */
  answersAtStep: number;
  /** `answersKnown` when the current paced stretch began; null in a P4 guard. */
  pacedSinceAnswers: number | null;
}

export interface AbandonCounts {
  answered: number;
  abandoned: number;
}

/** A fresh controller: ρ at the target, as if the model were exact. */
export function initialPacerState(targetRate: number): PacerState {
  return { rho: targetRate, stepAtMs: null, answersAtStep: 0, pacedSinceAnswers: null };
}

/** One controller step when a period has passed; the same state otherwise. */
export function stepController(
  state: PacerState,
  nowMs: number,
  recent: AbandonCounts,
  answersKnown: number,
  targetRate: number,
): PacerState {
  const pacedSinceAnswers = state.pacedSinceAnswers ?? answersKnown;
  const held = { ...state, pacedSinceAnswers };
  if (state.stepAtMs === null) return { ...held, stepAtMs: nowMs, answersAtStep: answersKnown };
  if (nowMs - state.stepAtMs < CONTROLLER_PERIOD_MS) return held;
  const moved = { ...held, stepAtMs: nowMs, answersAtStep: answersKnown };
  const pacedAnswers = Math.min(recent.answered, answersKnown - pacedSinceAnswers);
  if (pacedAnswers < CONTROLLER_MIN_ANSWERS || targetRate <= 0) return moved;
  const measured = recent.abandoned / pacedAnswers;
  const error = Math.min(ERROR_MAX, Math.max(ERROR_MIN, (targetRate - measured) / targetRate));
  const weight = Math.min(1, Math.max(0, answersKnown - state.answersAtStep) / CONTROLLER_ANSWERS);
  const rho = state.rho * Math.exp(GAIN * weight * error);
  return { ...moved, rho: clamp(rho, targetRate * RHO_MIN_FACTOR, targetRate * RHO_MAX_FACTOR) };
}

/** Restarts the period without moving ρ (the pacer is in a P4 guard). */
export function holdController(state: PacerState, nowMs: number, answersKnown: number): PacerState {
  return { ...state, stepAtMs: nowMs, answersAtStep: answersKnown, pacedSinceAnswers: null };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
