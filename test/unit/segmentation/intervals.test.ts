import { describe, expect, it } from "vitest";
import { fitBgNbd } from "../../../app/segmentation/bgnbd";
import { modelChurn } from "../../../app/segmentation/churn";
import { compressHistories } from "../../../app/segmentation/histories";
import {
  cholesky,
  clvInterval,
  customerIntervals,
  deltaIntervalScorer,
  parameterCovariance,
} from "../../../app/segmentation/intervals";
import { fitMbgNbd } from "../../../app/segmentation/mbgnbd";
import { cdnowCalibrationWeeks } from "./cdnowCalibration";

const { x, tx, T } = cdnowCalibrationWeeks();
const data = compressHistories(x, tx, T);

describe("Laplace intervals from the fit's uncertainty", () => {
  const fit = fitBgNbd(data);
  const model = { name: "bgnbd" as const, params: fit.params };
  const covariance = parameterCovariance(model, data)!;

  it("gives a positive-definite covariance with plausible standard errors on CDNOW", () => {
    expect(covariance).not.toBeNull();
    expect(cholesky(covariance)).not.toBeNull();
    const se = covariance.map((row, i) => Math.sqrt(row[i]));
    // 2,357 customers pin r and α to a few per cent; a and b, learnt from repeat buyers only,
    // far less well.
    expect(se[0]).toBeGreaterThan(0.01);
    expect(se[0]).toBeLessThan(0.15);
    expect(se[2]).toBeGreaterThan(se[0]);
  });

  it("brackets the point estimate and widens when the data say less", () => {
    const options = { horizonDays: 77, unitDays: 7, clvMonths: 12, monthlyDiscountRate: 0.01 };
    const history = { x: 4, tx: 20, T: 38.86 };
    const iv = customerIntervals(model, covariance, history, options)!;
    const point = modelChurn(model, 11, 4, 20, 38.86, 730 / 7).score;
    expect(iv.churnScore.p10).toBeLessThanOrEqual(point);
    expect(iv.churnScore.p90).toBeGreaterThanOrEqual(point);
    expect(iv.churnScore.p90).toBeGreaterThan(iv.churnScore.p10);
    expect(iv.discountedPurchases.p90).toBeGreaterThan(iv.discountedPurchases.p10);
    // Four times the covariance (a quarter of the data) doubles the spread, roughly.
    const wider = customerIntervals(
      model,
      covariance.map((row) => row.map((v) => 4 * v)),
      history,
      options,
    )!;
    const width = (i: { p10: number; p90: number }) => i.p90 - i.p10;
    expect(width(wider.churnScore)).toBeGreaterThan(1.6 * width(iv.churnScore));
    expect(width(wider.churnScore)).toBeLessThan(2.5 * width(iv.churnScore));
  });

  it("works for the other models too", () => {
    const m = fitMbgNbd(data);
    const mbg = { name: "mbgnbd" as const, params: m.params };
    const cov = parameterCovariance(mbg, data)!;
    const iv = customerIntervals(
      mbg,
      cov,
      { x: 0, tx: 0, T: 30 },
      {
        horizonDays: 77,
        unitDays: 7,
        clvMonths: 12,
        monthlyDiscountRate: 0.01,
      },
    )!;
    expect(Number.isFinite(iv.churnScore.p10)).toBe(true);
    expect(iv.churnScore.p10).toBeLessThan(iv.churnScore.p90);
  });

  it("linearised for bulk rows, agrees with the sampled interval and never returns NaN", () => {
    const options = { horizonDays: 77, unitDays: 7, clvMonths: 12, monthlyDiscountRate: 0.01 };
    const score = deltaIntervalScorer(model, covariance, options)!;
    for (const history of [
      { x: 4, tx: 20, T: 38.86 },
      { x: 0, tx: 0, T: 30 },
      { x: 1, tx: 2, T: 36 },
    ]) {
      const sampled = customerIntervals(model, covariance, history, options)!;
      const delta = score(history)!;
      const point = modelChurn(model, 11, history.x, history.tx, history.T, 730 / 7).score;
      expect(delta.churnScore.p10).toBeLessThanOrEqual(point);
      expect(delta.churnScore.p90).toBeGreaterThanOrEqual(point);
      // Within a fifth of the sampled interval's width at either end.
      const width = sampled.churnScore.p90 - sampled.churnScore.p10;
      expect(Math.abs(delta.churnScore.p10 - sampled.churnScore.p10)).toBeLessThan(0.2 * width);
      expect(Math.abs(delta.churnScore.p90 - sampled.churnScore.p90)).toBeLessThan(0.2 * width);
      const dw = sampled.discountedPurchases.p90 - sampled.discountedPurchases.p10;
      expect(
        Math.abs(delta.discountedPurchases.p10 - sampled.discountedPurchases.p10),
      ).toBeLessThan(0.25 * dw);
      // The same history again comes from the cache, identical.
      expect(score(history)).toBe(delta);
    }
    // A history so long the churn score is exactly 0 or 1 has a degenerate, finite interval.
    const extreme = score({ x: 3000, tx: 1e5, T: 1e5 + 1 });
    if (extreme) {
      expect(Number.isFinite(extreme.churnScore.p10)).toBe(true);
      expect(Number.isFinite(extreme.discountedPurchases.p90)).toBe(true);
    }
  });

  it("makes a CLV interval only from a finite spend", () => {
    expect(clvInterval(10, { p10: 1, p90: 2 })).toEqual({ p10: 10, p90: 20 });
    expect(clvInterval(null, { p10: 1, p90: 2 })).toBeNull();
    expect(clvInterval(NaN, { p10: 1, p90: 2 })).toBeNull();
  });
});
