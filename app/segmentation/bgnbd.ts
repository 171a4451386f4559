/**
 * The BG/NBD model of Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An
 * Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275–284.
 *
 * While alive, a customer buys as a Poisson process with rate λ; after every purchase she drops
 * out with probability p. Across customers λ ~ Gamma(r, α) and p ~ Beta(a, b). A customer's
 * history enters only through (x, t_x, T): repeat purchases, time of the last one, and age.
 *
 * Equation numbers refer to the paper. Times are in whatever unit the summaries use (days or
 * weeks); α carries that unit.
 */
import { compressHistories, type CompressedHistories } from "./histories";
import { logPowerTimesHyp2f1 } from "./hypergeometric";
import { minimizeLbfgs, minimizeNelderMead, type OptimizeResult } from "./optimize";
import { digamma, lnBeta, lnGamma, logAddExp } from "./special";

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdFit {
  params: BgNbdParams;
  /** Σ ln L over customers at the estimate (FHL report −9582.4 for CDNOW). */
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  /** Largest |∂(−LL/N)/∂ ln θ| at the estimate. */
  gradientNorm: number;
  method: OptimizeResult["method"];
  message: string;
  customers: number;
  distinctHistories: number;
}

export interface FitOptions {
  /** Adds penalizer · Σ (ln θ)² to −LL/N; shrinks towards θ = 1 when data are thin. Default 0. */
  penalizer?: number;
  maxIterations?: number;
  start?: BgNbdParams;
}

/** Per-x constants of the likelihood, shared by every triple with that x. */
interface XLevels {
  values: Float64Array;
  /** Triple → index into `values`. */
  levelOf: Int32Array;
}

function xLevels(x: Float64Array): XLevels {
  const values = Float64Array.from(new Set(x)).sort();
  const position = new Map<number, number>();
  values.forEach((v, i) => position.set(v, i));
  const levelOf = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) levelOf[i] = position.get(x[i]) ?? 0;
  return { values, levelOf };
}

/**
 * Σ_i w_i ln L_i and its gradient with respect to (r, α, a, b) (written into `gradient` when
 * given). FHL eq. (6):
 *
 *   L = Γ(r+x) α^r / Γ(r) · B(a, b+x)/B(a, b) · [ (α+T)^−(r+x) + δ_{x>0} a/(b+x−1) (α+t_x)^−(r+x) ]
 *
 * using B(a+1, b+x−1)/B(a, b+x) = a/(b+x−1). Written as ln L = A + B + ln(e^C + δ e^D) with
 *   A = ln Γ(r+x) − ln Γ(r) + r ln α,   B = ln Γ(a+b) + ln Γ(b+x) − ln Γ(b) − ln Γ(a+b+x),
 *   C = −(r+x) ln(α+T),                 D = ln a − ln(b+x−1) − (r+x) ln(α+t_x),
 * the sum of exponentials is taken in log space, and with w = e^D / (e^C + e^D) the gradient
 * of the last term is (1−w)∇C + w∇D.
 */
export function bgnbdLogLikelihood(
  params: BgNbdParams,
  data: CompressedHistories,
  gradient?: Float64Array,
  levels: XLevels = xLevels(data.x),
): number {
  const { r, alpha, a, b } = params;
  const L = levels.values.length;
  const constant = new Float64Array(L);
  const dConstR = new Float64Array(L);
  const dConstA = new Float64Array(L);
  const dConstB = new Float64Array(L);
  const logRatio = new Float64Array(L);
  const lnGammaR = lnGamma(r);
  const lnGammaAB = lnGamma(a + b);
  const lnGammaB = lnGamma(b);
  const psiR = digamma(r);
  const psiAB = digamma(a + b);
  const psiB = digamma(b);
  const lnAlpha = Math.log(alpha);
  for (let k = 0; k < L; k++) {
    const x = levels.values[k];
    constant[k] =
      lnGamma(r + x) -
      lnGammaR +
      r * lnAlpha +
      lnGammaAB +
      lnGamma(b + x) -
      lnGammaB -
      lnGamma(a + b + x);
    if (x > 0) logRatio[k] = Math.log(a) - Math.log(b + x - 1);
    if (gradient !== undefined) {
      const psiABX = digamma(a + b + x);
      dConstR[k] = digamma(r + x) - psiR + lnAlpha;
      dConstA[k] = psiAB - psiABX;
      dConstB[k] = psiAB + digamma(b + x) - psiB - psiABX;
    }
  }

  let total = 0;
  let gr = 0;
  let gAlpha = 0;
  let ga = 0;
  let gb = 0;
  const { x, tx, T, weight } = data;
  const levelOf = levels.levelOf;
  for (let i = 0; i < x.length; i++) {
    const k = levelOf[i];
    const w = weight[i];
    const rx = r + x[i];
    const lnAlphaT = Math.log(alpha + T[i]);
    const C = -rx * lnAlphaT;
    let lnS = C;
    let share = 0;
    let lnAlphaTx = 0;
    if (x[i] > 0) {
      lnAlphaTx = Math.log(alpha + tx[i]);
      const D = logRatio[k] - rx * lnAlphaTx;
      lnS = logAddExp(C, D);
      share = Math.exp(D - lnS);
    }
    total += w * (constant[k] + lnS);
    if (gradient !== undefined) {
      gr += w * (dConstR[k] - (1 - share) * lnAlphaT - share * lnAlphaTx);
      gAlpha +=
        w *
        (r / alpha -
          (1 - share) * (rx / (alpha + T[i])) -
          (x[i] > 0 ? share * (rx / (alpha + tx[i])) : 0));
      ga += w * (dConstA[k] + share / a);
      gb += w * (dConstB[k] - (x[i] > 0 ? share / (b + x[i] - 1) : 0));
    }
  }
  if (gradient !== undefined) {
    gradient[0] = gr;
    gradient[1] = gAlpha;
    gradient[2] = ga;
    gradient[3] = gb;
  }
  return total;
}

/** Individual log-likelihood of one customer (FHL eq. 6), without any compression. */
export function bgnbdIndividualLogLikelihood(
  params: BgNbdParams,
  x: number,
  tx: number,
  T: number,
): number {
  const { r, alpha, a, b } = params;
  const common = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha);
  const alive = lnBeta(a, b + x) - lnBeta(a, b) - (r + x) * Math.log(alpha + T);
  if (x === 0) return common + alive;
  const dropped = lnBeta(a + 1, b + x - 1) - lnBeta(a, b) - (r + x) * Math.log(alpha + tx);
  return common + logAddExp(alive, dropped);
}

const PARAM_NAMES = ["r", "alpha", "a", "b"] as const;

function paramsFromLog(theta: ArrayLike<number>): BgNbdParams {
  return {
    r: Math.exp(theta[0]),
    alpha: Math.exp(theta[1]),
    a: Math.exp(theta[2]),
    b: Math.exp(theta[3]),
  };
}

/**
 * Start values: r = 1 with α matched to the observed purchase rate (E[λ] = r/α ≈ Σx / ΣT), and
 * a = 1, b = 3 (a mean dropout probability of 1/4 per purchase) — inside the basin of every
 * data set we have tried, and the optimiser works on log scale so distance is cheap.
 */
function startValues(data: CompressedHistories): BgNbdParams {
  let sx = 0;
  let sT = 0;
  for (let i = 0; i < data.x.length; i++) {
    sx += data.weight[i] * data.x[i];
    sT += data.weight[i] * data.T[i];
  }
  const alpha = sx > 0 && sT > 0 ? sT / sx : 1;
  return { r: 1, alpha: Math.min(Math.max(alpha, 1e-3), 1e6), a: 1, b: 3 };
}

/**
 * Maximum-likelihood fit on log-parameters: minimise −LL/N (+ optional penalty) with L-BFGS
 * and the analytic gradient; if that does not converge, restart from Nelder–Mead's answer.
 */
export function fitBgNbd(data: CompressedHistories, options: FitOptions = {}): BgNbdFit {
  let customers = 0;
  for (let i = 0; i < data.weight.length; i++) customers += data.weight[i];
  if (customers === 0) throw new RangeError("fitBgNbd: no customers");
  const penalizer = options.penalizer ?? 0;
  const levels = xLevels(data.x);
  const naturalGradient = new Float64Array(4);

  const objective = (theta: Float64Array, gradient?: Float64Array): number => {
    const p = paramsFromLog(theta);
    const ll = bgnbdLogLikelihood(p, data, gradient ? naturalGradient : undefined, levels);
    let value = -ll / customers;
    const natural = [p.r, p.alpha, p.a, p.b];
    for (let j = 0; j < 4; j++) {
      value += penalizer * theta[j] * theta[j];
      if (gradient)
        gradient[j] = (-naturalGradient[j] * natural[j]) / customers + 2 * penalizer * theta[j];
    }
    return value;
  };

  const start = options.start ?? startValues(data);
  const theta0 = PARAM_NAMES.map((name) => Math.log(start[name]));
  let result = minimizeLbfgs(objective, theta0, { maxIterations: options.maxIterations ?? 500 });
  if (!result.converged) {
    const simplex = minimizeNelderMead((theta) => objective(theta), result.x);
    const polished = minimizeLbfgs(objective, simplex.x, {
      maxIterations: options.maxIterations ?? 500,
    });
    result = polished.converged || polished.value < result.value ? polished : result;
  }
  const params = paramsFromLog(result.x);
  return {
    params,
    logLikelihood: bgnbdLogLikelihood(params, data, undefined, levels),
    converged: result.converged,
    iterations: result.iterations,
    gradientNorm: result.gradientNorm,
    method: result.method,
    message: result.message,
    customers,
    distinctHistories: data.x.length,
  };
}

/** Convenience: compress raw (x, t_x, T) arrays and fit. */
export function fitBgNbdToSummaries(
  x: ArrayLike<number>,
  tx: ArrayLike<number>,
  T: ArrayLike<number>,
  options: FitOptions = {},
): BgNbdFit {
  return fitBgNbd(compressHistories(x, tx, T), options);
}

/**
 * P(alive | x, t_x, T), FHL eq. (13):
 *   1 / (1 + δ_{x>0} a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)).
 * A customer without repeat purchases cannot have dropped out in this model (dropout happens
 * only right after a purchase, and the first purchase starts the clock), so P(alive) = 1.
 */
export function probabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const { r, alpha, a, b } = params;
  const logOdds =
    Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/** a = 1 is a removable singularity of eqs. (9) and (10); step off it by a negligible amount. */
function awayFromOne(a: number): number {
  return Math.abs(a - 1) < 1e-8 ? 1 + 1e-8 : a;
}

/**
 * E[X(t)], the expected number of purchases in (0, t] of a customer who has just made the
 * first purchase, FHL eq. (9):
 *   (a+b−1)/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))].
 */
export function expectedPurchases(params: BgNbdParams, t: number): number {
  if (t < 0 || !Number.isFinite(t))
    throw new RangeError(`expectedPurchases: t must be ≥ 0 (got ${t})`);
  if (t === 0) return 0;
  const { r, alpha, b } = params;
  const a = awayFromOne(params.a);
  return ((a + b - 1) / (a - 1)) * bracket(r, alpha, a, b, 0, t, 0);
}

/**
 * E[Y(t) | x, t_x, T], expected repeat purchases in (T, T+t] given the history, FHL eq. (10):
 *
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]
 *   ─────────────────────────────────────────────────────────────────────────────────
 *               1 + δ_{x>0} a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)
 */
export function conditionalExpectedPurchases(
  params: BgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  return expectedPurchasesIfAlive(params, t, x, T) * probabilityAlive(params, x, tx, T);
}

/**
 * The numerator of eq. (10): expected purchases in (T, T+t] of a customer known to be alive at
 * T. It does not depend on t_x, so a caller needing E[Y(t)] at many t multiplies P(alive) once.
 */
export function expectedPurchasesIfAlive(
  params: BgNbdParams,
  t: number,
  x: number,
  T: number,
): number {
  if (t < 0 || !Number.isFinite(t))
    throw new RangeError(`conditionalExpectedPurchases: t must be ≥ 0 (got ${t})`);
  if (t === 0) return 0;
  const { r, alpha, b } = params;
  const a = awayFromOne(params.a);
  return ((a + b + x - 1) / (a - 1)) * bracket(r, alpha, a, b, x, t, T);
}

/**
 * 1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z), z = t/(α+T+t), the bracket of eqs. (9)
 * and (10). Written directly, the ₂F₁ overflows and the power underflows for long histories
 * (x = 2000 in days gives ∞ · 0), and a fit with huge a and b overflows its Euler transform
 * (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; a+b+x−1; z) instead; both are evaluated in logs, whichever sums
 * sooner (hypergeometric.ts).
 */
function bracket(
  r: number,
  alpha: number,
  a: number,
  b: number,
  x: number,
  t: number,
  T: number,
): number {
  const z = t / (alpha + T + t);
  const logOneMinusZ = Math.log(alpha + T) - Math.log(alpha + T + t);
  const scaled = Math.exp(logPowerTimesHyp2f1(r + x, b + x, a + b + x - 1, z, logOneMinusZ));
  return 1 - scaled;
}

/**
 * P(X(t) = n), the probability of exactly n purchases in (0, t] for a new customer, FHL eq. (8):
 *
 *   B(a, b+n)/B(a, b) · Γ(r+n)/(Γ(r) n!) · (α/(α+t))^r (t/(α+t))^n
 *   + δ_{n>0} B(a+1, b+n−1)/B(a, b) · [1 − (α/(α+t))^r Σ_{j<n} Γ(r+j)/(Γ(r) j!) (t/(α+t))^j]
 */
export function probabilityOfPurchases(params: BgNbdParams, n: number, t: number): number {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`probabilityOfPurchases: n must be a non-negative integer`);
  const { r, alpha, a, b } = params;
  const lnShare = Math.log(alpha / (alpha + t));
  const lnRate = t > 0 ? Math.log(t / (alpha + t)) : -Infinity;
  const nbdTerm = (j: number) =>
    Math.exp(
      lnGamma(r + j) - lnGamma(r) - lnGamma(j + 1) + r * lnShare + (j === 0 ? 0 : j * lnRate),
    );
  let p = Math.exp(lnBeta(a, b + n) - lnBeta(a, b)) * nbdTerm(n);
  if (n > 0) {
    let cumulative = 0;
    for (let j = 0; j < n; j++) cumulative += nbdTerm(j);
    // The bracket is a tail probability; rounding can push 1 − Σ a hair below 0 for large n.
    p += Math.exp(lnBeta(a + 1, b + n - 1) - lnBeta(a, b)) * Math.max(0, 1 - cumulative);
  }
  return p;
}

/**
 * Time until the next purchase becomes more likely than not. Given the history, no purchase in
 * (T, T+t] happens if the customer has dropped out, or is alive but her Poisson process stays
 * silent; with λ's posterior Gamma(r+x, α+T) (the posterior behind eq. 10),
 *   P(Y(t) = 0 | x, t_x, T) = 1 − P(alive) + P(alive) · ((α+T)/(α+T+t))^(r+x).
 * Setting P(Y(t) ≥ 1) = ½ gives t = (α+T) · ((1 − 1/(2·P(alive)))^(−1/(r+x)) − 1). When
 * P(alive) ≤ ½ a next purchase is never more likely than not, and the answer is Infinity.
 */
export function medianTimeToNextPurchase(
  params: BgNbdParams,
  x: number,
  tx: number,
  T: number,
): number {
  const alive = probabilityAlive(params, x, tx, T);
  if (alive <= 0.5) return Infinity;
  return (params.alpha + T) * (Math.pow(1 - 0.5 / alive, -1 / (params.r + x)) - 1);
}

export type ChurnRisk = "LOW" | "MEDIUM" | "HIGH";

export interface ChurnRiskThresholds {
  /** P(alive) below this → HIGH. */
  high: number;
  /** P(alive) below this (and not HIGH) → MEDIUM. */
  medium: number;
}

export const DEFAULT_CHURN_THRESHOLDS: ChurnRiskThresholds = { high: 0.3, medium: 0.7 };

export function churnRiskBand(
  pAlive: number,
  thresholds: ChurnRiskThresholds = DEFAULT_CHURN_THRESHOLDS,
): ChurnRisk {
  if (!(thresholds.high <= thresholds.medium)) {
    throw new RangeError("churn thresholds: high must not exceed medium");
  }
  return pAlive < thresholds.high ? "HIGH" : pAlive < thresholds.medium ? "MEDIUM" : "LOW";
}
