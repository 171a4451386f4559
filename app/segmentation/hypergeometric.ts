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
const RESCALE_ABOVE = 1e280;
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
    // The stopping test costs as much as a term: it is made every few terms (summing a few
    // more than needed changes nothing, they are below the sum's last digit).
    if ((n & 3) !== 3) continue;
    const bound = tailRatioBound(a, b, c, z, n + 1);
    if (bound < 1 && (Math.abs(term) * bound) / (1 - bound) <= 1e-17 * Math.abs(sum)) return sum;
    // Otherwise: past |a|, |b| and |c| the ratio is below 1 and shrinking towards z, so a
    // term below machine epsilon relative to the sum is followed only by smaller ones.
    if (Math.abs(term) <= 1e-17 * Math.abs(sum) && n > Math.abs(a) + Math.abs(b) + Math.abs(c)) {
      return sum;
    }
  }
  throw new RangeError(`hyp2f1: series did not converge (a=${a}, b=${b}, c=${c}, z=${z})`);
}

/**
 * ln ₂F₁(a, b; c; z). For a, b, c > 0 and 0 ≤ z ≤ 0.9 every term of the series is positive, so
 * it is summed with a running scale: a fit that drifts to huge a and b (dropout with no
 * heterogeneity, a, b ~ 10⁶) makes ₂F₁ itself overflow while its logarithm, which the purchase
 * models multiply by a tiny power, stays moderate. Elsewhere it is the log of `hyp2f1`.
 */
export function logHyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(a > 0 && b > 0 && c > 0 && z >= 0 && z <= SERIES_REGION_LIMIT)) {
    return Math.log(hyp2f1(a, b, c, z));
  }
  let logScale = 0;
  let term = 1;
  let sum = 1;
  for (let n = 0; n < MAX_SERIES_TERMS; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (sum > RESCALE_ABOVE) {
      logScale += Math.log(sum);
      term /= sum;
      sum = 1;
    }
    if (term === 0) return logScale + Math.log(sum);
    if (ratio >= 1 || (n & 3) !== 3) continue;
    const bound = tailRatioBound(a, b, c, z, n + 1);
    if (bound < 1 && (term * bound) / (1 - bound) <= 1e-17 * sum) {
      return logScale + Math.log(sum);
    }
    // As in `powerSeries`: past a, b and c the ratio only shrinks towards z.
    if (term <= 1e-17 * sum && n > a + b + c) return logScale + Math.log(sum);
  }
  throw new RangeError(`logHyp2f1: series did not converge (a=${a}, b=${b}, c=${c}, z=${z})`);
}

/**
 * ln[(1−z)^A ₂F₁(A, B; C; z)] for A, B, C > 0 and 0 ≤ z < 1, the bracket of the BG/NBD and
 * MBG/NBD conditional expectations. Euler's transformation (A&S 15.3.3) gives the same value as
 * (1−z)^(C−B) ₂F₁(C−A, C−B; C; z). Each form's series climbs for about z·u/(1−z·v) terms before
 * it falls (u an upper parameter, v the other one over C, at most 1): a long history makes A
 * large, a fit with huge a and b makes C−B large. Both are summed in logs, so the one with the
 * shorter climb is used; above z = 0.9 the Euler form, whose connection formula is tested there.
 */
export function logPowerTimesHyp2f1(
  A: number,
  B: number,
  C: number,
  z: number,
  logOneMinusZ: number,
): number {
  if (z <= SERIES_REGION_LIMIT) {
    const direct = Math.min(climb(A, B, C, z), climb(B, A, C, z));
    const transformed = Math.min(climb(C - A, C - B, C, z), climb(C - B, C - A, C, z));
    if (direct <= transformed) return A * logOneMinusZ + logHyp2f1(A, B, C, z);
  }
  return (C - B) * logOneMinusZ + logHyp2f1(C - A, C - B, C, z);
}

/** About how many terms a series with upper parameters u, w and lower C climbs before it falls. */
function climb(u: number, w: number, C: number, z: number): number {
  const v = Math.min(1, w / C);
  return (z * u) / (1 - z * v);
}

/**
 * A bound on every term ratio from index k on, once a+k, b+k and c+k are positive: the ratio
 * z(a+k)(b+k)/((c+k)(k+1)) splits into two factors of the form (p+k)/(q+k), each moving
 * monotonically towards 1, so max(1, factor) never grows. Either pairing gives a bound; the
 * smaller one stops the sum far sooner when a ≈ c (a and c both ~10⁶, b small).
 */
function tailRatioBound(a: number, b: number, c: number, z: number, k: number): number {
  if (!(a + k > 0 && b + k > 0 && c + k > 0)) return Infinity;
  return (
    Math.abs(z) *
    Math.min(atLeastOne(a, 1, k) * atLeastOne(b, c, k), atLeastOne(a, c, k) * atLeastOne(b, 1, k))
  );
}

/** max(1, (p+k)/(q+k)): a module function, as this runs inside every series. */
function atLeastOne(p: number, q: number, k: number): number {
  return Math.max(1, (p + k) / (q + k));
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
    // (1−z)^m and the Γ ratio are combined in logs: for large |m| one underflows while the
    // other overflows, and their product is what matters.
    const { logMagnitude, sign } = logGammaRatio([c, -m], [a, b]);
    const scale = sign * Math.exp(m * Math.log(w) + logMagnitude);
    if (scale !== 0) result += scale * powerSeries(c - a, c - b, m + 1, w);
  }
  return result;
}

/** Π Γ(numerator) / Π Γ(denominator), evaluated in logs with the signs tracked separately. */
function gammaRatio(numerator: number[], denominator: number[]): number {
  const { logMagnitude, sign } = logGammaRatio(numerator, denominator);
  return sign * Math.exp(logMagnitude);
}

function logGammaRatio(
  numerator: number[],
  denominator: number[],
): { logMagnitude: number; sign: number } {
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
  return { logMagnitude, sign };
}

function isNonPositiveInteger(x: number): boolean {
  return x <= 0 && Number.isInteger(x);
}
