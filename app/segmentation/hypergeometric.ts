/**
 * The Gauss hypergeometric function ₂F₁(a, b; c; z) for real arguments and z < 1, as needed by
 * the BG/NBD conditional expectation (Fader, Hardie & Lee 2005, eq. 10) and the unconditional
 * expectation E[X(t)] (eq. 9). There z = t / (α + T + t) lies in [0, 1) and creeps towards 1 as
 * the forecast horizon grows, which is exactly where the defining power series is slowest.
 *
 * Strategy (Abramowitz & Stegun ch. 15; the same regions scipy's `hyp2f1` uses for lifetimes):
 *  - z < 0: Pfaff's transformation (A&S 15.3.4) maps z to z/(z−1) ∈ (0, 1).
 *  - 0 ≤ z ≤ 0.9: the power series Σ (a)ₙ(b)ₙ/(c)ₙ zⁿ/n! (A&S 15.1.1) summed to convergence.
 *  - 0.9 < z < 1: the linear transformation to 1 − z (A&S 15.3.6), whose two series converge
 *    like (1 − z)ⁿ. It divides by Γ(c − a − b) terms that blow up when c − a − b is an integer;
 *    there we average the function at c ± h (it is smooth in c, so the error is O(h²)).
 */
import { gammaSign, lnGammaAbs } from "./special";

const SERIES_REGION_LIMIT = 0.9;
const MAX_SERIES_TERMS = 200_000;
const INTEGER_TOLERANCE = 1e-6;
const C_PERTURBATION = 1e-5;

export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (![a, b, c, z].every(Number.isFinite)) {
    throw new RangeError(`hyp2f1: arguments must be finite (got ${a}, ${b}, ${c}, ${z})`);
  }
  if (z >= 1) throw new RangeError(`hyp2f1: z must be < 1 (got ${z})`);
  if (isNonPositiveInteger(c))
    throw new RangeError(`hyp2f1: c must not be 0, −1, −2, … (got ${c})`);
  if (z === 0) return 1;
  if (z < 0) {
    // A&S 15.3.4: F(a,b;c;z) = (1−z)^(−a) F(a, c−b; c; z/(z−1)).
    return Math.pow(1 - z, -a) * hyp2f1(a, c - b, c, z / (z - 1));
  }
  if (z <= SERIES_REGION_LIMIT || isNonPositiveInteger(a) || isNonPositiveInteger(b)) {
    return powerSeries(a, b, c, z);
  }
  const m = c - a - b;
  if (Math.abs(m - Math.round(m)) < INTEGER_TOLERANCE) {
    const h = C_PERTURBATION;
    return 0.5 * (oneMinusZTransform(a, b, c + h, z) + oneMinusZTransform(a, b, c - h, z));
  }
  return oneMinusZTransform(a, b, c, z);
}

/** A&S 15.1.1, summed until the terms no longer change the sum. */
function powerSeries(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < MAX_SERIES_TERMS; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    sum += term;
    if (term === 0) return sum;
    // Once a+k, b+k and c+k are positive, the factors (a+k)/(k+1) and (b+k)/(c+k) of the next
    // term ratios move monotonically towards 1, so every later ratio is at most `bound`; when
    // that is below 1 the rest of the series is a geometric tail of at most this size.
    const next = n + 1;
    if (a + next > 0 && b + next > 0 && c + next > 0) {
      const bound =
        Math.abs(z) * Math.max(1, (a + next) / (next + 1)) * Math.max(1, (b + next) / (c + next));
      if (bound < 1 && (Math.abs(term) * bound) / (1 - bound) <= 1e-17 * Math.abs(sum)) return sum;
    }
    // Otherwise: past |a|, |b| and |c| the ratio is below 1 and shrinking towards z, so a
    // term below machine epsilon relative to the sum is followed only by smaller ones.
    if (Math.abs(term) <= 1e-17 * Math.abs(sum) && n > Math.abs(a) + Math.abs(b) + Math.abs(c)) {
      return sum;
    }
  }
  throw new RangeError(`hyp2f1: series did not converge (a=${a}, b=${b}, c=${c}, z=${z})`);
}

/**
 * A&S 15.3.6:
 *   F(a,b;c;z) = Γ(c)Γ(c−a−b)/(Γ(c−a)Γ(c−b)) · F(a, b; a+b−c+1; 1−z)
 *              + (1−z)^(c−a−b) Γ(c)Γ(a+b−c)/(Γ(a)Γ(b)) · F(c−a, c−b; c−a−b+1; 1−z)
 * A coefficient whose denominator has a Γ pole (argument 0, −1, …) is zero.
 */
function oneMinusZTransform(a: number, b: number, c: number, z: number): number {
  const w = 1 - z;
  const m = c - a - b;
  let result = 0;
  if (!isNonPositiveInteger(c - a) && !isNonPositiveInteger(c - b)) {
    const coefficient = gammaRatio([c, m], [c - a, c - b]);
    result += coefficient * powerSeries(a, b, 1 - m, w);
  }
  if (!isNonPositiveInteger(a) && !isNonPositiveInteger(b)) {
    const coefficient = gammaRatio([c, -m], [a, b]);
    result += Math.pow(w, m) * coefficient * powerSeries(c - a, c - b, m + 1, w);
  }
  return result;
}

/** Π Γ(numerator) / Π Γ(denominator), evaluated in logs with the signs tracked separately. */
function gammaRatio(numerator: number[], denominator: number[]): number {
  let logMagnitude = 0;
  let sign = 1;
  for (const x of numerator) {
    logMagnitude += lnGammaAbs(x);
    sign *= gammaSign(x);
  }
  for (const x of denominator) {
    logMagnitude -= lnGammaAbs(x);
    sign *= gammaSign(x);
  }
  return sign * Math.exp(logMagnitude);
}

function isNonPositiveInteger(x: number): boolean {
  return x <= 0 && Number.isInteger(x);
}
