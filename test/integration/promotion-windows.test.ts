/**
 * A promotion's before/during/after windows, treated against holdout and new against existing
 * customers, on a hand-made shop whose every number is known; and the baseline rate that the
 * new-promotion page's detectable lift starts from.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { loadPromotionWindows, segmentBaselineRate } from "~/promotions/windows.server";

const domain = "promotion-windows.myshopify.com";
const day = 86_400_000;
const start = new Date("2026-10-01T00:00:00Z");
const end = new Date("2026-10-11T00:00:00Z");
const at = (days: number) => new Date(start.getTime() + days * day);

let shopId = 0;
let promotionId = 0;
let orderId = 1n;

async function order(customer: number, when: Date, totalMinor: number, extra: object = {}) {
  await prisma.order.create({
    data: {
      shopId,
      id: orderId,
      customerId: BigInt(customer),
      name: `#${orderId++}`,
      processedAt: when,
      shopifyCreatedAt: when,
      shopifyUpdatedAt: when,
      currency: "USD",
      totalMinor: BigInt(totalMinor),
      subtotalMinor: BigInt(totalMinor),
      ...extra,
    },
  });
}

describe("promotion windows", () => {
  beforeAll(async () => {
    await prisma.shop.deleteMany({ where: { domain } });
    const shop = await prisma.shop.create({ data: { domain } });
    shopId = shop.id;
    await prisma.customer.createMany({
      data: [1, 2, 3, 4, 5, 6].map((id) => ({
        shopId,
        id: BigInt(id),
        shopifyCreatedAt: at(-400),
        shopifyUpdatedAt: at(-400),
      })),
    });
    // Treated: 1 and 2 existing, 3 and 4 new. Holdout: 5 existing, 6 new.
    await order(1, at(-100), 5_000); // existing, outside every window
    await order(1, at(-10), 2_000); // before
    await order(1, at(3), 4_000); // during
    await order(1, at(5), 6_000); // during
    await order(2, at(-20), 3_000); // before
    await order(3, at(12), 10_000); // during (first order: still "new" — no order before start)
    await order(4, at(45), 1_000); // after: the window starts at max(end, start + 30 days) = day 30
    await order(5, at(-5), 7_000); // before
    await order(5, at(20), 7_000, { refundedMinor: 2_000n }); // during, partly refunded
    await order(6, at(25), 9_000, { cancelledAt: at(26) }); // cancelled: never counts
    await order(2, at(8), 4_000, { test: true }); // test: never counts
    const promotion = await prisma.promotion.create({
      data: {
        shopId,
        segmentKey: "rfm:LOYAL",
        playbook: "loyalty-reward",
        title: "Thanks",
        code: "THANKS",
        discountPercent: 10,
        startsAt: start,
        endsAt: end,
        holdoutShare: 0.33,
        assignments: {
          create: [1, 2, 3, 4, 5, 6].map((id) => ({
            shopId,
            customerId: BigInt(id),
            holdout: id >= 5,
          })),
        },
      },
    });
    promotionId = promotion.id;
    await prisma.segmentMembership.createMany({
      data: [1, 2, 3, 4].map((id) => ({ shopId, segmentKey: "rfm:LOYAL", customerId: BigInt(id) })),
    });
  });
  afterAll(async () => {
    await prisma.shop.deleteMany({ where: { domain } });
  });

  it("measures each window for each group and customer kind", async () => {
    const result = await loadPromotionWindows(shopId, promotionId, { now: at(50) });
    expect(result?.windowDays).toBe(30);
    const [before, during, after] = result!.windows;
    expect([before.name, during.name, after.name]).toEqual(["before", "during", "after"]);
    expect(before.from).toBe(at(-30).toISOString());
    expect(after.from).toBe(at(30).toISOString());
    expect(after.elapsedDays).toBe(20);

    expect(before.treated.existing).toMatchObject({ customers: 2, buyers: 2, orders: 2 });
    expect(before.treated.existing.revenueMinor).toBe(5_000);
    expect(before.treated.all.revenuePerCustomerMinor).toBe(5_000 / 4);
    expect(before.treated.new.orders).toBe(0);

    expect(during.treated.existing).toMatchObject({ buyers: 1, orders: 2, revenueMinor: 10_000 });
    expect(during.treated.existing.basketMinor).toBe(5_000);
    expect(during.treated.new).toMatchObject({ customers: 2, buyers: 1, orders: 1 });
    expect(during.treated.all.frequency).toBe(3 / 4);
    expect(during.treated.all.revenuePerCustomerMinor).toBe(20_000 / 4);
    expect(during.holdout.existing).toMatchObject({ customers: 1, orders: 1, revenueMinor: 5_000 });
    expect(during.holdout.new).toMatchObject({ customers: 1, orders: 0, revenueMinor: 0 });

    expect(after.treated.new).toMatchObject({ buyers: 1, orders: 1, revenueMinor: 1_000 });
    expect(after.holdout.all.orders).toBe(0);
  });

  it("follows the window length asked for", async () => {
    const result = await loadPromotionWindows(shopId, promotionId, { windowDays: 7, now: at(50) });
    const [before, during, after] = result!.windows;
    expect(before.treated.all.orders).toBe(0);
    expect(during.treated.all.orders).toBe(2);
    // The promotion ran 10 days: with 7-day windows "after" starts at its end.
    expect(after.from).toBe(end.toISOString());
  });

  it("gives the share of a segment ordering recently", async () => {
    const baseline = await segmentBaselineRate(shopId, "rfm:LOYAL", 30, at(50));
    // Customers 1–4; only 4 ordered in the 30 days up to day 50.
    expect(baseline).toEqual({ members: 4, buyers: 1, rate: 0.25 });
  });
});
