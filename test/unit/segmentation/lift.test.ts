import { describe, expect, it } from "vitest";
import { conversionLift, holdoutDraw, splitHoldout, wilsonInterval } from "~/segmentation/lift";

describe("wilsonInterval", () => {
  it("reproduces Newcombe (1998, Statistics in Medicine 17:857) for 81/263", () => {
    const w = wilsonInterval(81, 263);
    expect(w.low).toBeCloseTo(0.2553, 4);
    expect(w.high).toBeCloseTo(0.3662, 4);
  });

  it("stays inside [0, 1] at the edges", () => {
    expect(wilsonInterval(0, 10).low).toBe(0);
    expect(wilsonInterval(10, 10).high).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe("conversionLift (Newcombe's hybrid score interval, method 10)", () => {
  // The worked examples of Newcombe (1998), "Interval estimation for the difference between
  // independent proportions", Statistics in Medicine 17:873, Table II.
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [10, 10, 0, 20, 0.6791, 1.0],
  ])("%i/%i vs %i/%i → [%f, %f]", (x1, n1, x2, n2, low, high) => {
    const lift = conversionLift({ customers: n1, converted: x1 }, { customers: n2, converted: x2 });
    expect(lift).not.toBeNull();
    expect(lift!.difference).toBeCloseTo(x1 / n1 - x2 / n2, 10);
    expect(lift!.interval.low).toBeCloseTo(low, 4);
    expect(lift!.interval.high).toBeCloseTo(high, 4);
    expect(lift!.significant).toBe(low > 0);
  });

  it("reports relative lift only when the holdout converted", () => {
    const some = conversionLift(
      { customers: 100, converted: 30 },
      { customers: 100, converted: 20 },
    );
    expect(some!.relativeLift).toBeCloseTo(0.5, 10);
    const none = conversionLift(
      { customers: 100, converted: 30 },
      { customers: 100, converted: 0 },
    );
    expect(none!.relativeLift).toBeNull();
  });

  it("widens with more confidence and narrows with more customers", () => {
    const small = conversionLift(
      { customers: 50, converted: 15 },
      { customers: 50, converted: 10 },
    )!;
    const big = conversionLift(
      { customers: 5000, converted: 1500 },
      { customers: 5000, converted: 1000 },
    )!;
    const strict = conversionLift(
      { customers: 50, converted: 15 },
      { customers: 50, converted: 10 },
      0.99,
    )!;
    const width = (l: typeof small) => l.interval.high - l.interval.low;
    expect(width(big)).toBeLessThan(width(small));
    expect(width(strict)).toBeGreaterThan(width(small));
    expect(small.significant).toBe(false);
    expect(big.significant).toBe(true);
  });

  it("has nothing to compare without a holdout, and rejects impossible counts", () => {
    expect(
      conversionLift({ customers: 10, converted: 2 }, { customers: 0, converted: 0 }),
    ).toBeNull();
    expect(() =>
      conversionLift({ customers: 10, converted: 11 }, { customers: 10, converted: 1 }),
    ).toThrow(RangeError);
    expect(() =>
      conversionLift({ customers: 10, converted: 1 }, { customers: 10, converted: 1 }, 0.42),
    ).toThrow(RangeError);
  });
});

describe("splitHoldout", () => {
  const ids = Array.from({ length: 1000 }, (_, i) => BigInt(7_000_000 + i * 13));

  it("holds out exactly the requested share, and is reproducible from the seed", () => {
    const a = splitHoldout(ids, 0.1, "promotion-17");
    expect(a.holdout).toHaveLength(100);
    expect(a.treatment).toHaveLength(900);
    expect(new Set([...a.holdout, ...a.treatment]).size).toBe(1000);
    expect(splitHoldout(ids, 0.1, "promotion-17")).toEqual(a);
    const other = splitHoldout(ids, 0.1, "promotion-18");
    expect(other.holdout).not.toEqual(a.holdout);
  });

  it("does not depend on the order the customers come in", () => {
    const shuffled = [...ids].reverse();
    expect(new Set(splitHoldout(shuffled, 0.25, "s").holdout)).toEqual(
      new Set(splitHoldout(ids, 0.25, "s").holdout),
    );
  });

  it("spreads the holdout over the id range rather than taking a block", () => {
    const { holdout } = splitHoldout(ids, 0.2, "spread");
    const firstHalf = holdout.filter((id) => id < ids[500]).length;
    expect(firstHalf).toBeGreaterThan(60);
    expect(firstHalf).toBeLessThan(140);
  });

  it("keeps everyone in treatment with no holdout and rejects a share of 1", () => {
    expect(splitHoldout(ids, 0, "s").holdout).toEqual([]);
    expect(() => splitHoldout(ids, 1, "s")).toThrow(RangeError);
  });

  it("draws uniformly", () => {
    const draws = Array.from({ length: 10_000 }, (_, i) => holdoutDraw("seed", String(i)));
    const mean = draws.reduce((s, d) => s + d, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });
});
