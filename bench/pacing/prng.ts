/**
 * Seeded randomness for the pacing simulation: mulberry32 (as test/helpers/prng.ts) and the few
 * laws the callees and agents follow. Separate streams per concern, so that the pacer and the
 * progressive baseline run on the same seed see the same callees in the same order (paired seeds)
 * even though they dial at different instants.
 */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stream derived from a seed and a stream number (splitmix-style scrambling of the pair). */
export function stream(seed: number, n: number): Rng {
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(n + 1, 0x85ebca6b)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return mulberry32((z ^ (z >>> 16)) >>> 0);
}

/** Standard normal by Box–Muller (one of the pair; simple beats fast here). */
export function normal(r: Rng): number {
  const u = 1 - r();
  const v = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Lognormal with the given mean and log-sd σ (median = mean · e^(−σ²/2)). */
export function lognormal(r: Rng, mean: number, sigma: number): number {
  return mean * Math.exp(sigma * normal(r) - (sigma * sigma) / 2);
}
