/*
 * P3, DESIGN §8: the expected number of answers that find no agent, E[(Y − X)⁺], where the
 * answers Y and the agents free X are each a sum of independent yes/no chances (a Poisson
 * binomial). Exact, because the numbers are small (a few to a few hundred) and a normal
 * approximation is worst exactly where a small team's few calls decide an abandon.
 * Adding one more line of chance p adds p · P(Y ≥ X) to the excess, so the pacer tries
 * n = 0, 1, 2 … at the cost of one pass over Y's distribution each.
 */

/**
 * Chances this small at the top of a sum's distribution are dropped as it grows: a campaign with
 * a hundred calls ringing, most of them unlikely to answer, has a sum that never comes near a
 * hundred, and carrying those zeros made each added call cost a pass over all of them. What is
 * dropped is below 1e-15 per step, far under anything the pacer compares.
 */
const NEGLIGIBLE = 1e-15;

/** A sum of independent Bernoulli trials, its distribution kept in one buffer grown in place. */
export class ChanceSum {
  #pmf: Float64Array;
  #size = 1;
  #mean = 0;

  constructor(probabilities: readonly number[] = [], capacity = probabilities.length) {
    this.#pmf = new Float64Array(capacity + 1);
    this.#pmf[0] = 1;
    for (const p of probabilities) this.add(p);
  }

  /** One more trial of chance p. */
  add(p: number): void {
    const q = p <= 0 ? 0 : p >= 1 ? 1 : p;
    if (this.#size === this.#pmf.length) {
      const grown = new Float64Array(2 * this.#pmf.length);
      grown.set(this.#pmf);
      this.#pmf = grown;
    }
    const pmf = this.#pmf;
    pmf[this.#size] = 0;
    for (let k = this.#size; k > 0; k--) pmf[k] = pmf[k]! * (1 - q) + pmf[k - 1]! * q;
    pmf[0] = pmf[0]! * (1 - q);
    this.#size++;
    while (this.#size > 1 && pmf[this.#size - 1]! < NEGLIGIBLE) this.#size--;
    this.#mean += q;
  }

  /** pmf[k] = P(sum = k), k = 0 .. the largest sum not negligible. */
  get pmf(): Float64Array {
    return this.#pmf.subarray(0, this.#size);
  }

  get mean(): number {
    return this.#mean;
  }
}

/** Distribution of a sum of independent Bernoulli trials: pmf[k] = P(sum = k). */
export function sumOfChances(probabilities: readonly number[]): Float64Array {
  return new ChanceSum(probabilities).pmf;
}

/** atMost[y] = P(X ≤ y) for y = 0..maxAnswers, where X = `sure` + a sum with distribution `chancePmf`. */
export function agentsAtMost(sure: number, chancePmf: Float64Array, maxAnswers: number): Float64Array {
  const atMost = new Float64Array(maxAnswers + 1);
  let acc = 0;
  for (let y = 0; y <= maxAnswers; y++) {
    const k = y - sure;
    if (k >= 0 && k < chancePmf.length) acc += chancePmf[k]!;
    atMost[y] = Math.min(1, acc);
  }
  return atMost;
}

/**
 * Shortfall curve of the agents from their `agentsAtMost` curve: short[y] = E[(y − X)⁺], built
 * with short[y + 1] = short[y] + P(X ≤ y).
 */
export function shortfallOf(atMost: Float64Array): Float64Array {
  const short = new Float64Array(atMost.length);
  for (let y = 0; y + 1 < atMost.length; y++) short[y + 1] = short[y]! + atMost[y]!;
  return short;
}

/**
 * E[(Y − X)⁺] where Y = `sure` + a sum with distribution `answersPmf`, X as in `short`; `short`
 * must reach the largest Y (a shorter curve is a caller's bug).
 */
export function expectedExcess(sure: number, answersPmf: Float64Array, short: Float64Array): number {
  if (sure + answersPmf.length > short.length) throw new RangeError('shortfall curve shorter than the answers');
  let e = 0;
  for (let k = 0; k < answersPmf.length; k++) e += answersPmf[k]! * short[sure + k]!;
  return e;
}

/** P(Y ≥ X): the chance one more answer finds no agent. Same conventions as `expectedExcess`. */
export function chanceNoAgentLeft(sure: number, answersPmf: Float64Array, atMost: Float64Array): number {
  if (sure + answersPmf.length > atMost.length) throw new RangeError('agent curve shorter than the answers');
  let c = 0;
  for (let k = 0; k < answersPmf.length; k++) c += answersPmf[k]! * atMost[sure + k]!;
  return c;
}

/** Mean of a distribution given as a pmf. */
export function meanOf(pmf: Float64Array): number {
  let m = 0;
  for (let k = 0; k < pmf.length; k++) m += k * pmf[k]!;
  return m;
}
