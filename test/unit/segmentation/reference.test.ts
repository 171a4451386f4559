import { describe, expect, it } from "vitest";
import { buildOrderTable } from "~/segmentation/orders";
import { segmentOrderTable } from "~/segmentation/engine";
import {
  buildModelReference,
  rankEdges,
  scoreByEdges,
  scoreWithReference,
  segmentKeysOf,
  topShareCut,
} from "~/segmentation/reference";
import { spendTiers } from "~/segmentation/gammaGamma";
import { rankScores } from "~/segmentation/stats";
import { seededRandom, syntheticOrders, syntheticShop } from "~/segmentation/synthetic";
import { dayToIsoDate } from "~/segmentation/time";

describe("rank edges", () => {
  it("reproduce rankScores for random values with ties", () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(random() * 60);
      const values = Float64Array.from({ length: n }, () => Math.floor(random() * 8));
      const include = (i: number) => i % 7 !== 3;
      const expected = rankScores(values, include);
      const edges = rankEdges(values, include);
      values.forEach((v, i) => {
        if (include(i)) expect(scoreByEdges(v, edges)).toBe(expected[i]);
      });
    }
  });

  it("top-share cuts reproduce spend tiers, ties included", () => {
    const random = seededRandom(3);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(random() * 80);
      const values = Float64Array.from({ length: n }, () =>
        random() < 0.1 ? NaN : Math.floor(random() * 10),
      );
      const tiers = spendTiers(values, { high: 0.1, medium: 0.4 });
      const high = topShareCut(values, 0.1);
      const medium = topShareCut(values, 0.5);
      values.forEach((v, i) => {
        if (Number.isNaN(v)) return;
        const tier =
          high !== null && v >= high ? "HIGH" : medium !== null && v >= medium ? "MEDIUM" : "LOW";
        expect(tier).toBe(tiers[i]);
      });
    }
  });
});

describe("scoring against a reference", () => {
  const shop = syntheticShop({ customers: 3_000, seed: 5, historyDays: 540 });
  const orders = syntheticOrders(shop);
  const table = buildOrderTable(orders);
  const full = segmentOrderTable(table, {
    asOf: dayToIsoDate(shop.endDay),
    customRules: [{ name: "big-spenders", rule: "totalSpend > 200" }],
  });
  const reference = buildModelReference(full);

  it("reproduces the full run for the whole population", () => {
    expect(reference.bgnbd).not.toBeNull();
    const again = scoreWithReference(table, reference, { asOfDay: full.asOfDay });
    for (let i = 0; i < full.customerCount; i++) {
      const a = full.customerRecord(i);
      const b = again.customerRecord(i);
      expect(b).toEqual(a);
      expect(segmentKeysOf(b, reference)).toEqual(segmentKeysOf(a, reference));
    }
  });

  it("survives a JSON round trip, as stored with the shop", () => {
    const stored = JSON.parse(JSON.stringify(reference)) as typeof reference;
    const again = scoreWithReference(table, stored, { asOfDay: full.asOfDay });
    expect(again.customerRecord(17)).toEqual(full.customerRecord(17));
  });

  it("rescores one customer from their own history, landing where the full run puts them", () => {
    const id = full.columns.summaries.customerIds[42];
    const mine = orders.filter((o) => o.customerId === id);
    const scored = scoreWithReference(buildOrderTable(mine), reference, {
      asOfDay: full.asOfDay,
    });
    const record = scored.customerRecord(0);
    const expected = full.customerRecord(42);
    expect(record.rfmGroup).toBe(expected.rfmGroup);
    expect(record.pAlive).toBeCloseTo(expected.pAlive!, 12);
    expect(record.clv).toBeCloseTo(expected.clv!, 9);
    expect(record.spendTier).toBe(expected.spendTier);
    expect(record.valueType).toBe(expected.valueType);
  });

  it("a new order moves a lapsed customer's recency score to the top", () => {
    const lapsed = full.columns.summaries.customerIds.findIndex(
      (_, i) => full.columns.rfm.recency[i] === 1,
    );
    const id = full.columns.summaries.customerIds[lapsed];
    const mine = orders.filter((o) => o.customerId === id);
    const fresh = {
      ...mine[0],
      orderId: "fresh",
      processedAt: `${dayToIsoDate(full.asOfDay)}T12:00:00Z`,
    };
    const scored = scoreWithReference(buildOrderTable([...mine, fresh]), reference, {
      asOfDay: full.asOfDay,
    });
    expect(scored.customerRecord(0).rfm?.r).toBe(5);
    // Buying today is the strongest evidence a customer is still active.
    expect(scored.customerRecord(0).pAlive).toBeGreaterThan(full.customerRecord(lapsed).pAlive!);
  });
});
