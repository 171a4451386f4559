import { describe, expect, it } from "vitest";
import { parseCdnow } from "~/segmentation/cli/cdnow";
import { segmentShop } from "~/segmentation/engine";
import { RuleError } from "~/segmentation/rules";
import { syntheticOrders, syntheticShop } from "~/segmentation/synthetic";
import type { OrderInput } from "~/segmentation/types";
import { readFixture } from "./cdnowFixtures";

describe("segmentShop on CDNOW", () => {
  const orders = parseCdnow(readFixture("CDNOW_sample.txt"));
  const result = segmentShop(orders, {
    asOf: "1997-09-30",
    timeUnit: "week",
    customers: [{ id: "00004", tags: ["VIP"] }, { id: "99999" }],
    customRules: [
      { name: "high-risk-valuable", rule: "churnRisk = HIGH AND clv12m > 20" },
      { name: "vip", rule: 'tags CONTAINS "vip"' },
    ],
  });

  it("fits the published models through the full pipeline", () => {
    const fit = result.models.bgnbd.fit;
    expect(result.models.bgnbd.gate.used).toBe(true);
    expect(fit?.params.r).toBeCloseTo(0.243, 3);
    expect(fit?.params.alpha).toBeCloseTo(4.414, 3);
    expect(fit?.logLikelihood).toBeCloseTo(-9582.4, 1);
    expect(result.models.gammaGamma.fit?.params.p).toBeCloseTo(6.25, 2);
    expect(result.models.clvBasis).toBe("bgnbd+gamma-gamma");
  });

  it("every customer lands in exactly one group of each family, and counts add up", () => {
    const total = (counts: Record<string, number>) =>
      Object.values(counts).reduce((a, b) => a + b, 0);
    expect(result.customerCount).toBe(2358);
    expect(total(result.segments.rfm)).toBe(2358);
    expect(result.segments.rfm.PROSPECTS).toBe(1);
    expect(total(result.segments.churnRisk)).toBe(2357);
    expect(total(result.segments.spendTier)).toBe(2357);
    expect(total(result.segments.valueType)).toBe(2357);
  });

  it("per-customer results are consistent and finite", () => {
    for (let i = 0; i < result.customerCount; i++) {
      const c = result.customerRecord(i);
      if (c.orders === 0) {
        expect(c.rfmGroup).toBe("PROSPECTS");
        expect(c.pAlive).toBeNull();
        continue;
      }
      expect(c.pAlive).not.toBeNull();
      expect(c.pAlive as number).toBeGreaterThan(0);
      expect(c.pAlive as number).toBeLessThanOrEqual(1);
      if (c.frequency === 0) expect(c.pAlive).toBe(1);
      expect(Number.isFinite(c.clv)).toBe(true);
      expect(c.clv as number).toBeGreaterThanOrEqual(0);
      expect(c.propensity as number).toBeGreaterThan(0);
      expect(c.propensity as number).toBeLessThan(1);
    }
  });

  it("custom segments read the computed metrics and customer tags", () => {
    expect(result.segments.custom.vip).toBe(1);
    const vip = result.customerRecord(result.columns.summaries.customerIds.indexOf("00004"));
    expect(vip.customSegments).toContain("vip");
    let expected = 0;
    for (let i = 0; i < result.customerCount; i++) {
      const c = result.customerRecord(i);
      if (c.churnRisk === "HIGH" && (c.clv ?? 0) > 20) expected++;
    }
    expect(result.segments.custom["high-risk-valuable"]).toBe(expected);
  });

  it("reports the propensity backtest", () => {
    const p = result.models.propensity;
    expect(p.method).toBe("logistic");
    expect(p.backtest?.kind).toBe("later-window");
    expect(p.backtest?.auc).toBeGreaterThan(0.5);
    expect(p.backtest?.calibration.length).toBe(10);
  });

  it("a bad custom rule fails fast with the rule's name and position", () => {
    expect(() => segmentShop(orders, { customRules: [{ name: "oops", rule: "clv > 3" }] })).toThrow(
      RuleError,
    );
    expect(() => segmentShop(orders, { customRules: [{ name: "oops", rule: "clv > 3" }] })).toThrow(
      /custom segment "oops": unknown field "clv"/,
    );
  });
});

describe("minimum-data gates", () => {
  it("skips the models on a tiny shop and says why", () => {
    const orders: OrderInput[] = [
      {
        customerId: "a",
        orderId: "1",
        processedAt: "2024-01-01",
        currency: "EUR",
        totalMinor: 1000,
      },
      {
        customerId: "a",
        orderId: "2",
        processedAt: "2024-02-01",
        currency: "EUR",
        totalMinor: 1500,
      },
      {
        customerId: "b",
        orderId: "3",
        processedAt: "2024-01-15",
        currency: "EUR",
        totalMinor: 900,
      },
    ];
    const result = segmentShop(orders, { asOf: "2024-03-01" });
    const bgnbd = result.gates.find((g) => g.model === "bgnbd");
    expect(bgnbd?.used).toBe(false);
    expect(bgnbd?.code).toBe("TOO_FEW_CUSTOMERS");
    expect(bgnbd?.reason).toMatch(/at least 100 customers/);
    expect(result.gates.find((g) => g.model === "gammaGamma")?.code).toBe(
      "DEPENDS_ON_SKIPPED_MODEL",
    );
    expect(result.gates.find((g) => g.model === "rfm")?.code).toBe("TOO_FEW_CUSTOMERS");
    expect(result.gates.find((g) => g.model === "propensity")?.code).toBe("HISTORY_TOO_SHORT");
    expect(result.models.propensity.method).toBe("heuristic");
    const a = result.customerRecord(0);
    expect(a.pAlive).toBeNull();
    expect(a.clv).toBeNull();
    expect(a.spendTier).not.toBeNull(); // falls back to historical spend
    expect(result.models.spendTierBasis).toBe("historical-spend");
    expect(a.propensity).not.toBeNull(); // heuristic score
  });

  it("skips BG/NBD when there are too few repeat buyers", () => {
    const orders: OrderInput[] = Array.from({ length: 150 }, (_, i) => ({
      customerId: `c${i}`,
      orderId: `o${i}`,
      processedAt: `2024-0${1 + (i % 6)}-10`,
      currency: "USD",
      totalMinor: 1000 + i,
    }));
    const result = segmentShop(orders, { asOf: "2024-07-01" });
    expect(result.models.bgnbd.gate.code).toBe("TOO_FEW_REPEAT_BUYERS");
  });
});

describe("propensity on a synthetic shop", () => {
  it("trains a logistic model with a later-window backtest", () => {
    const shop = syntheticShop({ customers: 6000, seed: 3 });
    const orders = syntheticOrders(shop);
    const result = segmentShop(orders);
    const p = result.models.propensity;
    expect(p.method).toBe("logistic");
    expect(p.converged).toBe(true);
    expect(p.backtest?.kind).toBe("later-window");
    expect(p.backtest?.auc).toBeGreaterThan(0.55);
    const calibration = p.backtest?.calibration ?? [];
    // Calibration: the top decile's observed rate is above the bottom decile's.
    expect(calibration[calibration.length - 1].observedRate).toBeGreaterThan(
      calibration[0].observedRate,
    );
  });
});

describe("affinity", () => {
  it("leading product type and vendor by spend", () => {
    const orders: OrderInput[] = [
      {
        customerId: "a",
        orderId: "1",
        processedAt: "2024-01-01",
        currency: "USD",
        totalMinor: 9000,
        lineItems: [
          { productType: "Shoes", vendor: "Acme", unitPriceMinor: 4000, quantity: 2 },
          { productType: "Socks", vendor: "Sox", unitPriceMinor: 500, quantity: 2 },
        ],
      },
      {
        customerId: "a",
        orderId: "2",
        processedAt: "2024-02-01",
        currency: "USD",
        totalMinor: 1500,
        lineItems: [{ productType: "Socks", vendor: "Sox", unitPriceMinor: 500, quantity: 3 }],
      },
    ];
    const result = segmentShop(orders);
    const a = result.customerRecord(0);
    expect(a.leadingProductType).toBe("Shoes");
    expect(a.leadingVendor).toBe("Acme");
    expect(result.columns.affinities.productTypeByCount[0]).toBe("Socks");
  });
});
