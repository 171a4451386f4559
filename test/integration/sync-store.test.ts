import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma, { pool } from "~/db.server";
import type { CustomerRow, OrderRow } from "~/sync/mapping";
import { upsertCustomers, upsertOrders } from "~/sync/store.server";

let shopId: number;

function order(overrides: Partial<OrderRow> = {}): OrderRow {
  return {
    id: 9007199254740993n, // beyond Number.MAX_SAFE_INTEGER: ids must stay exact
    customerId: 42n,
    name: "#1001",
    processedAt: new Date("2026-03-01T10:00:00Z"),
    shopifyCreatedAt: new Date("2026-03-01T10:00:00Z"),
    shopifyUpdatedAt: new Date("2026-03-01T10:00:00Z"),
    cancelledAt: null,
    test: false,
    financialStatus: "PAID",
    currency: "USD",
    totalMinor: 40495n,
    subtotalMinor: 40495n,
    discountMinor: 2000n,
    refundedMinor: 0n,
    merchandiseMinor: 38495n,
    shippingMinor: 0n,
    taxMinor: 0n,
    refundedMerchandiseMinor: 0n,
    refunds: [],
    discountCodes: ["WELCOME10"],
    sourceName: "web",
    lineItems: [
      {
        id: 1n,
        productId: 7n,
        variantId: 8n,
        title: "Aviator sunglasses",
        productType: "Sunglasses",
        vendor: "Acme",
        quantity: 2,
        unitPriceMinor: 8999n,
        discountMinor: 0n,
      },
    ],
    ...overrides,
  };
}

/** Ada as read from Shopify, with Shopify's statistics of that read. */
function ada(rfmGroup: string, updatedAt: string, spendTier: string): CustomerRow {
  return {
    id: 42n,
    email: "ada@example.com",
    firstName: "Ada",
    lastName: "Lovelace",
    tags: ["vip", "newsletter"],
    emailMarketingState: "SUBSCRIBED",
    shopifyCreatedAt: new Date("2025-01-01T00:00:00Z"),
    shopifyUpdatedAt: new Date(updatedAt),
    shopifyRfmGroup: rfmGroup,
    shopifyPredictedSpendTier: spendTier,
  };
}

describe("storing synced orders and customers", () => {
  beforeAll(async () => {
    shopId = (await prisma.shop.create({ data: { domain: "sync-store.myshopify.com" } })).id;
  });
  afterAll(async () => {
    await prisma.shop.delete({ where: { id: shopId } });
  });

  it("stores an order with its line items, exact ids and a placeholder customer", async () => {
    expect(await upsertOrders(pool, shopId, [order()])).toBe(1);
    const stored = await prisma.order.findUniqueOrThrow({
      where: { shopId_id: { shopId, id: 9007199254740993n } },
      include: { lineItems: true, customer: true },
    });
    expect(stored.totalMinor).toBe(40495n);
    expect(stored.discountCodes).toEqual(["WELCOME10"]);
    expect(stored.processedAt.toISOString()).toBe("2026-03-01T10:00:00.000Z");
    expect(stored.lineItems).toMatchObject([{ productType: "Sunglasses", quantity: 2 }]);
    expect(stored.customer?.id).toBe(42n);
  });

  it("never lets an older version overwrite a newer one, and a repeat changes nothing", async () => {
    const newer = order({
      refundedMinor: 1000n,
      shopifyUpdatedAt: new Date("2026-03-02T00:00:00Z"),
      lineItems: [],
    });
    expect(await upsertOrders(pool, shopId, [newer])).toBe(1);
    expect(await upsertOrders(pool, shopId, [order()])).toBe(0);
    const stored = await prisma.order.findUniqueOrThrow({
      where: { shopId_id: { shopId, id: 9007199254740993n } },
      include: { lineItems: true },
    });
    expect(stored.refundedMinor).toBe(1000n);
    expect(stored.lineItems).toEqual([]);
  });

  it("fills in a placeholder customer when the customer arrives", async () => {
    await upsertCustomers(pool, shopId, [ada("LOYAL", "2026-01-01T00:00:00Z", "HIGH")]);
    const customer = await prisma.customer.findUniqueOrThrow({
      where: { shopId_id: { shopId, id: 42n } },
    });
    expect(customer).toMatchObject({
      email: "ada@example.com",
      tags: ["vip", "newsletter"],
      shopifyRfmGroup: "LOYAL",
      shopifyPredictedSpendTier: "HIGH",
    });
  });

  it("keeps Shopify's statistics as last read, without marking the customer changed", async () => {
    const stored = () =>
      prisma.customer.findUniqueOrThrow({ where: { shopId_id: { shopId, id: 42n } } });
    const before = await stored();
    // Shopify's daily run moved the group; the customer is read again (same updatedAt).
    await upsertCustomers(pool, shopId, [ada("AT_RISK", "2026-01-01T00:00:00Z", "MEDIUM")]);
    const moved = await stored();
    expect(moved).toMatchObject({
      shopifyRfmGroup: "AT_RISK",
      shopifyPredictedSpendTier: "MEDIUM",
    });
    expect(moved.syncedAt).toEqual(before.syncedAt);
    // An older read does not bring back an older group.
    await upsertCustomers(pool, shopId, [ada("CHAMPIONS", "2025-06-01T00:00:00Z", "HIGH")]);
    expect((await stored()).shopifyRfmGroup).toBe("AT_RISK");
  });

  it("marks a customer changed for the recompute unless only Propel's own tags moved", async () => {
    const version = (tags: string[], at: string, marketing = "SUBSCRIBED") => ({
      id: 42n,
      email: "ada@example.com",
      firstName: "Ada",
      lastName: "Lovelace",
      tags,
      emailMarketingState: marketing,
      shopifyCreatedAt: new Date("2025-01-01T00:00:00Z"),
      shopifyUpdatedAt: new Date(at),
    });
    const syncedAt = async () =>
      (await prisma.customer.findUniqueOrThrow({ where: { shopId_id: { shopId, id: 42n } } }))
        .syncedAt;
    const before = await syncedAt();
    // Propel's push coming back in a customers/update webhook.
    await upsertCustomers(pool, shopId, [
      version(["vip", "newsletter", "propel:champions"], "2026-02-01T00:00:00Z"),
    ]);
    expect(await syncedAt()).toEqual(before);
    // The merchant's own tag, or a change of consent, is a change to segment on.
    await upsertCustomers(pool, shopId, [
      version(["vip", "newsletter", "propel:champions", "wholesale"], "2026-02-02T00:00:00Z"),
    ]);
    const afterTag = await syncedAt();
    expect(afterTag.getTime()).toBeGreaterThan(before.getTime());
    await upsertCustomers(pool, shopId, [
      version(
        ["vip", "newsletter", "propel:champions", "wholesale"],
        "2026-02-03T00:00:00Z",
        "UNSUBSCRIBED",
      ),
    ]);
    expect((await syncedAt()).getTime()).toBeGreaterThan(afterTag.getTime());
  });
});
