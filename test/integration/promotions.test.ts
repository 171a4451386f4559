import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { createPromotion } from "~/promotions/create.server";
import { DISCOUNT_CODE_BASIC_CREATE } from "~/promotions/documents";
import type { PromotionInput } from "~/promotions/form";
import { listPromotions, loadPromotionResults } from "~/promotions/results.server";
import { loadSegmentSuggestions } from "~/promotions/suggestions.server";
import { loader as appLoader } from "~/routes/app";
import { shopGraphql } from "~/shopify/admin-graphql.server";
import { eventually, startStoreHarness } from "../support/store-harness";
import { BROWSER } from "../support/session-token";

const domain = "promotions-it.myshopify.com";

let harness: Awaited<ReturnType<typeof startStoreHarness>>;
let shop: { id: number; domain: string };

interface SimDiscount {
  code: string;
  percent: number;
  appliesOncePerCustomer: boolean;
  endsAt: number | null;
}

const input = (overrides: Partial<PromotionInput> = {}): PromotionInput => ({
  segmentKey: "rfm:CHAMPIONS",
  playbook: "loyalty_reward",
  title: "Thank-you reward — Champions",
  code: "THANKS-CHAMPIONS",
  discountPercent: 10,
  holdoutShare: 0.3,
  endsAt: new Date(Date.now() + 30 * 86_400_000),
  oncePerCustomer: true,
  ...overrides,
});

async function syncedOrders(code: string) {
  return prisma.order.count({ where: { shopId: shop.id, discountCodes: { has: code } } });
}

describe("promotions against the store simulator", () => {
  beforeAll(async () => {
    harness = await startStoreHarness(domain, 300);
    const request = new Request(await harness.frameUrl(), { headers: { "User-Agent": BROWSER } });
    await appLoader({ request, params: {}, context: {} });
    shop = await eventually(
      async () =>
        (await prisma.shop.findFirst({
          where: { domain, lastRecomputeAt: { not: null } },
          select: { id: true, domain: true },
        })) ?? undefined,
      "the backfill and the first recompute",
      120_000,
    );
  }, 180_000);
  afterAll(async () => {
    await harness?.close();
  });

  it("bounds the suggested discount by the segment's CLV", async () => {
    const champions = await loadSegmentSuggestions(shop.id, "USD", "rfm:CHAMPIONS");
    expect(champions?.stats.customers).toBeGreaterThan(0);
    for (const s of champions!.suggestions)
      if (s.discountPercent !== null && champions!.ceilingPercent !== null)
        expect(s.discountPercent).toBeLessThanOrEqual(champions!.ceilingPercent);
  });

  it("creates the discount for the treated customers and keeps the holdout out", async () => {
    const created = await createPromotion(shop, input());
    expect(created.ok).toBe(true);
    if (!created.ok) return;

    const promotion = await prisma.promotion.findUniqueOrThrow({
      where: { id: created.promotionId },
      include: { assignments: true },
    });
    const members = await prisma.segmentMembership.count({
      where: { shopId: shop.id, segmentKey: "rfm:CHAMPIONS" },
    });
    expect(promotion.assignments).toHaveLength(members);
    expect(promotion.holdoutCount).toBe(Math.round(0.3 * members));
    expect(promotion.targetCount).toBe(members - promotion.holdoutCount);
    expect(promotion.assignments.filter((a) => a.holdout)).toHaveLength(promotion.holdoutCount);
    expect(promotion.discountId).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/);

    const discounts = (await harness.control(
      `/shops/${domain}/discounts`,
    )) as unknown as SimDiscount[];
    const discount = discounts.find((d) => d.code === "THANKS-CHAMPIONS");
    expect(discount).toMatchObject({ percent: 10, appliesOncePerCustomer: true });
    expect(discount?.endsAt).toBe(promotion.endsAt?.getTime());
  });

  it("refuses a code already used, before and by the store", async () => {
    const again = await createPromotion(shop, input());
    expect(again).toEqual({
      ok: false,
      errors: { code: "Another promotion already uses this code" },
    });
    // A code that exists in the store but not in Propel: the store's own message is shown.
    await shopGraphql(domain, DISCOUNT_CODE_BASIC_CREATE, {
      basicCodeDiscount: {
        title: "Made by hand",
        code: "MANUAL-CODE",
        startsAt: new Date().toISOString(),
        customerGets: { value: { percentage: 0.05 }, items: { all: true } },
        context: { all: "ALL" },
      },
    });
    const taken = await createPromotion(shop, input({ code: "MANUAL-CODE" }));
    expect(taken).toEqual({
      ok: false,
      errors: { code: "Code must be unique. Please try a different code." },
    });
    expect(await prisma.promotion.count({ where: { shopId: shop.id, code: "MANUAL-CODE" } })).toBe(
      0,
    );
  });

  it("refuses an empty segment", async () => {
    const result = await createPromotion(
      shop,
      input({ segmentKey: "custom:nobody", code: "NOBODY" }),
    );
    expect(result).toEqual({
      ok: false,
      errors: { segmentKey: "This segment has no customers right now" },
    });
  });

  it("aims a large group without a holdout at the Shopify segment on its tag", async () => {
    const withHoldout = await createPromotion(shop, input({ code: "BIG-HOLDOUT" }), new Date(), 5);
    expect(withHoldout.ok).toBe(false);
    if (!withHoldout.ok) expect(withHoldout.errors.holdoutPercent).toMatch(/at most 5 customers/);

    const untagged = await createPromotion(
      shop,
      input({ segmentKey: "fxv:INFREQUENT_LOW_SPEND", code: "BIG-FXV", holdoutShare: 0 }),
      new Date(),
      5,
    );
    expect(untagged.ok).toBe(false);
    if (!untagged.ok) expect(untagged.errors.segmentKey).toMatch(/turn on tagging/);

    const created = await createPromotion(
      shop,
      input({ segmentKey: "rfm:LOYAL", code: "BIG-LOYAL", holdoutShare: 0 }),
      new Date(),
      5,
    );
    expect(created.ok).toBe(true);
    const segment = await prisma.shopifySegment.findUniqueOrThrow({
      where: { shopId_segmentKey: { shopId: shop.id, segmentKey: "rfm:LOYAL" } },
    });
    expect(segment.query).toBe("customer_tags CONTAINS 'propel:loyal'");
    const discounts = (await harness.control(`/shops/${domain}/discounts`)) as unknown as {
      code: string;
      customerSegmentIds: string[];
    }[];
    expect(discounts.find((d) => d.code === "BIG-LOYAL")?.customerSegmentIds).toEqual([
      segment.shopifyId,
    ]);
  });

  it("measures redemptions, revenue and lift from the orders that follow", async () => {
    const promotion = await prisma.promotion.findFirstOrThrow({
      where: { shopId: shop.id, code: "THANKS-CHAMPIONS" },
      include: { assignments: { orderBy: { customerId: "asc" } } },
    });
    const treated = promotion.assignments.filter((a) => !a.holdout);
    const held = promotion.assignments.filter((a) => a.holdout);
    // Two treated customers order with the code, one holdout customer orders without it.
    for (const a of treated.slice(0, 2))
      await harness.control(`/shops/${domain}/orders`, {
        customerId: String(a.customerId),
        discountCode: "THANKS-CHAMPIONS",
        value: 80,
      });
    await harness.control(`/shops/${domain}/orders`, {
      customerId: String(held[0].customerId),
      value: 50,
    });
    await eventually(
      async () => ((await syncedOrders("THANKS-CHAMPIONS")) === 2 ? true : undefined),
      "the redeeming orders to sync",
      90_000,
    );
    await eventually(
      async () =>
        (await prisma.order.count({
          where: {
            shopId: shop.id,
            customerId: held[0].customerId,
            // Order times have whole seconds.
            processedAt: { gte: new Date(Math.floor(promotion.startsAt.getTime() / 1000) * 1000) },
          },
        })) === 1
          ? true
          : undefined,
      "the holdout order to sync",
      90_000,
    );

    const results = await loadPromotionResults(shop.id, promotion.id);
    expect(results).not.toBeNull();
    const redeemed = await prisma.order.findMany({
      where: { shopId: shop.id, discountCodes: { has: "THANKS-CHAMPIONS" } },
    });
    expect(results!.redemptions).toBe(2);
    expect(results!.redeemingCustomers).toBe(2);
    expect(results!.redemptionRevenueMinor).toBe(
      redeemed.reduce((sum, o) => sum + Number(o.totalMinor - o.refundedMinor), 0),
    );
    expect(results!.treatment).toMatchObject({ customers: treated.length, converted: 2 });
    expect(results!.holdout).toMatchObject({ customers: held.length, converted: 1 });
    expect(results!.lift?.difference).toBeCloseTo(2 / treated.length - 1 / held.length, 10);
    expect(results!.lift!.interval.low).toBeLessThan(results!.lift!.difference);

    const listed = await listPromotions(shop.id);
    expect(listed.find((p) => p.code === "THANKS-CHAMPIONS")).toMatchObject({
      redemptions: 2,
      createdInStore: true,
    });
  }, 200_000);

  it("never shows one shop's promotion to another", async () => {
    const other = await prisma.shop.create({ data: { domain: "promotions-other.myshopify.com" } });
    const promotion = await prisma.promotion.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(await loadPromotionResults(other.id, promotion.id)).toBeNull();
    expect(await listPromotions(other.id)).toEqual([]);
    await prisma.shop.delete({ where: { id: other.id } });
  });
});
