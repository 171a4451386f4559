import { describe, expect, it } from "vitest";
import {
  dailyPattern,
  fullRecomputePattern,
  NIGHT_START_MINUTE_UTC,
  NIGHT_WINDOW_MINUTES,
  reconcileMinute,
  reconcilePattern,
} from "~/jobs/nightly-slot";

const fleet = Array.from({ length: 1_000 }, (_, i) => `shop-${i}.myshopify.com`);

describe("each shop's nightly slot", () => {
  it("is the same for a shop every time, inside the night window", () => {
    for (const shop of fleet) {
      const minute = reconcileMinute(shop);
      expect(reconcileMinute(shop)).toBe(minute);
      expect(minute).toBeGreaterThanOrEqual(NIGHT_START_MINUTE_UTC);
      expect(minute).toBeLessThan(NIGHT_START_MINUTE_UTC + NIGHT_WINDOW_MINUTES);
    }
  });

  it("spreads a fleet over the window instead of one burst", () => {
    const perMinute = new Map<number, number>();
    for (const shop of fleet) {
      const minute = reconcileMinute(shop);
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    }
    // 1,000 shops over 240 minutes: about 4 a minute if spread; a fixed time would put all
    // 1,000 in one.
    expect(perMinute.size).toBeGreaterThan(0.9 * NIGHT_WINDOW_MINUTES);
    expect(Math.max(...perMinute.values())).toBeLessThan(15);
  });

  it("writes daily cron patterns, the full recompute half an hour after the reconcile", () => {
    expect(dailyPattern(60)).toBe("0 1 * * *");
    expect(dailyPattern(299)).toBe("59 4 * * *");
    expect(dailyPattern(1440 + 5)).toBe("5 0 * * *");
    const shop = "propel-e2e.myshopify.com";
    const at = reconcileMinute(shop);
    expect(reconcilePattern(shop)).toBe(dailyPattern(at));
    expect(fullRecomputePattern(shop)).toBe(dailyPattern(at + 30));
  });
});
