import { describe, expect, it } from "vitest";
import { parseCdnow } from "~/segmentation/cli/cdnow";
import {
  defaultFrequencyValueThresholds,
  frequencyValueCells,
} from "~/segmentation/frequencyValue";
import { loyaltyMetrics } from "~/segmentation/loyalty";
import { buildOrderTable } from "~/segmentation/orders";
import { DEFAULT_RFM_GRID, RFM_GROUPS, scoreRfm, validateRfmGrid } from "~/segmentation/rfm";
import { rankScores } from "~/segmentation/stats";
import { summarizeCustomers } from "~/segmentation/summary";
import { seededRandom } from "~/segmentation/synthetic";
import { parseIsoDay } from "~/segmentation/time";
import type { OrderInput } from "~/segmentation/types";
import { valueTypes } from "~/segmentation/valueType";
import { readFixture } from "./cdnowFixtures";

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

describe("rank scores", () => {
  it("distinct values split into equal quintiles", () => {
    const scores = rankScores(
      Array.from({ length: 100 }, (_, i) => i),
      () => true,
    );
    for (let s = 1; s <= 5; s++) expect(scores.filter((v) => v === s)).toHaveLength(20);
    expect(scores[0]).toBe(1);
    expect(scores[99]).toBe(5);
  });
  it("ties share a score", () => {
    const values = [1, 1, 1, 1, 1, 1, 2, 3, 4, 5];
    const scores = rankScores(values, () => true);
    expect(new Set(scores.slice(0, 6)).size).toBe(1);
    expect(scores[0]).toBe(1);
    expect(scores[9]).toBe(5);
  });
  it("excluded entries get 0", () => {
    // Two included: the lower beats nobody (1), the higher beats half (1 + ⌊5 · ½⌋ = 3).
    expect(Array.from(rankScores([3, 1, 2], (i) => i !== 1))).toEqual([3, 0, 1]);
  });
});

describe("RFM", () => {
  const cdnow = parseCdnow(readFixture("CDNOW_sample.txt"));
  const asOfDay = parseIsoDay("1997-09-30");

  it("scores do not depend on the order of the input rows", () => {
    const byId = (orders: OrderInput[]) => {
      const s = summarizeCustomers(buildOrderTable(orders), { asOfDay });
      const rfm = scoreRfm(s);
      const map = new Map<string, string>();
      s.customerIds.forEach((id, i) =>
        map.set(id, `${rfm.recency[i]}${rfm.frequency[i]}${rfm.monetary[i]}${rfm.group[i]}`),
      );
      return map;
    };
    const original = byId(cdnow);
    const reordered = byId(shuffled(cdnow, 7));
    expect(reordered.size).toBe(original.size);
    for (const [id, value] of original) expect(reordered.get(id)).toBe(value);
  });

  it("frequency ties: one-time buyers F = 1, repeat buyers by quartiles among themselves", () => {
    const s = summarizeCustomers(buildOrderTable(cdnow), { asOfDay });
    const rfm = scoreRfm(s);
    const fOf = new Map<number, Set<number>>();
    for (let i = 0; i < s.count; i++) {
      if (s.orders[i] === 0) continue;
      const set = fOf.get(s.orders[i]) ?? new Set<number>();
      set.add(rfm.frequency[i]);
      fOf.set(s.orders[i], set);
    }
    // Ties share a score, one order scores 1, and two orders (the mass of repeat buyers) score
    // 2 — not 4 as when they were ranked above every one-time buyer.
    for (const scores of fOf.values()) expect(scores.size).toBe(1);
    expect([...fOf.get(1)!]).toEqual([1]);
    expect([...fOf.get(2)!]).toEqual([2]);
    const top = Math.max(...fOf.keys());
    expect([...fOf.get(top)!]).toEqual([5]);
  });

  it("CHAMPIONS is the top cell only and holds the best few (9 % of CDNOW, was 21 %)", () => {
    const s = summarizeCustomers(buildOrderTable(cdnow), { asOfDay });
    const rfm = scoreRfm(s);
    let champions = 0;
    for (let i = 0; i < s.count; i++) {
      if (rfm.group[i] !== "CHAMPIONS") continue;
      champions++;
      expect([rfm.recency[i], rfm.frequencyMonetary[i]]).toEqual([5, 5]);
    }
    const share = champions / s.count;
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.12);
  });

  it("customers with the same history get the same scores and group", () => {
    const s = summarizeCustomers(buildOrderTable(cdnow), { asOfDay });
    const rfm = scoreRfm(s);
    const seen = new Map<string, string>();
    for (let i = 0; i < s.count; i++) {
      const key = `${s.lastDay[i]}|${s.orders[i]}|${s.totalSpendMinor[i]}`;
      const value = `${rfm.recency[i]}${rfm.frequency[i]}${rfm.monetary[i]}${rfm.group[i]}`;
      if (seen.has(key)) expect(seen.get(key)).toBe(value);
      seen.set(key, value);
    }
  });

  it("reads the group off the grid at (R, round((F+M)/2)); customers without orders are prospects", () => {
    const table = buildOrderTable(cdnow, { customers: [{ id: "no-orders" }] });
    const s = summarizeCustomers(table, { asOfDay });
    const rfm = scoreRfm(s);
    for (let i = 0; i < s.count; i++) {
      if (s.orders[i] === 0) {
        expect(rfm.group[i]).toBe("PROSPECTS");
        expect(rfm.recency[i]).toBe(0);
        continue;
      }
      const fm = Math.round((rfm.frequency[i] + rfm.monetary[i]) / 2);
      expect(rfm.frequencyMonetary[i]).toBe(fm);
      expect(rfm.group[i]).toBe(DEFAULT_RFM_GRID[rfm.recency[i] as 1 | 2 | 3 | 4 | 5][fm - 1]);
    }
    expect(rfm.group[s.customerIds.indexOf("no-orders")]).toBe("PROSPECTS");
  });

  it("the default grid is valid and uses every group but PROSPECTS", () => {
    expect(validateRfmGrid(DEFAULT_RFM_GRID).ok).toBe(true);
    const used = new Set(Object.values(DEFAULT_RFM_GRID).flat());
    for (const g of RFM_GROUPS) expect(used.has(g as never)).toBe(g !== "PROSPECTS");
  });

  it("a custom grid is validated and used", () => {
    const bad = validateRfmGrid({ ...DEFAULT_RFM_GRID, 3: ["LOYAL", "VIP", "LOYAL", "LOYAL"] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors.join("\n")).toMatch(/R=3 must be a list of 5/);
    }
    const badName = validateRfmGrid({
      ...DEFAULT_RFM_GRID,
      2: ["LOYAL", "VIP", "LOYAL", "LOYAL", "PROSPECTS"],
    });
    expect(badName.ok).toBe(false);
    if (!badName.ok) expect(badName.errors).toHaveLength(2);
    expect(validateRfmGrid(null).ok).toBe(false);
    expect(validateRfmGrid({ ...DEFAULT_RFM_GRID, 6: [] }).ok).toBe(false);
    const allLoyal = Object.fromEntries([1, 2, 3, 4, 5].map((r) => [r, Array(5).fill("LOYAL")]));
    const checked = validateRfmGrid(allLoyal);
    expect(checked.ok).toBe(true);
    if (checked.ok) {
      const s = summarizeCustomers(buildOrderTable(cdnow), { asOfDay });
      expect(new Set(scoreRfm(s, checked.grid).group)).toEqual(new Set(["LOYAL"]));
    }
  });
});

describe("frequency × value, value type, loyalty", () => {
  const orders: OrderInput[] = [];
  const add = (customerId: string, day: string, total: number, discount = 0) =>
    orders.push({
      customerId,
      orderId: `${customerId}-${orders.length}`,
      processedAt: day,
      currency: "USD",
      totalMinor: total,
      discountMinor: discount,
    });
  add("full-price", "2024-01-05", 5000);
  add("full-price", "2024-03-05", 5000);
  add("full-price", "2024-05-05", 5000);
  add("bargain", "2024-01-06", 2000, 1000);
  add("bargain", "2024-02-06", 2000, 1000);
  add("bargain", "2024-04-06", 2000, 0);
  add("once", "2024-05-20", 4000);
  add("twice-small", "2024-02-10", 1000);
  add("twice-small", "2024-02-20", 1000);
  const table = buildOrderTable(orders);
  const s = summarizeCustomers(table, { asOfDay: parseIsoDay("2024-06-30") });
  const index = (id: string) => s.customerIds.indexOf(id);

  it("2×2 around the medians of repeat buyers", () => {
    const thresholds = defaultFrequencyValueThresholds(s);
    expect(thresholds.orders).toBe(3);
    expect(thresholds.spendMinor).toBe(6000);
    const cells = frequencyValueCells(s);
    expect(cells[index("full-price")]).toBe("FREQUENT_HIGH_SPEND");
    expect(cells[index("bargain")]).toBe("FREQUENT_HIGH_SPEND");
    expect(cells[index("twice-small")]).toBe("INFREQUENT_LOW_SPEND");
    expect(cells[index("once")]).toBe("INFREQUENT_LOW_SPEND");
  });

  it("valuable vs volume vs occasional", () => {
    const types = valueTypes(s);
    expect(types[index("full-price")]).toBe("VALUABLE");
    expect(types[index("bargain")]).toBe("VOLUME");
    expect(types[index("once")]).toBe("OCCASIONAL");
    // Repeat buyer at full price but a customer for only 10 days, with a small AOV.
    expect(types[index("twice-small")]).toBe("OCCASIONAL");
  });

  it("repeat rate and monthly cohort retention", () => {
    const loyalty = loyaltyMetrics(table, s.asOfDay);
    expect(loyalty.customersWithOrders).toBe(4);
    expect(loyalty.repeatCustomers).toBe(3);
    expect(loyalty.repeatRate).toBeCloseTo(0.75, 12);
    const january = loyalty.cohorts.find((c) => c.cohort === "2024-01");
    expect(january?.customers).toBe(2);
    // Of the two January customers, "bargain" buys in February (month 1), "full-price" in March.
    expect(january?.retained.slice(0, 5)).toEqual([1, 0.5, 0.5, 0.5, 0.5]);
    expect(loyalty.cohorts.find((c) => c.cohort === "2024-02")?.retained[0]).toBe(1);
  });
});
