/**
 * The MBG/NBD model of Batislam, Denizel & Filiztekin (2007), "Empirical validation and
 * comparison of models for customer base analysis", International Journal of Research in
 * Marketing 24(3), 201–209.
 *
 * Assumptions: as BG/NBD (purchases while alive are Poisson(λ), λ ~ Gamma(r, α) across
 * customers; after a purchase the customer drops out with probability p, p ~ Beta(a, b)), with
 * one change: the first purchase is also a dropout opportunity. A customer who bought once may
 * therefore already be gone, which is what BG/NBD cannot say (its P(alive) is 1 for every
 * one-time buyer however long ago she bought). History enters through (x, t_x, T).
 *
 * Formulas as in Batislam et al. (2007), eqs. (4)–(7), written the way lifetimes'
 * ModifiedBetaGeoFitter evaluates them:
 *   L = Γ(r+x) α^r / Γ(r) · B(a, b+x+1)/B(a, b) · (α+T)^−(r+x) · [1 + a/(b+x) ((α+T)/(α+t_x))^(r+x)]
 *   P(alive) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))
 *   E[Y(t) | x, t_x, T] = (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x+1; a+b+x; z)] · P(alive)
 * with z = t/(α+T+t), the bracket evaluated through Euler's transformation (see bgnbd.ts).
 */
import { compressHistories, type CompressedHistories } from "./histories";
import { logPowerTimesHyp2f1 } from "./hypergeometric";
import { maximizeLikelihood, type MleResult } from "./mle";
import { digamma, lnGamma, logAddExp } from "./special";

export interface MbgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface MbgNbdFit extends Omit<MleResult, "params"> {
  params: MbgNbdParams;
  customers: number;
}

/** Σ_i w_i ln L_i, and its gradient in (r, α, a, b) when `gradient` is given. */
export function mbgnbdLogLikelihood(
  params: MbgNbdParams,
  data: CompressedHistories,
  gradient?: Float64Array,
): number {
  const { r, alpha, a, b } = params;
  const lnGammaR = lnGamma(r);
  const lnGammaAB = lnGamma(a + b);
  const lnGammaB = lnGamma(b);
  const psiR = gradient ? digamma(r) : 0;
  const psiAB = gradient ? digamma(a + b) : 0;
  const psiB = gradient ? digamma(b) : 0;
  const lnAlpha = Math.log(alpha);
  const lnA = Math.log(a);
  let total = 0;
  let gr = 0;
  let gAlpha = 0;
  let ga = 0;
  let gb = 0;
  // Per-x constants are recomputed only when x changes (the data are sorted by x).
  let lastX = NaN;
  let constant = 0;
  let dR = 0;
  let dA = 0;
  let dB = 0;
  const { x, tx, T, weight } = data;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    if (xi !== lastX) {
      lastX = xi;
      constant =
        lnGamma(r + xi) -
        lnGammaR +
        r * lnAlpha +
        lnGammaAB +
        lnGamma(b + xi + 1) -
        lnGammaB -
        lnGamma(a + b + xi + 1);
      if (gradient) {
        const psiABX = digamma(a + b + xi + 1);
        dR = digamma(r + xi) - psiR + lnAlpha;
        dA = psiAB - psiABX;
        dB = psiAB + digamma(b + xi + 1) - psiB - psiABX;
      }
    }
    const w = weight[i];
    const rx = r + xi;
    const lnAlphaT = Math.log(alpha + T[i]);
    const lnAlphaTx = Math.log(alpha + tx[i]);
    const C = -rx * lnAlphaT;
    const D = lnA - Math.log(b + xi) - rx * lnAlphaTx;
    const lnS = logAddExp(C, D);
    total += w * (constant + lnS);
    if (gradient) {
      const share = Math.exp(D - lnS);
      gr += w * (dR - (1 - share) * lnAlphaT - share * lnAlphaTx);
      gAlpha +=
        w * (r / alpha - (1 - share) * (rx / (alpha + T[i])) - share * (rx / (alpha + tx[i])));
      ga += w * (dA + share / a);
      gb += w * (dB - share / (b + xi));
    }
  }
  if (gradient) {
    gradient[0] = gr;
    gradient[1] = gAlpha;
    gradient[2] = ga;
    gradient[3] = gb;
  }
  return total;
}

const fromArray = (p: ArrayLike<number>): MbgNbdParams => ({
  r: p[0],
  alpha: p[1],
  a: p[2],
  b: p[3],
});

export function fitMbgNbd(
  data: CompressedHistories,
  options: { start?: MbgNbdParams } = {},
): MbgNbdFit {
  let customers = 0;
  let sx = 0;
  let sT = 0;
  for (let i = 0; i < data.weight.length; i++) {
    customers += data.weight[i];
    sx += data.weight[i] * data.x[i];
    sT += data.weight[i] * data.T[i];
  }
  const alpha0 = sx > 0 && sT > 0 ? Math.min(Math.max(sT / sx, 1e-3), 1e6) : 1;
  const start = options.start ?? { r: 1, alpha: alpha0, a: 1, b: 3 };
  const fit = maximizeLikelihood({
    names: ["r", "alpha", "a", "b"],
    start: [start.r, start.alpha, start.a, start.b],
    logLikelihood: (p, g) => mbgnbdLogLikelihood(fromArray(p), data, g),
    analyticGradient: true,
    customers,
  });
  return { ...fit, params: fromArray(fit.params), customers };
}

export function fitMbgNbdToSummaries(
  x: ArrayLike<number>,
  tx: ArrayLike<number>,
  T: ArrayLike<number>,
): MbgNbdFit {
  return fitMbgNbd(compressHistories(x, tx, T));
}

/** P(alive | x, t_x, T); below 1 for one-time buyers too, falling as T grows. */
export function mbgnbdProbabilityAlive(
  params: MbgNbdParams,
  x: number,
  tx: number,
  T: number,
): number {
  const { r, alpha, a, b } = params;
  const logOdds =
    Math.log(a) - Math.log(b + x) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/** E[Y(t) | x, t_x, T], expected purchases in (T, T+t]. */
export function mbgnbdConditionalExpectedPurchases(
  params: MbgNbdParams,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  return mbgnbdExpectedPurchasesIfAlive(params, t, x, T) * mbgnbdProbabilityAlive(params, x, tx, T);
}

/** E[Y(t) | alive at T]: the factor of E[Y(t) | x, t_x, T] that does not involve t_x. */
export function mbgnbdExpectedPurchasesIfAlive(
  params: MbgNbdParams,
  t: number,
  x: number,
  T: number,
): number {
  if (t < 0 || !Number.isFinite(t))
    throw new RangeError(`mbgnbdConditionalExpectedPurchases: t must be ≥ 0 (got ${t})`);
  if (t === 0) return 0;
  const { r, alpha, b } = params;
  const a = Math.abs(params.a - 1) < 1e-8 ? 1 + 1e-8 : params.a;
  const z = t / (alpha + T + t);
  const logOneMinusZ = Math.log(alpha + T) - Math.log(alpha + T + t);
  const scaled = Math.exp(logPowerTimesHyp2f1(r + x, b + x + 1, a + b + x, z, logOneMinusZ));
  return ((a + b + x) / (a - 1)) * (1 - scaled);
}
