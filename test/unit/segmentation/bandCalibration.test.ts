import { describe, expect, it } from "vitest";
import {
  backtestChurnBands,
  bandCalibration,
  bandVerdict,
} from "../../../app/segmentation/bandCalibration";
import type { ChurnBand } from "../../../app/segmentation/churn";
import { parseCdnow } from "../../../app/segmentation/cli/cdnow";
import { segmentShop } from "../../../app/segmentation/engine";
import { buildOrderTable } from "../../../app/segmentation/orders";
import { syntheticOrders, syntheticShop } from "../../../app/segmentation/synthetic";
import { parseIsoDay } from "../../../app/segmentation/time";
import { readFixture } from "./cdnowFixtures";

describe("bandCalibration (pure)", () => {
  // Six customers: LOW orders again 2 of 2, MEDIUM 1 of 2, HIGH 0 of 2. Recency alone puts the
  // two most recent (ids 4, 5) in its LOW group, where only one of them ordered.
  const band: (ChurnBand | null)[] = ["LOW", "LOW", "MEDIUM", "MEDIUM", "HIGH", "HIGH", null];
  const score = [0.1, 0.2, 0.5, 0.6, 0.9, 0.95, 0.5];
  const orderedAgain = [true, true, true, false, false, true, true];
  const daysSinceLast = [30, 40, 50, 60, 5, 10, 1];
  const result = bandCalibration({ score, band, orderedAgain, daysSinceLast });

  it("counts each band's share who ordered again and its predicted chance", () => {
    expect(result.customers).toBe(6);
    expect(result.bands.LOW).toMatchObject({ customers: 2, orderedAgain: 2, rate: 1 });
    expect(result.bands.MEDIUM).toMatchObject({ customers: 2, orderedAgain: 1, rate: 0.5 });
    expect(result.bands.HIGH).toMatchObject({ customers: 2, orderedAgain: 1, rate: 0.5 });
    expect(result.bands.LOW.predicted).toBeCloseTo(0.85, 12);
    expect(result.bands.HIGH.predicted).toBeCloseTo(0.075, 12);
    expect(result.overallRate).toBeCloseTo(4 / 6, 12);
  });

  it("compares with same-sized groups picked by recency alone", () => {
    // By recency: [4, 5] → LOW (1 of 2), [0, 1] → MEDIUM (2 of 2), [2, 3] → HIGH (1 of 2).
    expect(result.bands.LOW.recency).toEqual({ customers: 2, orderedAgain: 1, rate: 0.5 });
    expect(result.bands.MEDIUM.recency).toEqual({ customers: 2, orderedAgain: 2, rate: 1 });
    expect(result.bands.HIGH.recency).toEqual({ customers: 2, orderedAgain: 1, rate: 0.5 });
    // Score vs "no order": negatives (ordered) 0.1, 0.2, 0.5, 0.95; positives 0.6, 0.9 → 6/8.
    expect(result.auc).toBeCloseTo(6 / 8, 12);
    // Recency vs "no order": positives 60, 5 against 30, 40, 50, 10 → 4/8.
    expect(result.recencyAuc).toBeCloseTo(4 / 8, 12);
  });

  it("states how the bands did against recency alone", () => {
    const v = bandVerdict(result);
    // 1 > 0.5 but MEDIUM and HIGH tie: not strictly ordered.
    expect(v.ordered).toBe(false);
    expect(v.spread).toBeCloseTo(0.5, 12);
    expect(v.recencySpread).toBeCloseTo(0, 12);
    expect(v.beatsRecency).toBe(true);
  });

  it("leaves out unscored customers and reports empty bands as null", () => {
    const r = bandCalibration({
      score: [0.2, NaN],
      band: ["LOW", "HIGH"],
      orderedAgain: [true, false],
      daysSinceLast: [3, 4],
    });
    expect(r.customers).toBe(1);
    expect(r.bands.HIGH).toMatchObject({ customers: 0, rate: null, predicted: null });
    expect(r.auc).toBeNull();
  });
});

describe("backtestChurnBands on held-out time", () => {
  it("scores bands without the held-out days and they separate who ordered again", () => {
    const shop = syntheticShop({ customers: 3000, seed: 11 });
    const table = buildOrderTable(syntheticOrders(shop));
    const c = backtestChurnBands({
      table,
      asOfDay: shop.endDay,
      timeUnit: "day",
      horizonDays: 90,
      bandRatios: { high: 0.3, medium: 0.7 },
      model: "bgnbd",
    })!;
    expect(c.basis).toBe("model");
    expect(c.splitDay).toBe(shop.endDay - 90);
    expect(c.bands.LOW.rate!).toBeGreaterThan(c.bands.HIGH.rate!);
    expect(c.auc!).toBeGreaterThan(0.5);
    expect(c.customers).toBe(
      c.bands.LOW.customers + c.bands.MEDIUM.customers + c.bands.HIGH.customers,
    );
  });

  it("uses the Kaplan–Meier fallback when no model is in use, and needs enough history", () => {
    const shop = syntheticShop({ customers: 500, seed: 3 });
    const table = buildOrderTable(syntheticOrders(shop));
    const km = backtestChurnBands({
      table,
      asOfDay: shop.endDay,
      timeUnit: "day",
      horizonDays: 60,
      bandRatios: { high: 0.3, medium: 0.7 },
      model: null,
    })!;
    expect(km.basis).toBe("kaplan-meier");
    expect(km.bands.LOW.rate!).toBeGreaterThan(km.bands.HIGH.rate!);
    const short = backtestChurnBands({
      table,
      asOfDay: table.firstDay + 100,
      timeUnit: "day",
      horizonDays: 60,
      bandRatios: { high: 0.3, medium: 0.7 },
      model: null,
    });
    expect(short).toBeNull();
  });

  it("reaches the engine's purchase report on CDNOW, reusing the selection's calibration fit", () => {
    const cdnow = parseCdnow(readFixture("CDNOW_sample.txt"));
    const result = segmentShop(cdnow, { asOf: "1997-09-30" });
    const purchase = result.models.purchase;
    const c = purchase.bandCalibration!;
    expect(c.horizonDays).toBe(purchase.horizonDays);
    expect(c.splitDay).toBeLessThanOrEqual(parseIsoDay("1997-09-30") - purchase.horizonDays);
    const selection = purchase.selection!;
    if (selection.holdoutDays >= purchase.horizonDays)
      expect(c.splitDay).toBe(selection.calibrationEnd);
    expect(c.bands.LOW.rate!).toBeGreaterThan(c.bands.HIGH.rate!);
    expect(c.auc!).toBeGreaterThan(c.recencyAuc! - 0.05);
  });
});
