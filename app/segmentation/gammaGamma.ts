/**
 * The Gamma-Gamma model of spend per transaction, and customer lifetime value.
 *
 * Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
 * Analysis", Journal of Marketing Research 42(4), 415–430, §"Adding monetary value"; the
 * model is laid out in Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value".
 *
 * A customer's transaction values are Gamma(p, ν) with ν ~ Gamma(q, v) across customers. The
 * sufficient statistics are the number of repeat transactions x and their mean z̄ (the first
 * purchase is left out, as in the paper and in `lifetimes`). The model assumes spend is
 * independent of frequency; `spendFrequencyCorrelation` lets the caller check that.
 *
 * Money crosses the model boundary here: z̄ is in major units (e.g. dollars) from this point on.
 */
import { conditionalExpectedPurchases, type BgNbdParams } from "./bgnbd";
import { minimizeLbfgs, minimizeNelderMead, type OptimizeResult } from "./optimize";
import { digamma, lnGamma } from "./special";
import { DAYS_PER_MONTH, DAYS_PER_UNIT, type TimeUnit } from "./time";

export interface GammaGammaParams {
  p: number;
  q: number;
  v: number;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  gradientNorm: number;
  method: OptimizeResult["method"];
  message: string;
  /** Repeat buyers used in the fit. */
  customers: number;
}

/** Validates (x, z̄) pairs: x a positive integer, z̄ positive and finite. */
export function validateSpendData(x: ArrayLike<number>, zbar: ArrayLike<number>): void {
  if (x.length !== zbar.length)
    throw new RangeError("gamma-gamma: x and z̄ must have the same length");
  for (let i = 0; i < x.length; i++) {
    if (!Number.isInteger(x[i]) || x[i] <= 0) {
      throw new RangeError(
        `gamma-gamma: customer #${i} has x=${x[i]}; only repeat buyers (x ≥ 1) can be used`,
      );
    }
    if (!Number.isFinite(zbar[i]) || zbar[i] <= 0) {
      throw new RangeError(
        `gamma-gamma: customer #${i} has mean spend ${zbar[i]}; it must be positive`,
      );
    }
  }
}

/**
 * The data in the form the likelihood wants it: per customer ln z̄ and x·z̄ (fixed during a
 * fit), and the distinct values of x, because the Γ and ψ terms depend on x only.
 */
export interface SpendData {
  x: Float64Array;
  lnZ: Float64Array;
  xz: Float64Array;
  levels: Float64Array;
  levelOf: Int32Array;
}

export function prepareSpendData(x: ArrayLike<number>, zbar: ArrayLike<number>): SpendData {
  validateSpendData(x, zbar);
  const n = x.length;
  const levels = Float64Array.from(new Set(Array.from(x))).sort();
  const position = new Map<number, number>();
  levels.forEach((v, k) => position.set(v, k));
  const out: SpendData = {
    x: Float64Array.from(x),
    lnZ: new Float64Array(n),
    xz: new Float64Array(n),
    levels,
    levelOf: new Int32Array(n),
  };
  for (let i = 0; i < n; i++) {
    out.lnZ[i] = Math.log(zbar[i]);
    out.xz[i] = x[i] * zbar[i];
    out.levelOf[i] = position.get(x[i]) ?? 0;
  }
  return out;
}

/**
 * Σ ln L and gradient w.r.t. (p, q, v). Per customer (Fader & Hardie 2013, eq. 5, keeping the
 * data-only terms so that the value matches `lifetimes`):
 *   ln L = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln v + (px−1) ln z̄ + px ln x − (px+q) ln(x z̄ + v)
 */
export function gammaGammaLogLikelihood(
  params: GammaGammaParams,
  x: ArrayLike<number> | SpendData,
  zbar?: ArrayLike<number>,
  gradient?: Float64Array,
): number {
  const data = isSpendData(x) ? x : prepareSpendData(x, zbar ?? []);
  const { p, q, v } = params;
  const L = data.levels.length;
  const constant = new Float64Array(L);
  const dConstP = new Float64Array(L);
  const dConstQ = new Float64Array(L);
  const lnGammaQ = lnGamma(q);
  const psiQ = digamma(q);
  const lnV = Math.log(v);
  for (let k = 0; k < L; k++) {
    const xk = data.levels[k];
    const px = p * xk;
    constant[k] = lnGamma(px + q) - lnGamma(px) - lnGammaQ + q * lnV + px * Math.log(xk);
    if (gradient !== undefined) {
      const psiPxQ = digamma(px + q);
      dConstP[k] = xk * (psiPxQ - digamma(px) + Math.log(xk));
      dConstQ[k] = psiPxQ - psiQ + lnV;
    }
  }
  let total = 0;
  let gp = 0;
  let gq = 0;
  let gv = 0;
  const { levelOf, lnZ, xz } = data;
  const xs = data.x;
  for (let i = 0; i < xs.length; i++) {
    const k = levelOf[i];
    const xi = xs[i];
    const px = p * xi;
    const sum = xz[i] + v;
    const lnSum = Math.log(sum);
    total += constant[k] + (px - 1) * lnZ[i] - (px + q) * lnSum;
    if (gradient !== undefined) {
      gp += dConstP[k] + xi * (lnZ[i] - lnSum);
      gq += dConstQ[k] - lnSum;
      gv += q / v - (px + q) / sum;
    }
  }
  if (gradient !== undefined) {
    gradient[0] = gp;
    gradient[1] = gq;
    gradient[2] = gv;
  }
  return total;
}

function isSpendData(value: ArrayLike<number> | SpendData): value is SpendData {
  return "levelOf" in value;
}

/**
 * Maximum likelihood on log-parameters, L-BFGS with Nelder–Mead fallback. Start: method of
 * moments-ish values p = 1, q = 2, v = mean z̄ (so the prior mean spend pv/(q−1) ≈ mean z̄).
 */
export function fitGammaGamma(
  x: ArrayLike<number>,
  zbar: ArrayLike<number>,
  options: { penalizer?: number; maxIterations?: number } = {},
): GammaGammaFit {
  const data = prepareSpendData(x, zbar);
  const n = x.length;
  if (n === 0) throw new RangeError("gamma-gamma: no repeat buyers to fit");
  const penalizer = options.penalizer ?? 0;
  let meanZ = 0;
  for (let i = 0; i < n; i++) meanZ += zbar[i] / n;
  const natural = new Float64Array(3);
  const objective = (theta: Float64Array, gradient?: Float64Array): number => {
    const params = { p: Math.exp(theta[0]), q: Math.exp(theta[1]), v: Math.exp(theta[2]) };
    let value =
      -gammaGammaLogLikelihood(params, data, undefined, gradient ? natural : undefined) / n;
    const values = [params.p, params.q, params.v];
    for (let j = 0; j < 3; j++) {
      value += penalizer * theta[j] * theta[j];
      if (gradient) gradient[j] = (-natural[j] * values[j]) / n + 2 * penalizer * theta[j];
    }
    return value;
  };
  const start = [0, Math.log(2), Math.log(meanZ)];
  let result = minimizeLbfgs(objective, start, { maxIterations: options.maxIterations ?? 500 });
  if (!result.converged) {
    const simplex = minimizeNelderMead((theta) => objective(theta), result.x);
    const polished = minimizeLbfgs(objective, simplex.x);
    result = polished.converged || polished.value < result.value ? polished : result;
  }
  const params = { p: Math.exp(result.x[0]), q: Math.exp(result.x[1]), v: Math.exp(result.x[2]) };
  return {
    params,
    logLikelihood: gammaGammaLogLikelihood(params, data),
    converged: result.converged,
    iterations: result.iterations,
    gradientNorm: result.gradientNorm,
    method: result.method,
    message: result.message,
    customers: n,
  };
}

/**
 * E[Z | x, z̄], the expected value of a customer's future transactions (FHL 2005 "RFM and CLV",
 * eq. 5): a weighted average of the population mean pv/(q−1) and the customer's own z̄,
 *   (p(v + x z̄)) / (px + q − 1).
 * With x = 0 it is the population mean (requires q > 1 for a finite mean).
 */
export function conditionalExpectedSpend(
  params: GammaGammaParams,
  x: number,
  zbar: number,
): number {
  const { p, q, v } = params;
  if (x === 0) return q > 1 ? (p * v) / (q - 1) : NaN;
  return (p * (v + x * zbar)) / (p * x + q - 1);
}

/** Pearson correlation of x and z̄ among repeat buyers; the model assumes it is near 0. */
export function spendFrequencyCorrelation(x: ArrayLike<number>, zbar: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let mz = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    mz += zbar[i] / n;
  }
  let sxz = 0;
  let sxx = 0;
  let szz = 0;
  for (let i = 0; i < n; i++) {
    sxz += (x[i] - mx) * (zbar[i] - mz);
    sxx += (x[i] - mx) ** 2;
    szz += (zbar[i] - mz) ** 2;
  }
  return sxx > 0 && szz > 0 ? sxz / Math.sqrt(sxx * szz) : 0;
}

export interface ClvOptions {
  /** Horizon in months (default 12). */
  months?: number;
  /** Discount rate per month (default 0.01, ≈ 12.7 % a year). */
  monthlyDiscountRate?: number;
  timeUnit: TimeUnit;
}

/**
 * Customer lifetime value over a horizon, discounted monthly — the scheme of `lifetimes`'
 * `customer_lifetime_value`: for each month m = 1…M the expected purchases in that month
 * (difference of BG/NBD conditional expectations, eq. 10, at the month's end and start) times
 * the Gamma-Gamma expected spend, divided by (1 + d)^m. Months are average Gregorian months
 * (30.44 days); lifetimes uses 30 days (daily data) or 4.345 weeks.
 */
export function customerLifetimeValue(
  bgnbd: BgNbdParams,
  expectedSpend: number,
  x: number,
  tx: number,
  T: number,
  options: ClvOptions,
): number {
  const months = options.months ?? 12;
  const rate = options.monthlyDiscountRate ?? 0.01;
  const unitsPerMonth = DAYS_PER_MONTH / DAYS_PER_UNIT[options.timeUnit];
  let value = 0;
  let previous = 0;
  for (let m = 1; m <= months; m++) {
    const cumulative = conditionalExpectedPurchases(bgnbd, m * unitsPerMonth, x, tx, T);
    value += (expectedSpend * (cumulative - previous)) / Math.pow(1 + rate, m);
    previous = cumulative;
  }
  return value;
}

export type SpendTier = "HIGH" | "MEDIUM" | "LOW";

export interface SpendTierShares {
  /** Share of customers (by CLV rank) in HIGH; default 0.1. */
  high: number;
  /** Share in MEDIUM; default 0.4. The rest are LOW. */
  medium: number;
}

export const DEFAULT_SPEND_TIER_SHARES: SpendTierShares = { high: 0.1, medium: 0.4 };

/**
 * Shopify's `predictedSpendTier` vocabulary, assigned by CLV rank within the shop: the top 10 %
 * HIGH, the next 40 % MEDIUM, the rest LOW. Ties share the tier of their best-placed member;
 * NaN values (no prediction) get null.
 */
export function spendTiers(
  values: ArrayLike<number>,
  shares: SpendTierShares = DEFAULT_SPEND_TIER_SHARES,
): (SpendTier | null)[] {
  const indices: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) indices.push(i);
  indices.sort((i, j) => values[j] - values[i]);
  const n = indices.length;
  const tiers: (SpendTier | null)[] = new Array<SpendTier | null>(values.length).fill(null);
  let rankOfGroup = 0;
  for (let k = 0; k < n; k++) {
    if (k === 0 || values[indices[k]] !== values[indices[k - 1]]) rankOfGroup = k;
    const fraction = rankOfGroup / n;
    tiers[indices[k]] =
      fraction < shares.high ? "HIGH" : fraction < shares.high + shares.medium ? "MEDIUM" : "LOW";
  }
  return tiers;
}
