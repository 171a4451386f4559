import { describe, expect, it } from "vitest";
import { customerRecord, segmentShop } from "~/segmentation/engine";
import { buildOrderTable, orderTableAsOf, orderValueAsOf } from "~/segmentation/orders";
import { summarizeCustomers } from "~/segmentation/summary";
import { parseIsoDay } from "~/segmentation/time";
import type { OrderInput } from "~/segmentation/types";

const order = (o: Partial<OrderInput> & { orderId: string }): OrderInput => ({
  customerId: "c1",
  processedAt: "2024-01-10",
  currency: "USD",
  totalMinor: 10_000,
  ...o,
});

describe("a refund lowers the order's value from its own date", () => {
  const orders = [
    order({ orderId: "1", processedAt: "2024-01-10" }),
    order({
      orderId: "2",
      processedAt: "2024-02-10",
      totalMinor: 6_000,
      refunds: [
        { processedAt: "2024-02-20", amountMinor: 1_000 },
        { processedAt: "2024-03-20", amountMinor: 5_000 },
      ],
    }),
  ];

  it("orderValueAsOf sees only the refunds made by then", () => {
    expect(orderValueAsOf(orders[1], "2024-02-15")).toBe(6_000);
    expect(orderValueAsOf(orders[1], "2024-02-25")).toBe(5_000);
    expect(orderValueAsOf(orders[1], "2024-03-25")).toBe(0);
    expect(orderValueAsOf(orders[1], "2024-02-01")).toBe(0);
  });

  it("a summary as of an earlier day does not see refunds from its future", () => {
    const table = buildOrderTable(orders);
    // As of today (every refund): order 2 was refunded in full, one purchase left.
    const now = summarizeCustomers(table, { asOfDay: parseIsoDay("2024-04-01") });
    expect(now.orders[0]).toBe(1);
    expect(now.totalSpendMinor[0]).toBe(10_000);
    expect(table.fullyRefundedOrders[0]).toBe(1);
    // As of 2024-02-25 the full refund had not happened: two purchases, one partly refunded.
    const day = parseIsoDay("2024-02-25");
    const then = summarizeCustomers(orderTableAsOf(table, day), { asOfDay: day });
    expect(then.orders[0]).toBe(2);
    expect(then.totalSpendMinor[0]).toBe(15_000);
    expect(then.refundShare[0]).toBe(0.5);
    const before = parseIsoDay("2024-02-15");
    const earlier = summarizeCustomers(orderTableAsOf(table, before), { asOfDay: before });
    expect(earlier.totalSpendMinor[0]).toBe(16_000);
    expect(earlier.refundShare[0]).toBe(0);
  });

  it("the engine scored as of a past date uses the value as of that date", () => {
    const then = customerRecord(segmentShop(orders, { asOf: "2024-02-25" }).columns, 0);
    expect(then.totalSpend).toBe(150);
    expect(then.orders).toBe(2);
    const now = customerRecord(segmentShop(orders, { asOf: "2024-04-01" }).columns, 0);
    expect(now.totalSpend).toBe(100);
    expect(now.orders).toBe(1);
  });

  it("an undated refund counts from the order's own day", () => {
    const table = buildOrderTable([order({ orderId: "1", refundedMinor: 2_500 })]);
    expect(table.valueMinor[0]).toBe(7_500);
    expect(orderTableAsOf(table, parseIsoDay("2024-01-10")).valueMinor[0]).toBe(7_500);
  });

  it("refunds above the order's value are refused", () => {
    expect(() =>
      buildOrderTable([
        order({ orderId: "1", refunds: [{ processedAt: "2024-02-01", amountMinor: 10_001 }] }),
      ]),
    ).toThrow(/exceed/);
  });
});

describe("an order with no merchandise value is not a purchase", () => {
  const orders = [
    order({ orderId: "1", processedAt: "2024-01-10" }),
    order({ orderId: "2", processedAt: "2024-02-10", totalMinor: 0 }),
  ];

  it("stays in the history, counted apart, and does not make a repeat buyer", () => {
    const table = buildOrderTable(orders);
    expect(table.day).toHaveLength(1);
    expect(table.zeroValueOrders[0]).toBe(1);
    const s = summarizeCustomers(table, { asOfDay: parseIsoDay("2024-03-01") });
    expect(s.orders[0]).toBe(1);
    expect(s.frequency[0]).toBe(0);
    expect(s.lastDay[0]).toBe(parseIsoDay("2024-01-10"));
    expect(orderValueAsOf(orders[1], "2024-03-01")).toBe(0);
  });

  it("unless the data set says its $0 transactions are purchases (CDNOW)", () => {
    const table = buildOrderTable([orders[0], { ...orders[1], zeroValuePurchase: true }]);
    expect(table.day).toHaveLength(2);
    expect(table.zeroValueOrders[0]).toBe(0);
  });
});
