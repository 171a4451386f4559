import { describe, expect, it } from "vitest";
import { parseCdnow } from "~/segmentation/cli/cdnow";
import { segmentShop } from "~/segmentation/engine";
import { buildOrderTable } from "~/segmentation/orders";
import { ownRate, progressLabel } from "~/segmentation/propensity";
import { summarizeCustomers } from "~/segmentation/summary";
import { parseIsoDay } from "~/segmentation/time";
import type { OrderInput } from "~/segmentation/types";
import { readFixture } from "./cdnowFixtures";

const order = (customerId: string, orderId: string, processedAt: string, totalMinor: number) =>
  ({ customerId, orderId, processedAt, currency: "USD", totalMinor }) satisfies OrderInput;

describe("propensity label: spend rate over the next window above the customer's own rate", () => {
  const table = buildOrderTable([
    // A steady customer: 100 a month for a year.
    ...Array.from({ length: 12 }, (_, m) =>
      order("steady", `s${m}`, `2024-${String(m + 1).padStart(2, "0")}-05`, 10_000),
    ),
    // A newcomer with one order three days before the cut-off.
    order("new", "n1", "2024-12-28", 5_000),
  ]);
  const cutoff = parseIsoDay("2024-12-31");
  const s = summarizeCustomers(table, { asOfDay: cutoff });
  const steady = s.customerIds.indexOf("steady");
  const newcomer = s.customerIds.indexOf("new");

  it("compares with the rate since the first order, not with a previous window", () => {
    // 1,200 over 361 days: about 3.32 a day.
    expect(ownRate(s, steady, 90)).toBeCloseTo(120_000 / 361, 6);
    // Falling below the pace (250 in 90 days) is not growth; a fourth order is.
    expect(progressLabel(s, steady, 25_000, 90)).toBe(0);
    expect(progressLabel(s, steady, 40_000, 90)).toBe(1);
  });

  it("a newcomer is compared over at least one window, so one repeat order counts as growth", () => {
    expect(ownRate(s, newcomer, 90)).toBeCloseTo(5_000 / 90, 6);
    expect(progressLabel(s, newcomer, 0, 90)).toBe(0);
    expect(progressLabel(s, newcomer, 5_001, 90)).toBe(1);
  });
});

describe("propensity candidates on CDNOW (sample)", () => {
  const result = segmentShop(parseCdnow(readFixture("CDNOW_sample.txt")), {
    asOf: "1997-09-30",
  });
  const report = result.models.propensity;

  it("backtests every candidate on held-out time and ships the best", () => {
    expect(report.method).toBe("logistic");
    expect(report.backtest?.kind).toBe("later-window");
    const names = (report.candidates ?? []).map((c) => c.name).sort();
    expect(names).toEqual(["combined", "expected-purchases", "purchase-model", "recency"]);
    const best = Math.max(...(report.candidates ?? []).map((c) => c.auc));
    expect(report.backtest?.auc).toBe(best);
    expect(report.candidates?.find((c) => c.name === report.chosen)?.auc).toBe(best);
  });

  it("never ships a trained model that loses to a label-free baseline", () => {
    const baselines = (report.candidates ?? []).filter((c) => c.labelFree).map((c) => c.auc);
    expect(report.backtest?.auc).toBeGreaterThanOrEqual(Math.max(...baselines));
  });

  it("scores are probabilities for every customer with orders", () => {
    for (let i = 0; i < result.columns.propensity.length; i++) {
      const p = result.columns.propensity[i];
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
    }
  });
});
