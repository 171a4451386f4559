/**
 * Per-customer uncertainty from the fit's uncertainty: a Laplace approximation of the
 * maximum-likelihood estimate (θ̂ = ln parameters, approximately normal with covariance the
 * inverse observed information, mle.ts), sampled, and pushed through the customer's scores.
 * The 10th and 90th percentiles of the churn score and of the expected discounted purchases
 * (CLV per unit of spend) over the draws give an 80 % interval that reflects how well the
 * shop's data pin the model down — wide for a small shop, narrow for a large one. The spend
 * model's own uncertainty is not included.
 *
 * Cheap per customer (a few hundred evaluations), so the customer page computes it on demand
 * from the stored covariance instead of the run computing it for every customer.
 */
import { modelChurn, NEXT_ORDER_LIMIT_DAYS } from "./churn";
import type { CompressedHistories } from "./histories";
import { observedInformation } from "./mle";
import {
  aliveProbability,
  discountedPurchasesIfAlive,
  modelParameters,
  purchaseLogLikelihood,
  withParameters,
  type PurchaseModel,
} from "./purchaseModel";
import { DAYS_PER_MONTH } from "./time";

export const INTERVAL_DRAWS = 200;
export const INTERVAL_CACHE_SIZE = 100_000;

/** Covariance of ln(parameters) at the estimate; null when the information is not positive definite. */
export function parameterCovariance(
  model: PurchaseModel,
  data: CompressedHistories,
): number[][] | null {
  const names = Object.keys(modelParameters(model));
  const values = names.map((k) => modelParameters(model)[k]);
  const information = observedInformation(
    (p) => purchaseLogLikelihood(withParameters(model, p), data),
    values,
  );
  const inverse = invertSymmetric(information);
  return inverse && inverse.every((row) => row.every(Number.isFinite)) ? inverse : null;
}

/** Lower-triangular L with A = L Lᵀ, or null when A is not positive definite. */
export function cholesky(a: number[][]): number[][] | null {
  const n = a.length;
  const l = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i][j];
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(sum > 0)) return null;
        l[i][i] = Math.sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  return l;
}

function invertSymmetric(a: number[][]): number[][] | null {
  const l = cholesky(a);
  if (!l) return null;
  const n = a.length;
  // A⁻¹ = L⁻ᵀ L⁻¹; solve column by column.
  const inverse = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let c = 0; c < n; c++) {
    const y = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      let sum = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) sum -= l[i][k] * y[k];
      y[i] = sum / l[i][i];
    }
    const x = new Array<number>(n).fill(0);
    for (let i = n - 1; i >= 0; i--) {
      let sum = y[i];
      for (let k = i + 1; k < n; k++) sum -= l[k][i] * x[k];
      x[i] = sum / l[i][i];
    }
    for (let i = 0; i < n; i++) inverse[i][c] = x[i];
  }
  return inverse;
}

/** Deterministic standard normals (mulberry32 + Box–Muller), so a page shows the same interval twice. */
function normals(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

export interface Interval {
  p10: number;
  p90: number;
}

export interface CustomerIntervals {
  churnScore: Interval;
  /** Σ_m ΔE[Y(m)]/(1+d)^m; multiply by expected spend for a CLV interval. */
  discountedPurchases: Interval;
}

export interface IntervalOptions {
  horizonDays: number;
  unitDays: number;
  clvMonths: number;
  monthlyDiscountRate: number;
  draws?: number;
}

export function customerIntervals(
  model: PurchaseModel,
  covariance: number[][],
  history: { x: number; tx: number; T: number },
  options: IntervalOptions,
): CustomerIntervals | null {
  return intervalScorer(model, covariance, options)?.(history) ?? null;
}

/**
 * The intervals of many customers (an export, the CLI): the parameter draws are made once —
 * the same seeded draws customerIntervals makes for one customer, so a row and the customer
 * page agree — and customers with the same history share one evaluation. Null when the
 * covariance is not positive definite.
 */
export function intervalScorer(
  model: PurchaseModel,
  covariance: number[][],
  options: IntervalOptions,
): ((history: { x: number; tx: number; T: number }) => CustomerIntervals | null) | null {
  const l = cholesky(covariance);
  if (!l) return null;
  const params = modelParameters(model);
  const theta = Object.keys(params).map((k) => Math.log(params[k]));
  const draws = options.draws ?? INTERVAL_DRAWS;
  const normal = normals(20261205);
  const models: PurchaseModel[] = [];
  for (let d = 0; d < draws; d++) {
    const z = theta.map(() => normal());
    const drawn = theta.map((t, i) => {
      let shift = 0;
      for (let k = 0; k <= i; k++) shift += l[i][k] * z[k];
      return Math.exp(t + shift);
    });
    models.push(withParameters(model, drawn));
  }
  const seen = new Map<string, CustomerIntervals | null>();
  return ({ x, tx, T }) => {
    const key = `${x}|${tx}|${T}`;
    const known = seen.get(key);
    if (known !== undefined) return known;
    // Bounds the memory of a million-customer pass; repeated histories cluster anyway.
    if (seen.size >= INTERVAL_CACHE_SIZE) seen.clear();
    const churn: number[] = [];
    const discounted: number[] = [];
    for (const m of models) {
      try {
        const { churn: c, sum } = scoresAt(m, options, x, tx, T);
        if (Number.isFinite(c) && Number.isFinite(sum)) {
          churn.push(c);
          discounted.push(sum);
        }
      } catch (error) {
        // A draw far in the tail can leave ₂F₁'s domain; it is skipped, not shown as NaN.
        if (!(error instanceof RangeError)) throw error;
      }
    }
    const result =
      churn.length < draws / 2
        ? null
        : { churnScore: percentiles(churn), discountedPurchases: percentiles(discounted) };
    seen.set(key, result);
    return result;
  };
}

/** A customer's churn score and discounted purchases (CLV per unit of spend) under `m`. */
function scoresAt(
  m: PurchaseModel,
  options: Omit<IntervalOptions, "draws">,
  x: number,
  tx: number,
  T: number,
): { churn: number; sum: number } {
  const alive = aliveProbability(m, x, tx, T);
  const churn = modelChurn(
    m,
    options.horizonDays / options.unitDays,
    x,
    tx,
    T,
    NEXT_ORDER_LIMIT_DAYS / options.unitDays,
    alive,
  ).score;
  const sum = discountedPurchasesIfAlive(m, x, T, {
    months: options.clvMonths,
    monthlyDiscountRate: options.monthlyDiscountRate,
    unitsPerMonth: DAYS_PER_MONTH / options.unitDays,
  });
  return { churn, sum: sum * alive };
}

/** z of the 90th percentile of the standard normal: ±z·sd spans the 10th–90th percentiles. */
const Z90 = 1.2815515655446004;
const DELTA_STEP = 1e-4;

/**
 * Bulk intervals (the segment CSV export, `analyze --json`): the same Laplace approximation,
 * linearised instead of sampled (the delta method). A customer's churn score is taken on the
 * logit scale and her discounted purchases on the log scale, whose gradients in ln(parameters)
 * come from central differences; the 80 % interval is the back-transformed estimate ± 1.28
 * standard deviations. That costs 2k + 1 evaluations (k parameters) instead of INTERVAL_DRAWS,
 * which is what makes an interval per row affordable for a million customers; it agrees with
 * the sampled interval of the customer page while the scores are close to linear over the
 * parameters' spread, and stays inside (0, 1) for the churn score by construction.
 */
export function deltaIntervalScorer(
  model: PurchaseModel,
  covariance: number[][],
  options: Omit<IntervalOptions, "draws">,
): ((history: { x: number; tx: number; T: number }) => CustomerIntervals | null) | null {
  if (!cholesky(covariance)) return null;
  const params = modelParameters(model);
  const theta = Object.keys(params).map((k) => Math.log(params[k]));
  const at = (shift: number, i: number) =>
    withParameters(
      model,
      theta.map((t, j) => Math.exp(j === i ? t + shift : t)),
    );
  const shifted = theta.flatMap((_, i) => [at(DELTA_STEP, i), at(-DELTA_STEP, i)]);
  const seen = new Map<string, CustomerIntervals | null>();
  const evaluate = (m: PurchaseModel, x: number, tx: number, T: number) =>
    scoresAt(m, options, x, tx, T);
  const logit = (p: number) => Math.log(p) - Math.log1p(-p);
  const interval = (
    centre: number,
    values: number[],
    forward: (v: number) => number,
    back: (v: number) => number,
  ): Interval | null => {
    const f0 = forward(centre);
    if (!Number.isFinite(f0)) return Number.isFinite(centre) ? { p10: centre, p90: centre } : null;
    const g = theta.map(
      (_, i) => (forward(values[2 * i]) - forward(values[2 * i + 1])) / (2 * DELTA_STEP),
    );
    let variance = 0;
    for (let i = 0; i < g.length; i++)
      for (let j = 0; j < g.length; j++) variance += g[i] * covariance[i][j] * g[j];
    const sd = Math.sqrt(Math.max(0, variance));
    const p10 = back(f0 - Z90 * sd);
    const p90 = back(f0 + Z90 * sd);
    return Number.isFinite(p10) && Number.isFinite(p90) ? { p10, p90 } : null;
  };
  return ({ x, tx, T }) => {
    const key = `${x}|${tx}|${T}`;
    const known = seen.get(key);
    if (known !== undefined) return known;
    if (seen.size >= INTERVAL_CACHE_SIZE) seen.clear();
    let result: CustomerIntervals | null = null;
    try {
      const centre = evaluate(model, x, tx, T);
      const around = shifted.map((m) => evaluate(m, x, tx, T));
      const churnScore = interval(
        centre.churn,
        around.map((a) => a.churn),
        logit,
        (v) => 1 / (1 + Math.exp(-v)),
      );
      const discountedPurchases = interval(
        centre.sum,
        around.map((a) => a.sum),
        Math.log,
        Math.exp,
      );
      result = churnScore && discountedPurchases ? { churnScore, discountedPurchases } : null;
    } catch (error) {
      // Parameters next to the estimate outside ₂F₁'s domain: no interval rather than NaN.
      if (!(error instanceof RangeError)) throw error;
    }
    seen.set(key, result);
    return result;
  };
}

/** A CLV interval: expected spend per order times the discounted-purchases interval. */
export function clvInterval(spend: number | null, discounted: Interval): Interval | null {
  if (spend === null || !Number.isFinite(spend)) return null;
  const p10 = spend * discounted.p10;
  const p90 = spend * discounted.p90;
  return Number.isFinite(p10) && Number.isFinite(p90) ? { p10, p90 } : null;
}

function percentiles(values: number[]): Interval {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p10: at(0.1), p90: at(0.9) };
}
