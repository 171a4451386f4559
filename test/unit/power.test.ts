import { describe, expect, it } from "vitest";
import {
  isLargeEffect,
  minimumDetectableEffect,
  normalCdf,
  normalQuantile,
  twoProportionPower,
} from "~/segmentation/power";

describe("normal distribution", () => {
  it("matches tabulated values", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.644854)).toBeCloseTo(0.05, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.8)).toBeCloseTo(0.841621, 5);
  });
});

describe("two-proportion power (Fleiss, Levin & Paik 2003)", () => {
  // Reference: 5% vs 10%, α = 0.05 two-sided, 80% power needs n = 434.4 → 435 per group.
  it("reaches 80% at the tabulated sample size and not below it", () => {
    expect(twoProportionPower(0.05, 0.1, 435, 435)).toBeGreaterThanOrEqual(0.8);
    expect(twoProportionPower(0.05, 0.1, 434, 434)).toBeLessThan(0.8);
    expect(twoProportionPower(0.05, 0.1, 435, 435)).toBeCloseTo(0.8, 2);
  });

  it("is symmetric in the direction of the difference and grows with the groups", () => {
    expect(twoProportionPower(0.1, 0.05, 300, 300)).toBeCloseTo(
      twoProportionPower(0.05, 0.1, 300, 300),
      12,
    );
    expect(twoProportionPower(0.05, 0.1, 1_000, 1_000)).toBeGreaterThan(
      twoProportionPower(0.05, 0.1, 500, 500),
    );
  });
});

describe("minimum detectable effect", () => {
  it("is five points for 435 per group from a 5% baseline", () => {
    const mde = minimumDetectableEffect({ baselineRate: 0.05, treated: 435, holdout: 435 });
    expect(mde).not.toBeNull();
    expect(mde!).toBeCloseTo(0.05, 3);
  });

  it("is large for the issue's example: 120 customers with a 10% holdout", () => {
    const mde = minimumDetectableEffect({ baselineRate: 0.1, treated: 108, holdout: 12 });
    expect(mde!).toBeGreaterThan(0.25);
    expect(isLargeEffect(mde, 0.1)).toBe(true);
  });

  it("shrinks as the holdout grows, and is null without a holdout", () => {
    const small = minimumDetectableEffect({ baselineRate: 0.1, treated: 9_000, holdout: 1_000 });
    const half = minimumDetectableEffect({ baselineRate: 0.1, treated: 5_000, holdout: 5_000 });
    expect(half!).toBeLessThan(small!);
    expect(isLargeEffect(half, 0.1)).toBe(false);
    expect(minimumDetectableEffect({ baselineRate: 0.1, treated: 100, holdout: 0 })).toBeNull();
  });
});
