/**
 * The narrow interface through which propensity (and anything else that needs "how many orders
 * next") asks a fitted purchase model. Any model of repeat buying can stand behind it — BG/NBD
 * today; MBG/NBD or Pareto/NBD when the shop's model selection picks them.
 *
 * The BG/NBD forecaster (Fader, Hardie & Lee 2005):
 *  - expectedPurchases: E[Y(t) | x, t_x, T], eq. (10);
 *  - probabilityAtLeast(n): P(alive) · P(NB(r+x, (α+T)/(α+T+t)) ≥ n), the chance of n or more
 *    orders for a customer who is alive and does not drop out within the horizon — the
 *    posterior of λ is Gamma(r+x, α+T), so the count over t is negative binomial. Ignoring
 *    dropout inside the horizon makes it a slight overstatement, the same for every customer.
 */
import {
  conditionalExpectedPurchases,
  fitBgNbd,
  probabilityAlive,
  type BgNbdParams,
} from "./bgnbd";
import { compressHistories } from "./histories";
import type { CustomerSummaries } from "./summary";
import { DAYS_PER_UNIT } from "./time";

export interface PurchaseForecaster {
  /** Expected orders (distinct purchase days) of customer index c in the next `horizonDays`. */
  expectedPurchases(c: number, horizonDays: number): number;
  /** Probability of at least `n` orders in the next `horizonDays`. */
  probabilityAtLeast(c: number, n: number, horizonDays: number): number;
}

export function bgnbdForecaster(params: BgNbdParams, s: CustomerSummaries): PurchaseForecaster {
  const unitDays = DAYS_PER_UNIT[s.timeUnit];
  return {
    expectedPurchases(c, horizonDays) {
      if (s.orders[c] === 0) return NaN;
      const value = conditionalExpectedPurchases(
        params,
        horizonDays / unitDays,
        s.frequency[c],
        s.recency[c],
        s.age[c],
      );
      return Number.isFinite(value) ? value : NaN;
    },
    probabilityAtLeast(c, n, horizonDays) {
      if (s.orders[c] === 0) return NaN;
      if (n <= 0) return 1;
      const x = s.frequency[c];
      const T = s.age[c];
      const shape = params.r + x;
      const lnP = Math.log(params.alpha + T) - Math.log(params.alpha + T + horizonDays / unitDays);
      const ln1mP = Math.log1p(-Math.exp(lnP));
      // Σ_{j<n} NB pmf by its term recurrence, in logs (shape can be large).
      let lnTerm = shape * lnP;
      let below = 0;
      for (let j = 0; j < n; j++) {
        below += Math.exp(lnTerm);
        lnTerm += Math.log((shape + j) / (j + 1)) + ln1mP;
        if (below >= 1) break;
      }
      const alive = probabilityAlive(params, x, s.recency[c], T);
      return alive * Math.min(1, Math.max(0, 1 - below));
    },
  };
}

/**
 * Fits BG/NBD on the summaries of a cut-off (a backtest's calibration end) and returns its
 * forecaster; undefined when the fit does not converge or runs off to extreme values.
 */
export function fitBgNbdForecaster(s: CustomerSummaries): PurchaseForecaster | undefined {
  const idx: number[] = [];
  for (let c = 0; c < s.count; c++) if (s.orders[c] > 0) idx.push(c);
  if (idx.length === 0) return undefined;
  const x = new Float64Array(idx.length);
  const tx = new Int32Array(idx.length);
  const T = new Int32Array(idx.length);
  idx.forEach((c, k) => {
    x[k] = s.frequency[c];
    tx[k] = s.recencyDays[c];
    T[k] = s.ageDays[c];
  });
  const fit = fitBgNbd(compressHistories(x, tx, T, DAYS_PER_UNIT[s.timeUnit]));
  const p = fit.params;
  const degenerate = [p.r, p.alpha, p.a, p.b].some(
    (v) => !Number.isFinite(v) || v > 1e7 || v < 1e-7,
  );
  return fit.converged && !degenerate ? bgnbdForecaster(p, s) : undefined;
}
