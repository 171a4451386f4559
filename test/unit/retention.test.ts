import { describe, expect, it } from "vitest";
import { monthLabel, monthNumber, shapeRetention } from "~/segmentation/retention";

const t = (
  cohort: string,
  offset: number,
  active: number,
  revenueMinor: number,
  group = "all",
) => ({
  group,
  cohort,
  offset,
  active,
  revenueMinor,
});

describe("shapeRetention", () => {
  it("builds the triangle, the cumulative revenue and the weighted curve", () => {
    const groups = shapeRetention(
      [
        t("2026-01", 0, 10, 1_000),
        t("2026-01", 1, 4, 600),
        t("2026-01", 2, 2, 200),
        t("2026-02", 0, 30, 3_000),
        t("2026-02", 1, 6, 300),
        // The current month: counted in the triangle, not in the curve.
        t("2026-03", 0, 5, 500),
      ],
      "2026-03",
    );
    expect(groups).toHaveLength(1);
    const [all] = groups;
    expect(all.customers).toBe(45);
    expect(all.cohorts[0]).toEqual({
      cohort: "2026-01",
      customers: 10,
      retained: [1, 0.4, 0.2],
      revenuePerCustomerMinor: [100, 160, 180],
    });
    expect(all.cohorts[1].retained).toEqual([1, 0.2]);
    expect(all.cohorts[2].retained).toEqual([1]);
    // Month 0 is over for January and February; month 1 for January only (February's
    // month 1 is the running month).
    expect(all.curve.map((p) => p.offset)).toEqual([0, 1]);
    expect(all.curve[0]).toMatchObject({ cohorts: 2, customers: 40, retained: 1 });
    expect(all.curve[0].revenuePerCustomerMinor).toBeCloseTo((1_000 + 3_000) / 40, 12);
    expect(all.curve[1]).toMatchObject({ cohorts: 1, customers: 10, retained: 0.4 });
    expect(all.curve[1].revenuePerCustomerMinor).toBeCloseTo(160, 12);
    // February's buyers: 30 new, 4 returning from January.
    expect(all.repeat.find((r) => r.month === "2026-02")).toEqual({
      month: "2026-02",
      buyers: 34,
      returning: 4,
      rate: 4 / 34,
    });
    expect(all.repeat.find((r) => r.month === "2026-03")?.returning).toBe(2 + 6);
  });

  it("keeps groups apart and counts months across years", () => {
    const groups = shapeRetention(
      [t("2025-12", 0, 2, 10, "a"), t("2025-12", 1, 1, 5, "a"), t("2026-01", 0, 3, 9, "b")],
      "2026-02",
    );
    expect(groups.map((g) => g.group)).toEqual(["a", "b"]);
    expect(groups[0].cohorts[0].retained).toEqual([1, 0.5, 0]);
    expect(groups[0].repeat.map((r) => r.month)).toEqual(["2025-12", "2026-01"]);
    expect(monthLabel(monthNumber("2025-12") + 1)).toBe("2026-01");
  });
});
