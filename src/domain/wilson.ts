/*
 * The Wilson score interval of a binomial proportion (P3, DESIGN §8): the pacer dials on the
 * upper bound of the answer rate, so a short or unlucky sample makes it dial less, never more.
 * Wilson rather than the normal interval because it stays inside [0, 1] and is sound for the
 * small counts (tens of dials) a campaign has when it starts or after a change.
 */

/** z of a two-sided 95 % interval (each bound is then a one-sided 97.5 % bound). */
export const Z95 = 1.959963984540054;

/** Upper bound of the Wilson interval of `successes` out of `trials`; 1 when there is no trial. */
export function wilsonUpper(successes: number, trials: number, z = Z95): number {
  if (trials <= 0) return 1;
  return wilsonBound(successes, trials, z, +1);
}

/** Lower bound of the Wilson interval of `successes` out of `trials`; 0 when there is no trial. */
export function wilsonLower(successes: number, trials: number, z = Z95): number {
  if (trials <= 0) return 0;
  return wilsonBound(successes, trials, z, -1);
}

function wilsonBound(successes: number, trials: number, z: number, sign: 1 | -1): number {
  const p = Math.min(1, Math.max(0, successes / trials));
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const spread = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  const bound = (centre + sign * spread) / (1 + z2 / trials);
  return Math.min(1, Math.max(0, bound));
}
