import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { loadShopifyAgreement } from "~/admin/shopify-agreement.server";

const shopA = "agreement-a.myshopify.com";
const shopB = "agreement-b.myshopify.com";

/** [Propel's group or null (not scored), Shopify's group or null (not read)] per customer. */
const seedA: [string | null, string | null][] = [
  ["CHAMPIONS", "CHAMPIONS"],
  ["CHAMPIONS", "CHAMPIONS"],
  ["CHAMPIONS", "LOYAL"],
  ["LOYAL", "LOYAL"],
  ["AT_RISK", "ALMOST_LOST"],
  ["AT_RISK", "AT_RISK"],
  ["PROSPECTS", "PROSPECTS"],
  ["NEW", null],
  [null, "DORMANT"],
];

async function seed(domain: string, rows: [string | null, string | null][]) {
  const shop = await prisma.shop.create({ data: { domain } });
  await prisma.customer.createMany({
    data: rows.map(([, shopify], i) => ({
      shopId: shop.id,
      id: BigInt(i + 1),
      shopifyCreatedAt: new Date("2025-01-01T00:00:00Z"),
      shopifyUpdatedAt: new Date("2025-01-01T00:00:00Z"),
      shopifyRfmGroup: shopify,
      shopifyPredictedSpendTier: shopify ? "MEDIUM" : null,
    })),
  });
  await prisma.segmentMembership.createMany({
    data: rows.flatMap(([propel], i) => [
      // Memberships of other families do not enter the table.
      { shopId: shop.id, segmentKey: "churn:LOW", customerId: BigInt(i + 1) },
      ...(propel
        ? [{ shopId: shop.id, segmentKey: `rfm:${propel}`, customerId: BigInt(i + 1) }]
        : []),
    ]),
  });
  return shop.id;
}

describe("Propel's RFM groups against Shopify's", () => {
  let a: number;
  let b: number;

  beforeAll(async () => {
    a = await seed(shopA, seedA);
    // Another shop whose customers all agree: none of them may be counted for shop A.
    b = await seed(
      shopB,
      Array.from({ length: 20 }, () => ["LOYAL", "LOYAL"] as [string, string]),
    );
    // A deleted customer of shop A is left out, as it is from segments.
    await prisma.customer.create({
      data: {
        shopId: a,
        id: 100n,
        shopifyCreatedAt: new Date("2025-01-01T00:00:00Z"),
        shopifyUpdatedAt: new Date("2025-01-01T00:00:00Z"),
        shopifyRfmGroup: "CHAMPIONS",
        deletedAt: new Date(),
      },
    });
    await prisma.syncRun.create({
      data: {
        shopId: a,
        kind: "BACKFILL",
        status: "SUCCEEDED",
        finishedAt: new Date("2026-12-01T03:00:00Z"),
      },
    });
  });
  afterAll(async () => {
    await prisma.shop.deleteMany({ where: { id: { in: [a, b] } } });
  });

  it("counts each pair of groups, and the share agreeing among customers both have placed", async () => {
    const agreement = await loadShopifyAgreement(a);
    expect(agreement.counts).toEqual({
      CHAMPIONS: { CHAMPIONS: 2, LOYAL: 1 },
      LOYAL: { LOYAL: 1 },
      NEW: { "": 1 },
      AT_RISK: { ALMOST_LOST: 1, AT_RISK: 1 },
      PROSPECTS: { PROSPECTS: 1 },
      "": { DORMANT: 1 },
    });
    // Seven customers have both groups; five of them the same one.
    expect(agreement.compared).toBe(7);
    expect(agreement.agreeing).toBe(5);
    expect(agreement.notRead).toBe(1);
    // Rows and columns follow the grid's order of names, the unknown side last.
    expect(agreement.propelGroups).toEqual([
      "CHAMPIONS",
      "LOYAL",
      "NEW",
      "AT_RISK",
      "PROSPECTS",
      null,
    ]);
    expect(agreement.shopifyGroups).toEqual([
      "CHAMPIONS",
      "LOYAL",
      "AT_RISK",
      "ALMOST_LOST",
      "DORMANT",
      "PROSPECTS",
      null,
    ]);
    expect(agreement.lastReadAt).toBe("2026-12-01T03:00:00.000Z");
  });

  it("counts only the shop's own customers", async () => {
    const other = await loadShopifyAgreement(b);
    expect(other).toMatchObject({ compared: 20, agreeing: 20, notRead: 0, lastReadAt: null });
    expect(other.counts).toEqual({ LOYAL: { LOYAL: 20 } });
  });
});
