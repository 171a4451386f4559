/**
 * The cohort report computed in SQL agrees with the engine's own cohort retention
 * (app/segmentation/loyalty.ts over the orders as the recompute loads them), and its splits
 * partition the customers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRetention, retentionTallies } from "~/admin/retention.server";
import prisma from "~/db.server";
import { loadCustomers, loadOrders } from "~/segments/load.server";
import { recomputeShop } from "~/segments/recompute.server";
import { refreshRetentionTallies } from "~/segments/retention-tallies.server";
import { toDayNumber } from "~/segmentation";
import { loyaltyMetrics } from "~/segmentation/loyalty";
import { buildOrderTable } from "~/segmentation/orders";
import { loader as csvLoader } from "~/routes/app.retention[.csv]";
import { seedShop } from "../support/seed-orders";
import { BROWSER, sessionToken } from "../support/session-token";

const domain = "retention.myshopify.com";
const now = new Date("2026-11-30T12:00:00Z");

describe("cohort retention in SQL", () => {
  let shopId: number;
  beforeAll(async () => {
    shopId = await seedShop(domain, { customers: 500, now, seed: 11 });
    expect(await refreshRetentionTallies(prisma, shopId)).toMatchObject({ kind: "all" });
  });
  afterAll(async () => {
    await prisma.shop.deleteMany({ where: { domain } });
  });

  it("matches the engine's cohorts, retention and revenue", async () => {
    const report = await loadRetention({ id: shopId }, { split: "none", asOf: now });
    const customers = await loadCustomers(prisma, shopId, null);
    const orders = await loadOrders(prisma, shopId, null);
    const table = buildOrderTable(orders, { customers });
    const engine = loyaltyMetrics(table, toDayNumber(now));

    expect(report.currentMonth).toBe("2026-11");
    const all = report.all!;
    expect(all.customers).toBe(engine.customersWithOrders);
    expect(all.cohorts.map((c) => c.cohort)).toEqual(engine.cohorts.map((c) => c.cohort));
    for (const [i, cohort] of all.cohorts.entries()) {
      expect(cohort.customers).toBe(engine.cohorts[i].customers);
      expect(cohort.retained.length).toBe(engine.cohorts[i].retained.length);
      cohort.retained.forEach((share, k) =>
        expect(share).toBeCloseTo(engine.cohorts[i].retained[k], 12),
      );
    }
    // Net revenue: the last cumulative value of each cohort times its size adds up to the
    // counted orders' value.
    const revenue = all.cohorts.reduce(
      (sum, c) =>
        sum + c.revenuePerCustomerMinor[c.revenuePerCustomerMinor.length - 1] * c.customers,
      0,
    );
    const engineRevenue = Array.from(table.valueMinor).reduce((a, b) => a + b, 0);
    expect(revenue).toBeCloseTo(engineRevenue, 3);
    expect(all.curve[0].retained).toBe(1);
    expect(all.curve.length).toBeGreaterThan(12);
  });

  it("splits by first-order discount and by segment into parts that add up", async () => {
    const byDiscount = await loadRetention({ id: shopId }, { split: "discount", asOf: now });
    expect(byDiscount.groups.map((g) => g.group).sort()).toEqual(["discount", "full-price"]);
    expect(byDiscount.groups.reduce((sum, g) => sum + g.customers, 0)).toBe(
      byDiscount.all!.customers,
    );
    expect(byDiscount.groups.every((g) => g.customers > 20)).toBe(true);

    await recomputeShop(prisma, domain, { full: true, now });
    const byRfm = await loadRetention({ id: shopId }, { split: "rfm", asOf: now });
    expect(byRfm.groups.length).toBeGreaterThan(3);
    expect(byRfm.groups.every((g) => g.group.startsWith("rfm:"))).toBe(true);
    expect(byRfm.groups.reduce((sum, g) => sum + g.customers, 0)).toBe(byRfm.all!.customers);

    const champions = byRfm.groups.find((g) => g.group === "rfm:CHAMPIONS")!;
    const only = await loadRetention(
      { id: shopId },
      { split: "none", segment: "rfm:CHAMPIONS", asOf: now },
    );
    expect(only.all!.customers).toBe(champions.customers);
    expect(only.all!.cohorts).toEqual(champions.cohorts);
  });

  it("puts each order in the shop's own calendar month, daylight saving included", async () => {
    const zoned = "retention-new-york.myshopify.com";
    const shop = await prisma.shop.create({
      data: { domain: zoned, currencyCode: "USD", ianaTimezone: "America/New_York" },
    });
    try {
      // Each customer orders a second before and at local midnight on the 1st: in winter
      // (EST, UTC−5) and in summer (EDT, UTC−4).
      const spans = [
        ["2026-03-01T04:59:59Z", "2026-03-01T05:00:00Z"],
        ["2026-07-01T03:59:59Z", "2026-07-01T04:00:00Z"],
      ];
      for (const [c, instants] of spans.entries()) {
        const at = new Date(instants[0]);
        await prisma.customer.create({
          data: { shopId: shop.id, id: BigInt(c + 1), shopifyCreatedAt: at, shopifyUpdatedAt: at },
        });
        for (const [k, instant] of instants.entries()) {
          const processedAt = new Date(instant);
          await prisma.order.create({
            data: {
              shopId: shop.id,
              id: BigInt(10 * (c + 1) + k),
              customerId: BigInt(c + 1),
              name: `#${c}${k}`,
              processedAt,
              shopifyCreatedAt: processedAt,
              shopifyUpdatedAt: processedAt,
              currency: "USD",
              totalMinor: 1000n,
              subtotalMinor: 1000n,
            },
          });
        }
      }
      await refreshRetentionTallies(prisma, shop.id);
      const tallies = await retentionTallies(shop, { split: "none" });
      expect(
        tallies.map((t) => [t.cohort, t.offset, t.active]).sort((a, b) => (a < b ? -1 : 1)),
      ).toEqual([
        ["2026-02", 0, 1],
        ["2026-02", 1, 1],
        ["2026-06", 0, 1],
        ["2026-06", 1, 1],
      ]);
    } finally {
      await prisma.shop.delete({ where: { id: shop.id } });
    }
  });

  it("keeps the tallies of changed customers equal to a rebuild", async () => {
    const rows = () =>
      prisma.customerMonth.findMany({
        where: { shopId },
        orderBy: [{ customerId: "asc" }, { month: "asc" }],
      });
    // Rows synced long before the last refresh, so only what this test touches is changed.
    for (const table of ["Customer", "Order"])
      await prisma.$executeRawUnsafe(
        `UPDATE "${table}" SET "syncedAt" = now() - interval '1 hour' WHERE "shopId" = $1`,
        shopId,
      );
    const before = await rows();
    const owners = [...new Set(before.map((row) => row.customerId))];
    const [extended, cancelled, deleted] = owners;
    // A new order a year after the last, a cancelled order, a customer deleted in the store.
    const last = await prisma.order.findFirstOrThrow({
      where: { shopId, customerId: extended },
      orderBy: { processedAt: "desc" },
    });
    const later = new Date(last.processedAt.getTime() + 365 * 86_400_000);
    await prisma.order.create({
      data: {
        shopId,
        id: 9_000_000_001n,
        customerId: extended,
        name: "#later",
        processedAt: later,
        shopifyCreatedAt: later,
        shopifyUpdatedAt: later,
        currency: "USD",
        totalMinor: 4200n,
        subtotalMinor: 4200n,
      },
    });
    const first = await prisma.order.findFirstOrThrow({
      where: { shopId, customerId: cancelled },
      orderBy: { processedAt: "asc" },
    });
    await prisma.order.update({
      where: { shopId_id: { shopId, id: first.id } },
      data: { cancelledAt: new Date(), syncedAt: new Date() },
    });
    await prisma.customer.update({
      where: { shopId_id: { shopId, id: deleted } },
      data: { deletedAt: new Date(), syncedAt: new Date() },
    });

    const refreshed = await refreshRetentionTallies(prisma, shopId);
    expect(refreshed).toMatchObject({ kind: "changed", customers: 3 });
    const kept = await rows();
    expect(kept).not.toEqual(before);
    expect(kept.some((row) => row.customerId === deleted)).toBe(false);
    expect(kept.filter((row) => row.customerId === extended).at(-1)?.revenueMinor).toBe(4200n);

    await prisma.shop.update({ where: { id: shopId }, data: { retentionTalliedThrough: null } });
    expect(await refreshRetentionTallies(prisma, shopId)).toMatchObject({ kind: "all" });
    expect(await rows()).toEqual(kept);

    // Another time zone moves orders near a month's edge: everything is rebuilt.
    await prisma.shop.update({ where: { id: shopId }, data: { ianaTimezone: "Asia/Tokyo" } });
    expect(await refreshRetentionTallies(prisma, shopId)).toMatchObject({ kind: "all" });
    await prisma.shop.update({ where: { id: shopId }, data: { ianaTimezone: "UTC" } });
    expect(await refreshRetentionTallies(prisma, shopId)).toMatchObject({ kind: "all" });
    expect(await rows()).toEqual(kept);
  });

  it("exports every cohort and month as CSV", async () => {
    await prisma.session.create({
      data: {
        id: `offline_${domain}`,
        shop: domain,
        state: "",
        isOnline: false,
        scope: process.env.SCOPES,
        accessToken: "shpat_test",
        expires: new Date(Date.now() + 3_600_000),
      },
    });
    const headers = new Headers({
      Authorization: `Bearer ${await sessionToken(domain)}`,
      "User-Agent": BROWSER,
    });
    const request = new Request("http://localhost:3999/app/retention.csv?split=discount", {
      headers,
    });
    const response = await csvLoader({ request, params: {}, context: {} });
    expect(response.headers.get("Content-Type")).toContain("text/csv");
    const lines = (await response.text()).trim().split("\r\n");
    expect(lines[0]).toMatch(/^Group,Cohort/);
    const report = await loadRetention({ id: shopId }, { split: "discount" });
    const cells = [report.all!, ...report.groups].reduce(
      (sum, g) => sum + g.cohorts.reduce((n, c) => n + c.retained.length, 0),
      0,
    );
    expect(lines.length - 1).toBe(cells);
    expect(lines.some((l) => l.startsWith("First order discounted,"))).toBe(true);
    await prisma.session.deleteMany({ where: { shop: domain } });
  });
});
