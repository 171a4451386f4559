/**
 * The segment builder's SQL preview selects exactly the customers the engine puts in a custom
 * segment: a shop is seeded, recomputed with custom rules (evaluated by the engine), and each
 * rule's SQL condition is run over the stored metrics and compared with the memberships.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previewRule } from "~/admin/custom-segments.server";
import prisma from "~/db.server";
import { recomputeShop } from "~/segments/recompute.server";
import { ruleToSql } from "~/segments/rule-sql";
import { seedShop } from "../support/seed-orders";

const domain = "rule-sql.myshopify.com";
const now = new Date("2026-11-30T12:00:00Z");

const RULES = [
  [
    "churnRisk = HIGH AND clv12m > 20",
    "orders >= 3",
    'rfmGroup IN (CHAMPIONS, loyal) OR tags CONTAINS "VIP"',
    'NOT tags CONTAINS "vip" AND totalSpend > 150',
    "aov > 42.5 AND daysSinceLast < 120",
    "emailConsent = TRUE",
    "emailConsent != TRUE",
    "pAlive < 0.5 OR pAlive IS NULL",
    "discountShare >= 0.5",
    "discountDepth > 0.1",
    'leadingProductType CONTAINS "shoe"',
    'leadingVendor = "ACME"',
    "NOT (frequency > 2)",
    "valueType NOT IN (VOLUME)",
    "fxvCell = FREQUENT_HIGH_SPEND OR spendTier = HIGH",
    "rfmR >= 4 AND rfmF <= 2",
    "priceTier = 5",
    "propensity > 0.3",
    "expectedPurchases > 1",
    "refundShare > 0",
  ],
  [
    "valueTrend > 0",
    "recency > 100 AND age < 400",
    "metafield.loyalty.tier IS NULL",
    'metafield.loyalty.tier = "gold"',
    "orders = 0",
    "totalSpend IS NULL OR NOT (totalSpend <= 80)",
    "churnRisk IS NULL",
    "expectedSpend > 35 AND NOT spendTier IN (LOW)",
    "daysSinceLast IS NOT NULL AND rfmM != 3",
    "rfmGroup = PROSPECTS",
  ],
];

async function recomputeWith(shopId: number, rules: string[]) {
  await prisma.shop.update({
    where: { id: shopId },
    data: {
      segmentSettings: { customRules: rules.map((rule, i) => ({ name: `rule-${i}`, rule })) },
    },
  });
  const outcome = await recomputeShop(prisma, domain, { full: true, now });
  expect(outcome.kind).toBe("full");
}

async function sqlMembers(shopId: number, rule: string): Promise<string[]> {
  const { condition, params } = ruleToSql(rule, { currency: "USD", firstParam: 2 });
  const rows = await prisma.$queryRawUnsafe<{ id: bigint }[]>(
    `SELECT cm."customerId" AS id FROM "CustomerMetrics" cm
       JOIN "Customer" c ON c."shopId" = cm."shopId" AND c."id" = cm."customerId"
      WHERE cm."shopId" = $1 AND ${condition} ORDER BY 1`,
    shopId,
    ...params,
  );
  return rows.map((r) => r.id.toString());
}

async function engineMembers(shopId: number, name: string): Promise<string[]> {
  const rows = await prisma.segmentMembership.findMany({
    where: { shopId, segmentKey: `custom:${name}` },
    orderBy: { customerId: "asc" },
    select: { customerId: true },
  });
  return rows.map((r) => r.customerId.toString());
}

describe("custom rules compiled to SQL", () => {
  let shopId: number;
  beforeAll(async () => {
    shopId = await seedShop(domain, { customers: 360, now });
  });
  afterAll(async () => {
    await prisma.shop.deleteMany({ where: { domain } });
  });

  for (const [batch, rules] of RULES.entries()) {
    it(`selects the engine's members for every rule (batch ${batch + 1})`, async () => {
      await recomputeWith(shopId, rules);
      let nonEmpty = 0;
      for (const [i, rule] of rules.entries()) {
        const engine = await engineMembers(shopId, `rule-${i}`);
        const sql = await sqlMembers(shopId, rule);
        expect({ rule, members: sql }).toEqual({ rule, members: engine });
        if (engine.length > 0) nonEmpty++;
      }
      // The comparison means something only if most rules select someone.
      expect(nonEmpty).toBeGreaterThan(rules.length / 2);
    });
  }

  it("previews a count and a sample, and reports an error with its position", async () => {
    const shop = { id: shopId, domain, currencyCode: "USD" };
    const preview = await previewRule(shop, "orders >= 3");
    if (!preview.ok) throw new Error(preview.error.message);
    expect(preview.customers).toBe((await sqlMembers(shopId, "orders >= 3")).length);
    // Deleted customers (every 97th) are not counted.
    expect(preview.totalCustomers).toBe(360 - 3);
    expect(preview.sample.length).toBe(Math.min(10, preview.customers));
    expect(preview.sample.every((c) => c.orders >= 3)).toBe(true);

    const invalid = await previewRule(shop, "orders >= 3 AND churnRisk = VERY_HIGH");
    expect(invalid.ok).toBe(false);
    if (!invalid.ok) {
      expect(invalid.error.column).toBe(29);
      expect(invalid.error.detail).toMatch(/VERY_HIGH is not a value of churnRisk/);
    }
  });
});
