/*
 * P3, DESIGN §8: the expected number of answers that find no agent, E[(Y − X)⁺], where the
 * answers Y and the agents free X are each a sum of independent yes/no chances (a Poisson
 * binomial). Exact, because the numbers are small (a few to a few hundred) and a normal
 * approximation is worst exactly where a small team's few calls decide an abandon.
 */

/** Distribution of a sum of independent Bernoulli trials: pmf[k] = P(sum = k). */
export function sumOfChances(probabilities: readonly number[]): Float64Array {
  let pmf: Float64Array = new Float64Array([1]);
  for (const p of probabilities) pmf = addChance(pmf, p);
  return pmf;
}

/** The distribution of `sum + one more trial of chance p`. */
export function addChance(pmf: Float64Array, p: number): Float64Array {
  const q = clamp01(p);
  const next = new Float64Array(pmf.length + 1);
  for (let k = 0; k < pmf.length; k++) {
    const m = pmf[k] ?? 0;
    next[k] = (next[k] ?? 0) + m * (1 - q);
    next[k + 1] = m * q;
  }
  return next;
}

/**
 * Shortfall curve of the agents: short[y] = E[(y − X)⁺] for y = 0..maxAnswers, where
 * X = `sure` + a sum with distribution `chancePmf`. Built with short[y + 1] = short[y] + P(X ≤ y).
 */
export function agentShortfall(sure: number, chancePmf: Float64Array, maxAnswers: number): Float64Array {
  const short = new Float64Array(maxAnswers + 1);
  let atMost = 0;
  for (let y = 0; y < maxAnswers; y++) {
    const k = y - sure;
    if (k >= 0) atMost += chancePmf[k] ?? 0;
    short[y + 1] = (short[y] ?? 0) + atMost;
  }
  return short;
}

/**
 * E[(Y − X)⁺] where Y = `sure` + a sum with distribution `answersPmf`, X as in `short`; `short`
 * must reach the largest Y (a shorter curve is a caller's bug).
 */
export function expectedExcess(sure: number, answersPmf: Float64Array, short: Float64Array): number {
  if (sure + answersPmf.length > short.length) throw new RangeError('shortfall curve shorter than the answers');
  let e = 0;
  for (let k = 0; k < answersPmf.length; k++) e += (answersPmf[k] ?? 0) * (short[sure + k] ?? 0);
  return e;
}

/** Mean of a distribution given as a pmf. */
export function meanOf(pmf: Float64Array): number {
  let m = 0;
  for (let k = 0; k < pmf.length; k++) m += k * (pmf[k] ?? 0);
  return m;
}

function clamp01(p: number): number {
  return p <= 0 ? 0 : p >= 1 ? 1 : p;
}
