import { describe, expect, it } from "vitest";
import { BUILT_IN_SEGMENTS } from "~/segmentation/catalog";
import {
  boundedDiscountPercent,
  CLV_SHARE_FOR_DISCOUNT,
  clvDiscountCeiling,
  MIN_USEFUL_PERCENT,
  playbookFor,
  suggestionFor,
  UNKNOWN_CLV_CAP_PERCENT,
  type SegmentPromotionStats,
} from "~/segmentation/promotions";

/** A segment worth a lot per order: the CLV rule does not bind below any playbook cap. */
const rich: SegmentPromotionStats = {
  customers: 200,
  avgClvMinor: 100_000,
  avgAovMinor: 5_000,
  currency: "USD",
};

const kinds = (key: string, stats = rich) => playbookFor(key, stats).map((s) => s.kind);

describe("playbookFor", () => {
  it("gives every built-in segment at least one suggestion, with unique ids", () => {
    for (const segment of BUILT_IN_SEGMENTS) {
      const playbook = playbookFor(segment.key, rich);
      expect(playbook.length, segment.key).toBeGreaterThan(0);
      expect(new Set(playbook.map((s) => s.id)).size).toBe(playbook.length);
      for (const s of playbook) {
        expect(s.title.length).toBeGreaterThan(0);
        expect(s.why.length).toBeGreaterThan(0);
      }
    }
  });

  it("rewards champions and loyal customers without deep discounts", () => {
    expect(kinds("rfm:CHAMPIONS")).toEqual(
      expect.arrayContaining(["loyalty_reward", "early_access"]),
    );
    expect(kinds("rfm:LOYAL")).toContain("loyalty_reward");
    for (const s of [...playbookFor("rfm:CHAMPIONS", rich), ...playbookFor("rfm:LOYAL", rich)])
      expect(s.discountPercent ?? 0).toBeLessThanOrEqual(10);
  });

  it("welcomes new customers and bundles for promising ones", () => {
    expect(kinds("rfm:NEW")[0]).toBe("welcome_offer");
    expect(kinds("rfm:PROMISING")).toContain("bundle");
    expect(kinds("rfm:PROSPECTS")).toEqual(["welcome_offer"]);
  });

  it("wins back the slipping with a discount and a survey", () => {
    for (const key of ["rfm:AT_RISK", "rfm:PREVIOUSLY_LOYAL", "churn:HIGH"]) {
      expect(kinds(key)).toEqual(["winback_discount", "satisfaction_survey"]);
      expect(playbookFor(key, rich)[0].discountPercent).toBe(20);
    }
  });

  it("spends little on dormant customers", () => {
    const [only, ...rest] = playbookFor("rfm:DORMANT", rich);
    expect(rest).toEqual([]);
    expect(only.kind).toBe("reactivation");
    expect(only.discountPercent).toBeLessThanOrEqual(10);
  });

  it("steers volume buyers to bigger baskets, not deeper discounts", () => {
    const playbook = playbookFor("value:VOLUME", rich);
    expect(playbook.map((s) => s.kind)).toEqual(["bundle", "free_shipping"]);
    expect(playbook.some((s) => s.kind === "winback_discount")).toBe(false);
    expect(Math.max(...playbook.map((s) => s.discountPercent ?? 0))).toBeLessThanOrEqual(10);
  });

  it("does not discount customers who buy at full price", () => {
    for (const s of playbookFor("value:VALUABLE", rich)) expect(s.discountPercent).toBeNull();
  });

  it("upsells those likely to grow", () => {
    expect(kinds("propensity:LIKELY_TO_GROW")[0]).toBe("upsell");
  });

  it("gives custom segments a safe generic playbook and unknown keys none", () => {
    expect(kinds("custom:vip-summer")).toEqual(["bundle", "satisfaction_survey"]);
    expect(playbookFor("rfm:NOT_A_GROUP", rich)).toEqual([]);
    expect(playbookFor("nonsense", rich)).toEqual([]);
  });

  it("finds one suggestion by id", () => {
    expect(suggestionFor("rfm:AT_RISK", "winback_discount", rich)?.discountPercent).toBe(20);
    expect(suggestionFor("rfm:AT_RISK", "upsell", rich)).toBeUndefined();
  });
});

describe("discount depth bounded by CLV", () => {
  it("follows percent ≤ 100 × share × avgClv / avgAov", () => {
    const stats = { ...rich, avgClvMinor: 3_000, avgAovMinor: 5_000 };
    expect(clvDiscountCeiling(stats)).toBeCloseTo((100 * CLV_SHARE_FOR_DISCOUNT * 3_000) / 5_000);
    // 12% ceiling is below the win-back cap of 20: the CLV rule binds.
    expect(suggestionFor("rfm:AT_RISK", "winback_discount", stats)?.discountPercent).toBe(12);
  });

  it("never gives away more than the share of CLV on an average order", () => {
    for (let clv = 0; clv <= 60_000; clv += 1_237) {
      const stats = { ...rich, avgClvMinor: clv, avgAovMinor: 7_500 };
      for (const segment of BUILT_IN_SEGMENTS)
        for (const s of playbookFor(segment.key, stats)) {
          if (s.discountPercent === null) continue;
          expect(Number.isInteger(s.discountPercent)).toBe(true);
          expect((s.discountPercent / 100) * 7_500).toBeLessThanOrEqual(
            CLV_SHARE_FOR_DISCOUNT * clv + 1e-9,
          );
          expect(s.discountPercent).toBeGreaterThanOrEqual(MIN_USEFUL_PERCENT);
        }
    }
  });

  it("floors to a whole percent", () => {
    // ceiling = 100 × 0.2 × 4_990 / 6_000 = 16.63…
    expect(boundedDiscountPercent(20, { ...rich, avgClvMinor: 4_990, avgAovMinor: 6_000 })).toBe(
      16,
    );
  });

  it("offers no discount when the customers are worth too little", () => {
    const poor = { ...rich, avgClvMinor: 1_000, avgAovMinor: 5_000 }; // ceiling 4%
    expect(suggestionFor("rfm:AT_RISK", "winback_discount", poor)?.discountPercent).toBeNull();
    expect(suggestionFor("rfm:DORMANT", "reactivation", poor)?.discountPercent).toBeNull();
    expect(
      suggestionFor("rfm:DORMANT", "reactivation", { ...poor, avgClvMinor: 0 })?.discountPercent,
    ).toBeNull();
  });

  it("falls back to a conservative cap when CLV or AOV is unknown", () => {
    const unknownClv = { ...rich, avgClvMinor: null };
    expect(clvDiscountCeiling(unknownClv)).toBeNull();
    expect(suggestionFor("rfm:AT_RISK", "winback_discount", unknownClv)?.discountPercent).toBe(
      UNKNOWN_CLV_CAP_PERCENT,
    );
    const noOrders = { customers: 50, avgClvMinor: null, avgAovMinor: null, currency: "USD" };
    expect(playbookFor("rfm:PROSPECTS", noOrders)[0].discountPercent).toBe(10);
    expect(clvDiscountCeiling({ ...rich, avgAovMinor: 0 })).toBeNull();
  });
});
