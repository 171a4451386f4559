/**
 * How large a lift a promotion could detect: the minimum detectable effect (MDE) of a
 * comparison of two proportions (the share of treated and of held-out customers who order), at
 * a given power and two-sided significance level.
 *
 * The power of the two-sided test of p₁ = p₂ with groups of n₁ and n₂ is Fleiss's
 * normal approximation without continuity correction (Fleiss, Levin & Paik, "Statistical
 * Methods for Rates and Proportions", 3rd ed. 2003, §4.2; the usual sample-size formula of
 * calculators such as G*Power's and ClinCalc's):
 *
 *   power = Φ( (|p₂ − p₁| − z₁₋α/₂ · √(p̄q̄ (1/n₁ + 1/n₂))) / √(p₁q₁/n₁ + p₂q₂/n₂) ),
 *   p̄ = (n₁p₁ + n₂p₂) / (n₁ + n₂).
 *
 * The MDE is the smallest increase δ over the holdout's baseline rate p₁ with power(p₁, p₁ + δ)
 * at least the target; power rises with δ, so it is found by bisection. Reference: detecting
 * 5% → 10% at α = 0.05 and 80% power needs 435 customers per group (Fleiss' table), so with 435
 * per group and a 5% baseline the MDE is 5 points.
 *
 * Assumptions: customers order independently; the baseline is the holdout's rate without the
 * promotion, estimated from the segment's recent history.
 */

/** Standard normal CDF (Zelen & Severo 1964 / Abramowitz & Stegun 26.2.17; |error| < 7.5e-8). */
export function normalCdf(z: number): number {
  if (z < 0) return 1 - normalCdf(-z);
  const t = 1 / (1 + 0.2316419 * z);
  const poly =
    t *
    (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return 1 - (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI)) * poly;
}

/** Standard normal quantile by bisection on `normalCdf` (enough for the levels used here). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError("p must be in (0, 1)");
  let low = -10;
  let high = 10;
  for (let i = 0; i < 100; i++) {
    const mid = (low + high) / 2;
    if (normalCdf(mid) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

export interface PowerOptions {
  /** Two-sided significance level (default 0.05). */
  alpha?: number;
}

/** Power of the two-sided test comparing p₁ (n₁ customers) with p₂ (n₂ customers). */
export function twoProportionPower(
  p1: number,
  p2: number,
  n1: number,
  n2: number,
  options: PowerOptions = {},
): number {
  if (n1 <= 0 || n2 <= 0) return 0;
  const zAlpha = normalQuantile(1 - (options.alpha ?? 0.05) / 2);
  const pooled = (n1 * p1 + n2 * p2) / (n1 + n2);
  const null_ = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const alternative = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  if (alternative === 0) return Math.abs(p2 - p1) > 0 ? 1 : 0;
  return normalCdf((Math.abs(p2 - p1) - zAlpha * null_) / alternative);
}

export interface MdeInput {
  /** Share of held-out customers expected to order in the window without the promotion. */
  baselineRate: number;
  treated: number;
  holdout: number;
  /** Target power (default 0.8). */
  power?: number;
  alpha?: number;
}

/**
 * The smallest absolute increase in the ordering rate detectable at the target power, or null
 * when no increase up to a rate of 1 is (e.g. no holdout).
 */
export function minimumDetectableEffect(input: MdeInput): number | null {
  const { baselineRate: p1, treated, holdout } = input;
  if (!(p1 >= 0 && p1 < 1)) throw new RangeError("baselineRate must be in [0, 1)");
  const target = input.power ?? 0.8;
  const power = (delta: number) =>
    twoProportionPower(p1, p1 + delta, holdout, treated, { alpha: input.alpha });
  let high = 1 - p1;
  if (treated <= 0 || holdout <= 0 || power(high) < target) return null;
  let low = 0;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (power(mid) >= target) high = mid;
    else low = mid;
  }
  return high;
}

/**
 * A detectable lift the merchant should be warned about: none at all, more than 10 points, or
 * more than the baseline itself (only a promotion that doubled ordering would be seen).
 */
export function isLargeEffect(mde: number | null, baselineRate: number): boolean {
  return mde === null || mde > 0.1 || (baselineRate > 0 && mde > baselineRate);
}
