import { describe, expect, it } from "vitest";
import { conditionalExpectedPurchases, probabilityAlive } from "../../../app/segmentation/bgnbd";
import { compressHistories } from "../../../app/segmentation/histories";
import {
  fitMbgNbdToSummaries,
  mbgnbdConditionalExpectedPurchases,
  mbgnbdLogLikelihood,
  mbgnbdProbabilityAlive,
} from "../../../app/segmentation/mbgnbd";
import { modelChurn } from "../../../app/segmentation/churn";
import { centralGradient } from "../../../app/segmentation/mle";
import {
  fitParetoNbdToSummaries,
  paretoNbdConditionalExpectedPurchases,
  paretoNbdProbabilityAlive,
  paretoNbdPurchaseWithinIfAlive,
} from "../../../app/segmentation/paretoNbd";
import { cdnowCalibrationWeeks } from "./cdnowCalibration";
import { cdnowSummary } from "./cdnowFixtures";

describe("Pareto/NBD on the CDNOW calibration sample", () => {
  const { x, tx, T } = cdnowCalibrationWeeks();
  const fit = fitParetoNbdToSummaries(x, tx, T);

  it("reproduces Fader, Hardie & Lee's MATLAB note to printed precision", () => {
    expect(x.length).toBe(2357);
    expect(x.reduce((a, b) => a + b, 0)).toBe(2457);
    expect(fit.converged).toBe(true);
    expect(fit.params.r.toFixed(2)).toBe("0.55");
    expect(fit.params.alpha.toFixed(2)).toBe("10.58");
    expect(fit.params.s.toFixed(2)).toBe("0.61");
    expect(fit.params.beta.toFixed(2)).toBe("11.67");
    expect(fit.logLikelihood.toFixed(2)).toBe("-9594.98");
  });

  it("gives a conditional expectation close to BG/NBD's for Hardie's example customer", () => {
    // FHL (2005) report 1.226 for BG/NBD; the two models agree closely on CDNOW.
    const e = paretoNbdConditionalExpectedPurchases(fit.params, 39, 2, 30.43, 38.86);
    expect(e).toBeGreaterThan(1.1);
    expect(e).toBeLessThan(1.5);
  });

  it("P(purchase within h | alive) rises with h towards the ever-buys limit", () => {
    const p = fit.params;
    const a = paretoNbdPurchaseWithinIfAlive(p, 4, 2, 38.86);
    const b = paretoNbdPurchaseWithinIfAlive(p, 52, 2, 38.86);
    const ever = paretoNbdPurchaseWithinIfAlive(p, Infinity, 2, 38.86);
    expect(a).toBeLessThan(b);
    expect(b).toBeLessThan(ever);
    expect(ever).toBeLessThan(1);
    // Without death (s → 0 via huge β) a living customer buys within h with the NBD chance.
    const noDeath = { ...p, s: 1e-9, beta: 1 };
    const nbd = 1 - Math.pow((p.alpha + 38.86) / (p.alpha + 38.86 + 10), p.r + 2);
    expect(paretoNbdPurchaseWithinIfAlive(noDeath, 10, 2, 38.86)).toBeCloseTo(nbd, 6);
  });

  it("agrees with a brute-force double integral for P(purchase within h | alive)", () => {
    const p = fit.params;
    const x0 = 3;
    const T0 = 20;
    const h = 13;
    // E over λ ~ Gamma(r+x, α+T), μ ~ Gamma(s, β+T) of λ/(λ+μ)(1 − e^(−(λ+μ)h)), by a
    // deterministic midpoint rule on the two posterior CDF scales.
    const k = p.r + x0;
    const rateL = p.alpha + T0;
    const rateM = p.beta + T0;
    const grid = 400;
    let total = 0;
    // Integrate over u in [0, h]: (k/rateL)(rateL/(rateL+u))^(k+1) (rateM/(rateM+u))^s.
    for (let i = 0; i < grid * 10; i++) {
      const u = ((i + 0.5) * h) / (grid * 10);
      total +=
        (k / rateL) * Math.pow(rateL / (rateL + u), k + 1) * Math.pow(rateM / (rateM + u), p.s);
    }
    total *= h / (grid * 10);
    expect(paretoNbdPurchaseWithinIfAlive(p, h, x0, T0)).toBeCloseTo(total, 6);
  });
});

describe("MBG/NBD", () => {
  it("matches lifetimes' ModifiedBetaGeoFitter / BTYDplus on the CDNOW summary", () => {
    // lifetimes tests/test_estimation.py, test_params_out_is_close_to_BTYDplus: on the same
    // summary CSV (cdnow_customers_summary.csv) it expects [0.525, 6.183, 0.891, 1.614] to
    // three decimals — values taken from BTYDplus (mbgnbd.EstimateParameters).
    const rows = cdnowSummary();
    const fit = fitMbgNbdToSummaries(
      rows.map((r) => r.x),
      rows.map((r) => r.tx),
      rows.map((r) => r.T),
    );
    expect(fit.converged).toBe(true);
    expect(Math.abs(fit.params.r - 0.525)).toBeLessThan(1.5e-3);
    expect(Math.abs(fit.params.alpha - 6.183)).toBeLessThan(1.5e-3);
    expect(Math.abs(fit.params.a - 0.891)).toBeLessThan(1.5e-3);
    expect(Math.abs(fit.params.b - 1.614)).toBeLessThan(1.5e-3);
    // Higher than BG/NBD's −9582.43: one-time buyers' dropout is now explained.
    expect(fit.logLikelihood).toBeGreaterThan(-9582.43);
    // lifetimes' test_conditional_expectation_returns_same_value_as_Hardie_excel_sheet: |E − 1.226| < 0.05.
    const e = mbgnbdConditionalExpectedPurchases(fit.params, 39, 2, 30.43, 38.86);
    expect(Math.abs(e - 1.226)).toBeLessThan(0.05);
  });

  it("has an analytic gradient that agrees with finite differences", () => {
    const rows = cdnowSummary();
    const data = compressHistories(
      rows.map((r) => r.x),
      rows.map((r) => r.tx),
      rows.map((r) => r.T),
    );
    const p = { r: 0.7, alpha: 5, a: 1.3, b: 2.2 };
    const g = new Float64Array(4);
    mbgnbdLogLikelihood(p, data, g);
    const numeric = new Float64Array(4);
    centralGradient(
      (v) => mbgnbdLogLikelihood({ r: v[0], alpha: v[1], a: v[2], b: v[3] }, data),
      [p.r, p.alpha, p.a, p.b],
      numeric,
    );
    for (let j = 0; j < 4; j++) expect(g[j]).toBeCloseTo(numeric[j], 2);
  });

  it("lets one-time buyers drop out: P(alive) < 1 and falling with T", () => {
    const p = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };
    const early = mbgnbdProbabilityAlive(p, 0, 0, 2);
    const late = mbgnbdProbabilityAlive(p, 0, 0, 60);
    expect(early).toBeLessThan(1);
    expect(late).toBeLessThan(early);
  });
});

/** Deterministic generator (mulberry32) so failures reproduce. */
function generator(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("finite scores for any history (property tests)", () => {
  it("BG/NBD E[Y(t)] for x = 2000, t = 365, T = 700 days matches a 60-digit evaluation", () => {
    // CDNOW BG/NBD fitted in day units; reference from mpmath (dps = 60) on eq. (10) as written:
    // 844.946037423326790…
    const p = {
      r: 0.24259453821294988,
      alpha: 30.895218843250564,
      a: 0.7929218750942307,
      b: 2.4259066221533114,
    };
    const e = conditionalExpectedPurchases(p, 365, 2000, 700, 700);
    expect(e).toBeCloseTo(844.946037423327, 6);
  });

  it("BG/NBD E[Y(t)] stays finite when a fit drifts to dropout without heterogeneity", () => {
    // a and b ~ 10⁶ at a fixed ratio (a seeded test store's fit): ₂F₁ in eq. (10) is ~e^55800.
    // As a, b → ∞ with a/(a+b) fixed the model tends to a limit, so doubling both barely moves it.
    const at = (scale: number) => ({
      r: 1.96,
      alpha: 40,
      a: 271_129 * scale,
      b: 2_057_455 * scale,
    });
    const once = conditionalExpectedPurchases(at(1), 365, 3, 200, 1600);
    const twice = conditionalExpectedPurchases(at(2), 365, 3, 200, 1600);
    expect(Number.isFinite(once)).toBe(true);
    expect(once).toBeGreaterThan(0);
    expect(once / twice).toBeCloseTo(1, 4);
  });

  const params = {
    bgnbd: { r: 0.2426, alpha: 30.9, a: 0.793, b: 2.426 },
    mbgnbd: { r: 0.525, alpha: 43.3, a: 0.891, b: 1.614 },
    pareto: { r: 0.553, alpha: 74.0, s: 0.606, beta: 81.7 },
  };

  it("never returns NaN or ±Infinity over extreme histories and parameters", () => {
    const random = generator(20261205);
    const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)];
    for (let trial = 0; trial < 3000; trial++) {
      const x = pick([0, 1, 2, 10, 100, 1000, 2000, 5000, Math.floor(random() * 3000)]);
      const T = pick([0, 1, 7, 365, 700, 3650, 20000, random() * 5000]);
      const tx = x === 0 ? 0 : pick([T, T * random(), Math.min(T, 1), T * 0.999]);
      const txOk = x > 0 && tx === 0 ? Math.min(T, 1) : tx;
      if (x > 0 && T === 0) continue;
      const t = pick([1, 30, 90, 365, 3650, 36500]);
      const scale = pick([1e-3, 1, 1e3]);
      const bg = {
        ...params.bgnbd,
        alpha: params.bgnbd.alpha * scale,
        a: pick([0.2, 0.793, 1, 5]),
      };
      const mbg = { ...params.mbgnbd, alpha: params.mbgnbd.alpha * scale, b: pick([0.3, 1.6, 40]) };
      const pn = {
        ...params.pareto,
        alpha: params.pareto.alpha * scale,
        beta: params.pareto.beta * pick([1e-3, 1, 1e3]),
        s: pick([0.2, 0.606, 1, 3]),
      };
      const values = [
        probabilityAlive(bg, x, txOk, T),
        conditionalExpectedPurchases(bg, t, x, txOk, T),
        mbgnbdProbabilityAlive(mbg, x, txOk, T),
        mbgnbdConditionalExpectedPurchases(mbg, t, x, txOk, T),
        paretoNbdProbabilityAlive(pn, x, txOk, T),
        paretoNbdConditionalExpectedPurchases(pn, t, x, txOk, T),
        paretoNbdPurchaseWithinIfAlive(pn, t, x, T),
        ...[
          { name: "bgnbd" as const, params: bg },
          { name: "mbgnbd" as const, params: mbg },
          { name: "paretoNbd" as const, params: pn },
        ].flatMap((m) => {
          const c = modelChurn(m, t, x, txOk, T, 730);
          return [c.score, c.ever, c.medianIfOrders];
        }),
      ];
      for (const v of values) {
        if (!Number.isFinite(v) || v < 0) {
          throw new Error(
            `non-finite/negative ${v} at x=${x} tx=${txOk} T=${T} t=${t} ${JSON.stringify({ bg, mbg, pn })}`,
          );
        }
      }
      for (const v of [values[0], values[2], values[4], values[6]])
        expect(v).toBeLessThanOrEqual(1);
    }
  });
});
