/**
 * The Pareto/NBD model of Schmittlein, Morrison & Colombo (1987), "Counting Your Customers:
 * Who Are They and What Will They Do Next?", Management Science 33(1), 1–24, implemented as in
 * Fader, Hardie & Lee (2005), "A Note on Implementing the Pareto/NBD Model in MATLAB"
 * (brucehardie.com/notes/008/).
 *
 * Assumptions: while alive a customer buys as a Poisson process with rate λ; her lifetime is
 * exponential with rate μ (she can leave at any moment, not only right after a purchase as in
 * BG/NBD). Across customers λ ~ Gamma(r, α) and μ ~ Gamma(s, β), independently. History enters
 * through (x, t_x, T).
 *
 * Likelihood (note, eq. 1–3):
 *   L = Γ(r+x) α^r β^s / Γ(r) · { 1/((α+T)^(r+x) (β+T)^s) + s/(r+s+x) · A₀ }
 * with, for α ≥ β,
 *   A₀ = ₂F₁(r+s+x, s+1; r+s+x+1; (α−β)/(α+t_x)) / (α+t_x)^(r+s+x)
 *      − ₂F₁(r+s+x, s+1; r+s+x+1; (α−β)/(α+T))   / (α+T)^(r+s+x)
 * and for α < β the same with (s+1, α) replaced by (r+x, β) and (α−β) by (β−α). Everything is
 * evaluated in logs, so long histories (thousands of purchases in day units) stay finite.
 *
 *   P(alive | x, t_x, T) = 1 / (1 + s/(r+s+x) · (α+T)^(r+x) (β+T)^s · A₀)         (note eq. 4)
 *   E[Y(t) | x, t_x, T]  = (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)] · P(alive)
 *
 * The likelihood's ₂F₁ terms depend on every parameter, so the fit uses Nelder–Mead with a
 * numerically differentiated polish (mle.ts) rather than an analytic gradient.
 */
import { compressHistories, type CompressedHistories } from "./histories";
import { hyp2f1 } from "./hypergeometric";
import { maximizeLikelihood, type MleResult } from "./mle";
import { lnGamma, logAddExp } from "./special";

export interface ParetoNbdParams {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

export interface ParetoNbdFit extends Omit<MleResult, "params"> {
  params: ParetoNbdParams;
  customers: number;
}

/** log(e^a − e^b) for a ≥ b; −∞ when they are equal. */
function logSubExp(a: number, b: number): number {
  if (b === -Infinity) return a;
  if (!(a > b)) return -Infinity;
  return a + Math.log(-Math.expm1(b - a));
}

/** ln A₀ of the note (−∞ when t_x = T, where the two terms cancel). */
function logA0(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = p;
  const rsx = r + s + x;
  // No closures here: this runs twice per history and likelihood evaluation, and a function
  // created per call (with the name helper tsx's build wraps it in) costs more than the math.
  if (alpha >= beta) {
    return logSubExp(
      logA0Term(rsx, s + 1, alpha, alpha - beta, tx),
      logA0Term(rsx, s + 1, alpha, alpha - beta, T),
    );
  }
  return logSubExp(
    logA0Term(rsx, r + x, beta, beta - alpha, tx),
    logA0Term(rsx, r + x, beta, beta - alpha, T),
  );
}

/** ln[₂F₁(a, b; a+1; gap/(base+t)) / (base+t)^a], one term of A₀. */
function logA0Term(a: number, b: number, base: number, gap: number, t: number): number {
  return Math.log(hyp2f1(a, b, a + 1, gap / (base + t))) - a * Math.log(base + t);
}

export function paretoNbdIndividualLogLikelihood(
  p: ParetoNbdParams,
  x: number,
  tx: number,
  T: number,
): number {
  const { r, alpha, s, beta } = p;
  const common = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha) + s * Math.log(beta);
  const alive = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const gone = Math.log(s / (r + s + x)) + logA0(p, x, tx, T);
  return common + logAddExp(alive, gone);
}

export function paretoNbdLogLikelihood(p: ParetoNbdParams, data: CompressedHistories): number {
  let total = 0;
  for (let i = 0; i < data.x.length; i++) {
    total += data.weight[i] * paretoNbdIndividualLogLikelihood(p, data.x[i], data.tx[i], data.T[i]);
  }
  return total;
}

const fromArray = (v: ArrayLike<number>): ParetoNbdParams => ({
  r: v[0],
  alpha: v[1],
  s: v[2],
  beta: v[3],
});

export function fitParetoNbd(
  data: CompressedHistories,
  options: { start?: ParetoNbdParams } = {},
): ParetoNbdFit {
  let customers = 0;
  let sx = 0;
  let sT = 0;
  for (let i = 0; i < data.weight.length; i++) {
    customers += data.weight[i];
    sx += data.weight[i] * data.x[i];
    sT += data.weight[i] * data.T[i];
  }
  const scale = sx > 0 && sT > 0 ? Math.min(Math.max(sT / sx, 1e-3), 1e6) : 1;
  const start = options.start ?? { r: 1, alpha: scale, s: 1, beta: scale };
  const fit = maximizeLikelihood({
    names: ["r", "alpha", "s", "beta"],
    start: [start.r, start.alpha, start.s, start.beta],
    logLikelihood: (v) => {
      const ll = paretoNbdLogLikelihood(fromArray(v), data);
      // A ₂F₁ that cannot be evaluated far from the optimum is a point the search must avoid.
      return Number.isFinite(ll) ? ll : -Infinity;
    },
    analyticGradient: false,
    customers,
  });
  return { ...fit, params: fromArray(fit.params), customers };
}

export function fitParetoNbdToSummaries(
  x: ArrayLike<number>,
  tx: ArrayLike<number>,
  T: ArrayLike<number>,
): ParetoNbdFit {
  return fitParetoNbd(compressHistories(x, tx, T));
}

export function paretoNbdProbabilityAlive(
  p: ParetoNbdParams,
  x: number,
  tx: number,
  T: number,
): number {
  const { r, alpha, s, beta } = p;
  const logOdds =
    Math.log(s / (r + s + x)) +
    (r + x) * Math.log(alpha + T) +
    s * Math.log(beta + T) +
    logA0(p, x, tx, T);
  return logOdds === -Infinity ? 1 : 1 / (1 + Math.exp(logOdds));
}

/** E[Y(t) | x, t_x, T]. At s = 1 the bracket's limit (β+T)·ln(1 + t/(β+T)) is used. */
export function paretoNbdConditionalExpectedPurchases(
  p: ParetoNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  return paretoNbdExpectedPurchasesIfAlive(p, t, x, T) * paretoNbdProbabilityAlive(p, x, tx, T);
}

/**
 * E[Y(t) | alive at T], the closed-form factor of E[Y(t) | x, t_x, T]. P(alive) costs two ₂F₁
 * series and this none, so a caller needing many horizons multiplies P(alive) once.
 */
export function paretoNbdExpectedPurchasesIfAlive(
  p: ParetoNbdParams,
  t: number,
  x: number,
  T: number,
): number {
  if (t < 0 || !Number.isFinite(t))
    throw new RangeError(`paretoNbdConditionalExpectedPurchases: t must be ≥ 0 (got ${t})`);
  if (t === 0) return 0;
  const { r, alpha, s, beta } = p;
  const L = Math.log1p(t / (beta + T));
  const bracket = Math.abs(s - 1) < 1e-10 ? L : -Math.expm1(-(s - 1) * L) / (s - 1);
  return (((r + x) * (beta + T)) / (alpha + T)) * bracket;
}

/**
 * P(at least one purchase in (T, T+h] | alive at T). Given alive, λ ~ Gamma(r+x, α+T) and
 * μ ~ Gamma(s, β+T) independently, and the first purchase beats death within h with
 * probability ∫₀^h λ e^(−(λ+μ)u) du; averaging over the posteriors gives
 *   ∫₀^h (r+x)/(α+T) ((α+T)/(α+T+u))^(r+x+1) ((β+T)/(β+T+u))^s du.
 * Substituting v = 1 − ((α+T)/(α+T+u))^(r+x) makes the integrand ((β+T)/(β+T+u(v)))^s on
 * v ∈ [0, V], bounded and smooth, which Simpson's rule handles at any purchase rate. h = ∞
 * gives the chance that a living customer ever buys again.
 */
export function paretoNbdPurchaseWithinIfAlive(
  p: ParetoNbdParams,
  h: number,
  x: number,
  T: number,
): number {
  const { r, alpha, s, beta } = p;
  const k = r + x;
  const V = h === Infinity ? 1 : -Math.expm1(-k * Math.log1p(h / (alpha + T)));
  if (!(V > 0)) return 0;
  const integrand = (v: number) => {
    // u(v) = (α+T)((1−v)^(−1/k) − 1); at v = 1, u = ∞ and the integrand is 0.
    if (v >= 1) return 0;
    const u = (alpha + T) * Math.expm1(-Math.log1p(-v) / k);
    return Math.exp(-s * Math.log1p(u / (beta + T)));
  };
  const intervals = 64;
  const step = V / intervals;
  let sum = integrand(0) + integrand(V);
  for (let i = 1; i < intervals; i++) sum += (i % 2 === 1 ? 4 : 2) * integrand(i * step);
  return Math.min(1, Math.max(0, (sum * step) / 3));
}
