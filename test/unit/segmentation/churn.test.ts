import { describe, expect, it } from "vitest";
import {
  CHURN_BAND_RATIOS,
  churnBand,
  churnHorizonDays,
  kaplanMeierChurn,
  kaplanMeierCurves,
  modelChurn,
  NEXT_ORDER_LIMIT_DAYS,
  typicalHistory,
} from "../../../app/segmentation/churn";
import { parseCdnow } from "../../../app/segmentation/cli/cdnow";
import { segmentShop } from "../../../app/segmentation/engine";
import { selectPurchaseModel } from "../../../app/segmentation/modelSelection";
import { buildOrderTable } from "../../../app/segmentation/orders";
import { aliveProbability, expectedPurchasesGiven } from "../../../app/segmentation/purchaseModel";
import { buildModelReference, scoreWithReference } from "../../../app/segmentation/reference";
import { syntheticOrders, syntheticShop } from "../../../app/segmentation/synthetic";
import { parseIsoDay } from "../../../app/segmentation/time";
import type { OrderInput } from "../../../app/segmentation/types";
import { readFixture } from "./cdnowFixtures";

const bg = { name: "bgnbd" as const, params: { r: 0.243, alpha: 30.9, a: 0.793, b: 2.426 } };

function orders(spec: Record<string, string[]>): OrderInput[] {
  const out: OrderInput[] = [];
  for (const [customerId, days] of Object.entries(spec))
    days.forEach((d, k) =>
      out.push({
        customerId,
        orderId: `${customerId}-${k}`,
        processedAt: d,
        currency: "USD",
        totalMinor: 1000,
      }),
    );
  return out;
}

describe("churn score S_H", () => {
  it("is BG/NBD's 1 − P(alive)[1 − ((α+T)/(α+T+H))^(r+x)] and rises with T for one-time buyers", () => {
    const { r, alpha } = bg.params;
    const H = 60;
    const at = (T: number) => modelChurn(bg, H, 0, 0, T).score;
    expect(at(100)).toBeCloseTo(Math.pow((alpha + 100) / (alpha + 100 + H), r), 12);
    expect(at(10)).toBeLessThan(at(100));
    expect(at(100)).toBeLessThan(at(400));
    // A repeat buyer who has been silent long is likelier to be gone than one who just ordered.
    expect(modelChurn(bg, H, 5, 50, 400).score).toBeGreaterThan(
      modelChurn(bg, H, 5, 395, 400).score,
    );
  });

  it("analogues for MBG/NBD and Pareto/NBD stay in [0, 1] and rise with silence", () => {
    const mbg = { name: "mbgnbd" as const, params: { r: 0.525, alpha: 43.3, a: 0.891, b: 1.614 } };
    const pn = {
      name: "paretoNbd" as const,
      params: { r: 0.553, alpha: 74, s: 0.606, beta: 81.7 },
    };
    for (const m of [mbg, pn]) {
      const fresh = modelChurn(m, 60, 3, 200, 200).score;
      const stale = modelChurn(m, 60, 3, 20, 200).score;
      expect(fresh).toBeGreaterThanOrEqual(0);
      expect(stale).toBeLessThanOrEqual(1);
      expect(fresh).toBeLessThan(stale);
    }
  });
});

describe("bands relative to a customer who just ordered", () => {
  it("uses ρ = (1 − S)/(1 − S₀) with the documented thresholds", () => {
    const S0 = 0.6; // the reference customer orders within H with chance 0.4
    expect(churnBand(1 - 0.4 * (CHURN_BAND_RATIOS.high - 0.01), S0)).toBe("HIGH");
    expect(churnBand(1 - 0.4 * (CHURN_BAND_RATIOS.high + 0.01), S0)).toBe("MEDIUM");
    expect(churnBand(1 - 0.4 * (CHURN_BAND_RATIOS.medium + 0.01), S0)).toBe("LOW");
    expect(churnBand(0.5, 1)).toBeNull();
    expect(churnBand(NaN, 0.5)).toBeNull();
  });

  it("takes a first-time buyer of today as typical when most customers bought once", () => {
    expect(typicalHistory([0, 0, 3], [10, 20, 30], () => true)).toEqual({ x: 0, T: 0 });
    expect(typicalHistory([2, 2, 3], [10, 20, 30], () => true)).toEqual({ x: 2, T: 10 });
  });
});

describe("churn horizon", () => {
  it("is the 80th percentile of the shop's gaps between order days, clamped to 30–365", () => {
    // Gaps: 40, 50, 60, 70, 80 → 80th percentile 70.
    const table = buildOrderTable(
      orders({
        a: ["2025-01-01", "2025-02-10"],
        b: ["2025-01-01", "2025-02-20"],
        c: ["2025-01-01", "2025-03-02"],
        d: ["2025-01-01", "2025-03-12"],
        e: ["2025-01-01", "2025-03-22"],
      }),
    );
    expect(churnHorizonDays(table, parseIsoDay("2025-06-01"))).toBe(70);
    const weekly = buildOrderTable(orders({ a: ["2025-01-01", "2025-01-08", "2025-01-15"] }));
    expect(churnHorizonDays(weekly, parseIsoDay("2025-02-01"))).toBe(30);
    const none = buildOrderTable(orders({ a: ["2025-01-01"] }));
    expect(churnHorizonDays(none, parseIsoDay("2025-02-01"))).toBe(90);
  });
});

describe("Kaplan–Meier fallback", () => {
  it("estimates time to the next order by order count, censoring open spells", () => {
    // One-time stratum: 2 spells end in a repeat at 10 and 30 days, 2 are open at 20 and 40.
    const table = buildOrderTable(
      orders({
        a: ["2025-01-01", "2025-01-11"],
        b: ["2025-01-01", "2025-01-31"],
        c: ["2025-01-21"],
        d: ["2025-01-01"],
      }),
    );
    const asOf = parseIsoDay("2025-02-10");
    const km = kaplanMeierCurves(table, asOf);
    const first = km.survival[0];
    // At risk 4 at day 10 (one event) → 3/4; day 20 censored; day 30: at risk 2, one event → 3/8.
    expect(first[9]).toBe(1);
    expect(first[10]).toBeCloseTo(0.75, 12);
    expect(first[30]).toBeCloseTo(0.375, 12);
    // A one-time buyer 5 days out: P(no order in 10 days) = S(15)/S(5) = 0.75.
    expect(kaplanMeierChurn(km, 1, 5, 10).score).toBeCloseTo(0.75, 12);
  });

  it("scores churn for every customer below the model gates, and says so", () => {
    const result = segmentShop(
      orders({
        a: ["2025-01-01", "2025-02-01"],
        b: ["2025-01-05"],
        c: ["2025-03-01", "2025-03-20"],
      }),
      { asOf: "2025-04-01" },
    );
    expect(result.models.bgnbd.gate.used).toBe(false);
    expect(result.models.purchase.basis).toBe("kaplan-meier");
    for (let i = 0; i < result.customerCount; i++) {
      const score = result.columns.churnScore[i];
      expect(Number.isFinite(score)).toBe(true);
      expect(Number.isNaN(result.columns.pAlive[i])).toBe(true);
    }
  });
});

describe("model selection on held-out time", () => {
  it("fits each model on calibration and scores it on the holdout, not in-sample", () => {
    const shop = syntheticShop({ customers: 3000, seed: 7 });
    const table = buildOrderTable(syntheticOrders(shop));
    const selection = selectPurchaseModel(table, shop.endDay, "day");
    expect(selection.basis).toBe("holdout");
    expect(selection.holdoutDays).toBe(Math.round(730 / 3));
    expect(selection.scores.map((s) => s.model)).toEqual(["bgnbd", "mbgnbd", "paretoNbd"]);
    for (const s of selection.scores) {
      expect(Number.isFinite(s.brier ?? NaN)).toBe(true);
      expect(s.predictedOrders).toBeGreaterThan(0.7 * s.actualOrders);
      expect(s.predictedOrders).toBeLessThan(1.3 * s.actualOrders);
    }
    const best = [...selection.scores].sort((a, b) => (a.brier ?? 1) - (b.brier ?? 1))[0];
    expect(selection.selected).toBe(best.model);
  });

  it("falls back to BG/NBD when the history is too short to split", () => {
    const table = buildOrderTable(orders({ a: ["2025-01-01", "2025-01-20"] }));
    const selection = selectPurchaseModel(table, parseIsoDay("2025-02-15"), "day");
    expect(selection.basis).toBe("default");
    expect(selection.selected).toBe("bgnbd");
  });
});

describe("the purchase stage in the engine", () => {
  const cdnow = parseCdnow(readFixture("CDNOW_sample.txt"));
  const result = segmentShop(cdnow, { asOf: "1997-09-30" });

  it("scores every customer with finite churn, and bands are monotone in held-out repurchase", () => {
    expect(result.models.purchase.basis).toBe("model");
    expect(result.models.purchase.selection?.basis).toBe("holdout");
    const table = buildOrderTable(cdnow);
    const end = parseIsoDay("1997-09-30");
    const rate = { LOW: [0, 0], MEDIUM: [0, 0], HIGH: [0, 0] };
    for (let c = 0; c < result.customerCount; c++) {
      expect(Number.isFinite(result.columns.churnScore[c])).toBe(true);
      const band = result.columns.churnRisk[c];
      expect(band).not.toBeNull();
      let again = 0;
      for (let i = table.customerStart[c]; i < table.customerStart[c + 1]; i++)
        if (table.day[i] > end && table.day[i] <= end + 91) again = 1;
      rate[band!][0] += again;
      rate[band!][1]++;
    }
    const share = (b: keyof typeof rate) => rate[b][0] / rate[b][1];
    expect(share("LOW")).toBeGreaterThan(share("MEDIUM"));
    expect(share("MEDIUM")).toBeGreaterThan(share("HIGH"));
  });

  it("gives a recent one-time buyer a next-order date and a chance, and a long-gone one neither", () => {
    const extra = [
      ...cdnow,
      {
        customerId: "new",
        orderId: "new-1",
        processedAt: "1997-09-30",
        currency: "USD",
        totalMinor: 1500,
      },
    ];
    const r = segmentShop(extra, { asOf: "1997-09-30", purchaseModel: "bgnbd" });
    const i = r.columns.summaries.customerIds.indexOf("new");
    const record = r.customerRecord(i);
    expect(record.nextOrderProbability).toBeGreaterThan(0.5);
    expect(record.expectedNextOrderDate).not.toBeNull();
    const gone = r.columns.summaries.customerIds.findIndex(
      (_, c) => r.columns.summaries.orders[c] === 1 && r.columns.summaries.ageDays[c] > 250,
    );
    expect(r.customerRecord(gone).expectedNextOrderDate).toBeNull();
    expect(r.customerRecord(gone).churnRisk).toBe("HIGH");
  });

  it("is reproduced exactly by scoring the population against the frozen reference", () => {
    const reference = buildModelReference(result);
    const table = buildOrderTable(cdnow);
    const again = scoreWithReference(table, JSON.parse(JSON.stringify(reference)), {
      asOfDay: result.asOfDay,
    });
    for (let c = 0; c < result.customerCount; c++) {
      expect(again.columns.churnScore[c]).toBe(result.columns.churnScore[c]);
      expect(again.columns.churnRisk[c]).toBe(result.columns.churnRisk[c]);
      expect(again.columns.expectedNextOrderDay[c]).toEqual(result.columns.expectedNextOrderDay[c]);
      expect(again.columns.clv[c]).toEqual(result.columns.clv[c]);
    }
  });

  it("keeps every score finite for a customer with thousands of orders in day units", () => {
    const heavy: OrderInput[] = [...cdnow];
    for (let d = 0; d < 2000; d++) {
      const day = new Date(Date.UTC(1992, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
      heavy.push({
        customerId: "heavy",
        orderId: `h${d}`,
        processedAt: day,
        currency: "USD",
        totalMinor: 999,
      });
    }
    for (const model of ["bgnbd", "mbgnbd", "paretoNbd"] as const) {
      const r = segmentShop(heavy, { asOf: "1997-09-30", purchaseModel: model });
      const rec = r.customerRecord(r.columns.summaries.customerIds.indexOf("heavy"));
      for (const v of [
        rec.pAlive,
        rec.expectedPurchases,
        rec.churnScore,
        rec.nextOrderProbability,
        rec.clv,
      ])
        expect(Number.isFinite(v)).toBe(true);
    }
  });
});

describe("scoring a population", () => {
  const cdnow = parseCdnow(readFixture("CDNOW_sample.txt"));

  it("gives each customer the model's own P(alive), E[Y(t)] and churn score, for every model", () => {
    for (const name of ["bgnbd", "mbgnbd", "paretoNbd"] as const) {
      const r = segmentShop(cdnow, { asOf: "1997-09-30", purchaseModel: name });
      const report = r.models.purchase;
      const model = report.model!;
      expect(model.name).toBe(name);
      const s = r.columns.summaries;
      const unit = report.unitDays;
      let checked = 0;
      for (let c = 0; c < r.customerCount; c += 7) {
        if (s.orders[c] === 0) continue;
        const [x, tx, T] = [s.frequency[c], s.recencyDays[c] / unit, s.ageDays[c] / unit];
        const close = (actual: number, expected: number) =>
          expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-12 * Math.max(1, expected));
        close(r.columns.pAlive[c], aliveProbability(model, x, tx, T));
        close(r.columns.expectedPurchases[c], expectedPurchasesGiven(model, 90 / unit, x, tx, T));
        const churn = modelChurn(
          model,
          report.horizonDays / unit,
          x,
          tx,
          T,
          NEXT_ORDER_LIMIT_DAYS / unit,
        );
        close(r.columns.churnScore[c], churn.score);
        checked++;
      }
      expect(checked).toBeGreaterThan(300);
    }
  });
});
