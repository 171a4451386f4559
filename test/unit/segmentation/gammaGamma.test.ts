import { describe, expect, it } from "vitest";
import {
  conditionalExpectedPurchases,
  expectedPurchases,
  type BgNbdParams,
} from "~/segmentation/bgnbd";
import { parseCdnow } from "~/segmentation/cli/cdnow";
import {
  conditionalExpectedSpend,
  customerLifetimeValue,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  spendTiers,
} from "~/segmentation/gammaGamma";
import { minorToMajor } from "~/segmentation/money";
import { buildOrderTable } from "~/segmentation/orders";
import { summarizeCustomers } from "~/segmentation/summary";
import { parseIsoDay } from "~/segmentation/time";
import { cdnowSummary, readFixture } from "./cdnowFixtures";

/** Fader, Hardie & Lee (2005) "RFM and CLV" / lifetimes documentation, CDNOW sample. */
const PUBLISHED = { p: 6.25, q: 3.74, v: 15.44 };

describe("Gamma-Gamma fit on CDNOW", () => {
  it("from the summary CSV (z̄ rounded to cents)", () => {
    const repeat = cdnowSummary().filter((r) => r.x > 0);
    const fit = fitGammaGamma(
      repeat.map((r) => r.x),
      repeat.map((r) => r.zbar),
    );
    expect(fit.customers).toBe(946);
    expect(fit.converged).toBe(true);
    expect(fit.params.p).toBeCloseTo(PUBLISHED.p, 2);
    expect(fit.params.q).toBeCloseTo(PUBLISHED.q, 2);
    // The CSV's z̄ are rounded to cents, which moves v in the third digit (15.448).
    expect(Math.abs(fit.params.v - PUBLISHED.v)).toBeLessThan(0.01);
  });

  it("end to end from the raw transactions reproduces p, q, v to the published precision", () => {
    const table = buildOrderTable(parseCdnow(readFixture("CDNOW_sample.txt")));
    const s = summarizeCustomers(table, { asOfDay: parseIsoDay("1997-09-30"), timeUnit: "week" });
    const x: number[] = [];
    const z: number[] = [];
    for (let i = 0; i < s.count; i++) {
      if (s.frequency[i] > 0) {
        x.push(s.frequency[i]);
        z.push(minorToMajor(s.meanRepeatValueMinor[i], "USD"));
      }
    }
    const fit = fitGammaGamma(x, z);
    expect(fit.params.p).toBeCloseTo(PUBLISHED.p, 2);
    expect(fit.params.q).toBeCloseTo(PUBLISHED.q, 2);
    expect(fit.params.v).toBeCloseTo(PUBLISHED.v, 2);
  });
});

describe("Gamma-Gamma likelihood and predictions", () => {
  const params = { p: 6.25, q: 3.74, v: 15.44 };
  const repeat = cdnowSummary().filter((r) => r.x > 0);
  const x = repeat.map((r) => r.x);
  const z = repeat.map((r) => r.zbar);

  it("has an analytic gradient that matches finite differences", () => {
    const gradient = new Float64Array(3);
    gammaGammaLogLikelihood(params, x, z, gradient);
    (["p", "q", "v"] as const).forEach((name, j) => {
      const h = 1e-6 * params[name];
      const numeric =
        (gammaGammaLogLikelihood({ ...params, [name]: params[name] + h }, x, z) -
          gammaGammaLogLikelihood({ ...params, [name]: params[name] - h }, x, z)) /
        (2 * h);
      expect(Math.abs(gradient[j] - numeric) / Math.max(1, Math.abs(numeric))).toBeLessThan(1e-5);
    });
  });

  it("expected spend is a weighted average of the population mean and the customer's own mean", () => {
    const population = (params.p * params.v) / (params.q - 1);
    expect(conditionalExpectedSpend(params, 0, 0)).toBeCloseTo(population, 10);
    for (const [xi, zi] of [
      [1, 10],
      [5, 80],
      [30, 40],
    ]) {
      const e = conditionalExpectedSpend(params, xi, zi);
      expect(e).toBeGreaterThanOrEqual(Math.min(population, zi) - 1e-9);
      expect(e).toBeLessThanOrEqual(Math.max(population, zi) + 1e-9);
    }
    // More transactions → more weight on the customer's own mean.
    expect(Math.abs(conditionalExpectedSpend(params, 50, 100) - 100)).toBeLessThan(
      Math.abs(conditionalExpectedSpend(params, 2, 100) - 100),
    );
  });

  it("refuses non-repeat buyers and non-positive spend", () => {
    expect(() => fitGammaGamma([0, 2], [10, 20])).toThrow(/repeat buyers/);
    expect(() => fitGammaGamma([1, 2], [0, 20])).toThrow(/positive/);
    expect(() => fitGammaGamma([1, 2], [Number.NaN, 20])).toThrow(/positive/);
  });
});

describe("customer lifetime value", () => {
  const bg: BgNbdParams = { r: 0.2426, alpha: 4.4136, a: 0.7929, b: 2.4258 };
  it("without discounting equals expected spend × expected purchases over the horizon", () => {
    const months = 12;
    const weeks = (months * 365.25) / 12 / 7;
    const clv = customerLifetimeValue(bg, 30, 3, 30, 38.86, {
      timeUnit: "week",
      monthlyDiscountRate: 0,
      months,
    });
    expect(clv).toBeCloseTo(30 * conditionalExpectedPurchases(bg, weeks, 3, 30, 38.86), 8);
  });
  it("discounting lowers CLV, and a longer horizon raises it", () => {
    const base = customerLifetimeValue(bg, 30, 3, 30, 38.86, { timeUnit: "week" });
    expect(base).toBeLessThan(
      customerLifetimeValue(bg, 30, 3, 30, 38.86, { timeUnit: "week", monthlyDiscountRate: 0 }),
    );
    expect(base).toBeLessThan(
      customerLifetimeValue(bg, 30, 3, 30, 38.86, { timeUnit: "week", months: 24 }),
    );
    expect(expectedPurchases(bg, 52)).toBeGreaterThan(0);
  });
  it("in days and in weeks agree", () => {
    const weeks = customerLifetimeValue(bg, 30, 3, 30, 272 / 7, { timeUnit: "week" });
    const days = customerLifetimeValue({ ...bg, alpha: bg.alpha * 7 }, 30, 3, 210, 272, {
      timeUnit: "day",
    });
    expect(days).toBeCloseTo(weeks, 8);
  });
});

describe("spend tiers", () => {
  it("top 10 % HIGH, next 40 % MEDIUM, rest LOW; ties share; NaN gets null", () => {
    const values = Array.from({ length: 100 }, (_, i) => i);
    const tiers = spendTiers(values);
    expect(tiers.filter((t) => t === "HIGH")).toHaveLength(10);
    expect(tiers.filter((t) => t === "MEDIUM")).toHaveLength(40);
    expect(tiers.filter((t) => t === "LOW")).toHaveLength(50);
    expect(tiers[99]).toBe("HIGH");
    const tied = spendTiers([5, 5, 5, 5, 1, Number.NaN]);
    expect(tied.slice(0, 4)).toEqual(["HIGH", "HIGH", "HIGH", "HIGH"]);
    expect(tied[5]).toBeNull();
  });
});
