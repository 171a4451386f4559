import { describe, expect, it } from "vitest";
import { parseCdnow } from "~/segmentation/cli/cdnow";
import { SegmentationInputError } from "~/segmentation/errors";
import { parseDecimalToMinor } from "~/segmentation/money";
import { buildOrderTable } from "~/segmentation/orders";
import { summarizeCustomers } from "~/segmentation/summary";
import { parseIsoDay, toDayNumber } from "~/segmentation/time";
import type { OrderInput } from "~/segmentation/types";
import { cdnowSummary, readFixture } from "./cdnowFixtures";

const order = (overrides: Partial<OrderInput> & { orderId: string }): OrderInput => ({
  customerId: "c1",
  processedAt: "2024-01-10",
  currency: "USD",
  totalMinor: 1000,
  ...overrides,
});

describe("summary of the raw CDNOW sample", () => {
  it("reproduces the lifetimes calibration summary (x, t_x, T, z̄) for all 2,357 customers", () => {
    const table = buildOrderTable(parseCdnow(readFixture("CDNOW_sample.txt")));
    const s = summarizeCustomers(table, { asOfDay: parseIsoDay("1997-09-30"), timeUnit: "week" });
    const expected = cdnowSummary();
    expect(s.count).toBe(expected.length);
    for (let i = 0; i < s.count; i++) {
      // Customers appear in file order, which is the CSV's ID order.
      expect(s.frequency[i]).toBe(expected[i].x);
      expect(Math.abs(s.recency[i] - expected[i].tx)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(s.age[i] - expected[i].T)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(s.meanRepeatValueMinor[i] / 100 - expected[i].zbar)).toBeLessThanOrEqual(
        0.005 + 1e-9,
      );
    }
    // Customer 1 (master id 00004): first purchase 1997-01-01, T = 272 days = 38.86 weeks.
    expect(s.age[0]).toBeCloseTo(272 / 7, 12);
  });
});

describe("counting rules", () => {
  it("cancelled, test and fully refunded orders do not count; partial refunds reduce value", () => {
    const table = buildOrderTable([
      order({ orderId: "1", totalMinor: 1000 }),
      order({ orderId: "2", totalMinor: 5000, cancelled: true, processedAt: "2024-01-12" }),
      order({ orderId: "3", totalMinor: 5000, test: true, processedAt: "2024-01-13" }),
      order({ orderId: "4", totalMinor: 3000, refundedMinor: 3000, processedAt: "2024-01-14" }),
      order({ orderId: "5", totalMinor: 3000, refundedMinor: 1000, processedAt: "2024-01-20" }),
    ]);
    const s = summarizeCustomers(table, { asOfDay: parseIsoDay("2024-01-31") });
    expect(s.orders[0]).toBe(2);
    expect(s.totalSpendMinor[0]).toBe(1000 + 2000);
    expect(s.frequency[0]).toBe(1);
    expect(s.recency[0]).toBe(10);
    expect(s.age[0]).toBe(21);
    expect(s.meanRepeatValueMinor[0]).toBe(2000);
    // Refund share counts the fully refunded order among the three placed.
    expect(s.refundShare[0]).toBeCloseTo(2 / 3, 12);
  });

  it("same-day orders are one purchase day, and their values add up", () => {
    const table = buildOrderTable([
      order({ orderId: "1", processedAt: "2024-01-01T09:00:00Z", totalMinor: 100 }),
      order({ orderId: "2", processedAt: "2024-01-05T09:00:00Z", totalMinor: 200 }),
      order({ orderId: "3", processedAt: "2024-01-05T18:00:00Z", totalMinor: 300 }),
    ]);
    const s = summarizeCustomers(table, { asOfDay: parseIsoDay("2024-01-10") });
    expect(s.orders[0]).toBe(3);
    expect(s.purchaseDays[0]).toBe(2);
    expect(s.frequency[0]).toBe(1);
    expect(s.meanRepeatValueMinor[0]).toBe(500);
  });

  it("assigns days on the shop's clock", () => {
    // 23:30 UTC on Jan 1 is already Jan 2 in UTC+1.
    expect(toDayNumber("2024-01-01T23:30:00Z", 60)).toBe(parseIsoDay("2024-01-02"));
    expect(toDayNumber("2024-01-02T00:30:00+01:00")).toBe(parseIsoDay("2024-01-01"));
    expect(toDayNumber(new Date("2024-01-01T23:30:00Z"))).toBe(parseIsoDay("2024-01-01"));
  });

  it("computes discounts, trend and price shift", () => {
    const table = buildOrderTable([
      order({
        orderId: "1",
        processedAt: "2024-01-01",
        totalMinor: 1000,
        discountMinor: 0,
        lineItems: [{ unitPriceMinor: 1000, quantity: 1 }],
      }),
      order({
        orderId: "2",
        processedAt: "2024-02-01",
        totalMinor: 2000,
        discountMinor: 500,
        lineItems: [{ unitPriceMinor: 1250, quantity: 2 }],
      }),
      order({
        orderId: "3",
        processedAt: "2024-03-01",
        totalMinor: 3000,
        discountMinor: 0,
        lineItems: [{ unitPriceMinor: 3000, quantity: 1 }],
      }),
    ]);
    const s = summarizeCustomers(table, { asOfDay: parseIsoDay("2024-03-31") });
    expect(s.discountShare[0]).toBeCloseTo(1 / 3, 12);
    expect(s.discountDepth[0]).toBeCloseTo(500 / 6500, 12);
    // Values 1000, 2000, 3000: slope 1000 per order over a mean of 2000.
    expect(s.valueTrend[0]).toBeCloseTo(0.5, 12);
    expect(s.priceShift[0]).toBeCloseTo(Math.log(3000 / 1125), 12);
    expect(s.meanGapDays[0]).toBeCloseTo(30, 12);
  });
});

describe("money stays integer until the model boundary", () => {
  it("sums of integer minor units are exact integers, from numbers and bigints alike", () => {
    const orders: OrderInput[] = [];
    let expected = 0;
    for (let i = 0; i < 500; i++) {
      const cents = (i * 7919) % 100_003;
      expected += cents;
      orders.push(
        order({
          orderId: String(i),
          totalMinor: i % 2 === 0 ? cents : BigInt(cents),
          processedAt: `2024-01-${String(1 + (i % 28)).padStart(2, "0")}`,
        }),
      );
    }
    const s = summarizeCustomers(buildOrderTable(orders), { asOfDay: parseIsoDay("2024-02-01") });
    expect(Number.isInteger(s.totalSpendMinor[0])).toBe(true);
    expect(s.totalSpendMinor[0]).toBe(expected);
  });
  it("parses decimal text without floating-point error", () => {
    expect(parseDecimalToMinor("0.29")).toBe(29);
    expect(parseDecimalToMinor("1,204.50")).toBe(120450);
    expect(parseDecimalToMinor("7", 0)).toBe(7);
    expect(parseDecimalToMinor("1.234", 3)).toBe(1234);
    expect(() => parseDecimalToMinor("1.234")).toThrow(/decimal places/);
    expect(() => parseDecimalToMinor("abc")).toThrow(SegmentationInputError);
  });
});

describe("bad input is refused with a clear error", () => {
  const build = (o: Partial<OrderInput>) => () => buildOrderTable([order({ orderId: "1", ...o })]);
  it.each([
    ["negative amount", { totalMinor: -5 }, /negative/],
    ["fractional minor units", { totalMinor: 10.5 }, /integer number of minor units/],
    ["NaN", { totalMinor: Number.NaN }, /integer number of minor units/],
    ["refund above total", { totalMinor: 100, refundedMinor: 200 }, /exceeds/],
    ["invalid date", { processedAt: "2024-02-30" }, /not a valid date/],
    ["garbage date", { processedAt: "yesterday" }, /not a valid date/],
    ["missing customer", { customerId: "" }, /no customerId/],
  ])("%s", (_, overrides, message) => {
    expect(build(overrides as Partial<OrderInput>)).toThrow(message);
    expect(build(overrides as Partial<OrderInput>)).toThrow(SegmentationInputError);
  });
  it("mixed currencies", () => {
    expect(() =>
      buildOrderTable([order({ orderId: "1" }), order({ orderId: "2", currency: "EUR" })]),
    ).toThrow(/MIXED|EUR/);
  });
  it("duplicate order ids", () => {
    expect(() => buildOrderTable([order({ orderId: "1" }), order({ orderId: "1" })])).toThrow(
      /twice/,
    );
  });
  it("as-of date before the first purchase", () => {
    const table = buildOrderTable([order({ orderId: "1", processedAt: "2024-01-10" })]);
    expect(() => summarizeCustomers(table, { asOfDay: parseIsoDay("2023-12-31") })).toThrow(
      /before the first purchase/,
    );
  });
});
