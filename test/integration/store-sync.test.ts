import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma, { pool } from "~/db.server";
import { queues } from "~/jobs/producer.server";
import { loader as appLoader } from "~/routes/app";
import { shopGraphql } from "~/shopify/admin-graphql.server";
import { syncShop } from "~/sync/backfill.server";
import { bulkFinishReceived } from "~/sync/bulk-finish.server";
import { legacyId } from "~/sync/gid";
import { toMinorUnits } from "~/sync/money";
import { eventually, startStoreHarness } from "../support/store-harness";
import { BROWSER } from "../support/session-token";

const shop = "sync-e2e.myshopify.com";

let harness: Awaited<ReturnType<typeof startStoreHarness>>;

async function storeCounts() {
  const data = await shopGraphql<{
    customersCount: { count: number };
    ordersCount: { count: number };
  }>(
    shop,
    `#graphql
      query Counts {
        customersCount { count }
        ordersCount(limit: null) { count }
      }`,
  );
  return { customers: data.customersCount.count, orders: data.ordersCount.count };
}

/** Each customer's statistics { rfmGroup predictedSpendTier } as the store answers them now. */
async function shopifyStatistics() {
  const data = await shopGraphql<{
    customers: {
      nodes: {
        id: string;
        statistics: { rfmGroup: string | null; predictedSpendTier: string | null };
      }[];
    };
  }>(
    shop,
    `#graphql
      query Statistics {
        customers(first: 250) { nodes { id statistics { rfmGroup predictedSpendTier } } }
      }`,
  );
  return new Map(
    data.customers.nodes.map((node) => [
      legacyId(node.id),
      [node.statistics.rfmGroup, node.statistics.predictedSpendTier],
    ]),
  );
}

async function storedOrder(id: bigint) {
  const shopRow = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
  return prisma.order.findUnique({
    where: { shopId_id: { shopId: shopRow.id, id } },
    include: { lineItems: true },
  });
}

describe("a store kept in sync end to end (simulator, PostgreSQL, Redis, workers)", () => {
  beforeAll(async () => {
    harness = await startStoreHarness(shop, 120);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("installs through token exchange when the merchant opens the app, then backfills the store", async () => {
    const request = new Request(await harness.frameUrl(), { headers: { "User-Agent": BROWSER } });
    const result = await appLoader({ request, params: {}, context: {} });
    expect(result).toMatchObject({ apiKey: process.env.SHOPIFY_API_KEY });

    const session = await prisma.session.findFirst({ where: { shop, isOnline: false } });
    expect(session?.accessToken).toBeTruthy();

    const run = await eventually(async () => {
      const latest = await prisma.syncRun.findFirst({
        where: { shop: { domain: shop }, status: { not: "RUNNING" } },
      });
      return latest ?? undefined;
    }, "the backfill to finish");
    expect(run).toMatchObject({ kind: "BACKFILL", status: "SUCCEEDED", error: null });

    const expected = await storeCounts();
    const shopRow = await prisma.shop.findUniqueOrThrow({
      where: { domain: shop },
      include: { _count: { select: { customers: true, orders: true } } },
    });
    expect(shopRow._count).toEqual(expected);
    expect(run.ordersSynced).toBe(expected.orders);
    const schedulers = await queues().backfill.getJobSchedulers();
    expect(schedulers.map((scheduler) => scheduler.key)).toContain(`reconcile:${shop}`);
    expect(await prisma.orderLineItem.count({ where: { shopId: shopRow.id } })).toBeGreaterThan(
      expected.orders,
    );
    // Shopify announced the end of the orders bulk query with its webhook, which the backfill
    // waits for; the delivery was recorded under the operation's id.
    expect(run.bulkOperationId).toMatch(/^gid:\/\/shopify\/BulkOperation\//);
    expect(await bulkFinishReceived(prisma, shop, run.bulkOperationId!)).toBe(true);

    // Shopify's own RFM group and spend tier came with every customer of the bulk file, as the
    // Admin API answers them (null only for customers created since the store's daily run).
    const answered = await shopifyStatistics();
    const stored = await prisma.customer.findMany({
      where: { shopId: shopRow.id },
      select: { id: true, shopifyRfmGroup: true, shopifyPredictedSpendTier: true },
    });
    expect(stored).toHaveLength(answered.size);
    for (const customer of stored) {
      expect([customer.shopifyRfmGroup, customer.shopifyPredictedSpendTier]).toEqual(
        answered.get(customer.id),
      );
    }
    const filled = stored.filter((customer) => customer.shopifyRfmGroup !== null);
    expect(filled.length).toBeGreaterThan(stored.length * 0.9);
    expect(new Set(filled.map((customer) => customer.shopifyRfmGroup)).size).toBeGreaterThan(4);
  });

  it("runs one sync of a shop at a time; one started meanwhile steps aside and marks nothing", async () => {
    const shopRow = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
    const runsBefore = await prisma.syncRun.count({ where: { shopId: shopRow.id } });
    // Another worker's sync of the shop, holding the lock syncShop takes on its connection.
    const other = await pool.connect();
    try {
      await other.query("SELECT pg_advisory_lock(hashtext('propel:sync-shop'), $1)", [shopRow.id]);
      await expect(syncShop(prisma, shop, "RECONCILE")).resolves.toEqual({
        customers: 0,
        orders: 0,
        skipped: "another sync of this shop is running",
        busy: true,
      });
      expect(await prisma.syncRun.count({ where: { shopId: shopRow.id } })).toBe(runsBefore);
    } finally {
      await other.query("SELECT pg_advisory_unlock_all()");
      other.release();
    }
    const outcome = await syncShop(prisma, shop, "RECONCILE");
    expect(outcome.skipped).toBeUndefined();
    const runs = await prisma.syncRun.findMany({
      where: { shopId: shopRow.id },
      orderBy: { id: "asc" },
    });
    expect(runs.slice(runsBefore)).toMatchObject([{ kind: "RECONCILE", status: "SUCCEEDED" }]);
    expect(runs.every((run) => run.status === "SUCCEEDED")).toBe(true);
  });

  it("keeps a backfill that finds the shop's lock held waiting, then runs it once per install", async () => {
    const shopRow = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
    // Only backfills: a reconcile may start beside the test (the workers' schedules run).
    const backfills = () =>
      prisma.syncRun.count({ where: { shopId: shopRow.id, kind: "BACKFILL" } });
    const backfillsBefore = await backfills();
    // The lock of a worker that has just died, its connection not yet gone.
    const other = await pool.connect();
    let released = false;
    try {
      await other.query("SELECT pg_advisory_lock(hashtext('propel:sync-shop'), $1)", [shopRow.id]);
      const job = await queues().backfill.add("backfill", { shopDomain: shop, kind: "BACKFILL" });
      await eventually(
        async () => ((await job.getState()) === "delayed" ? true : undefined),
        "the backfill to wait for the lock",
      );
      await other.query("SELECT pg_advisory_unlock_all()");
      released = true;
      const outcome = await eventually(async () => {
        const current = await queues().backfill.getJob(job.id!);
        return (await current?.getState()) === "completed" ? current!.returnvalue : undefined;
      }, "the backfill to run once the lock is free");
      // The install's backfill already read the store: the job ends there, reading nothing.
      expect(outcome).toEqual({
        customers: 0,
        orders: 0,
        skipped: "the store was read since the install",
      });
      expect(await backfills()).toBe(backfillsBefore);
    } finally {
      if (!released) await other.query("SELECT pg_advisory_unlock_all()");
      other.release();
    }
  });

  it("brings an order placed in the store into the database through a signed webhook", async () => {
    const placed = await harness.control(`/shops/${shop}/orders`, { value: 123.45 });
    const id = BigInt(String(placed.id));
    const order = await eventually(async () => (await storedOrder(id)) ?? undefined, "the order");
    expect(order.totalMinor).toBe(toMinorUnits(String(placed.total), "USD"));
    expect(order.lineItems.length).toBeGreaterThan(0);
    // Webhook bodies carry no product type; the worker completed it from the Admin API.
    expect(order.lineItems.every((item) => item.productType)).toBe(true);
  });

  it("ends in the same state when deliveries are duplicated and reordered", async () => {
    await harness.control("/webhooks/switches", {
      duplicate: 1,
      reorderBatch: 4,
      reorderFlushMs: 300,
    });
    const placed = await harness.control(`/shops/${shop}/orders`, { value: 80 });
    const id = String(placed.id);
    await harness.control(`/shops/${shop}/orders/${id}/refund`, { amount: 20 });
    await harness.control(`/shops/${shop}/orders/${id}/refund`, { amount: 5 });
    await harness.control("/webhooks/flush", {});

    const order = await eventually(async () => {
      const row = await storedOrder(BigInt(id));
      return row?.refundedMinor === 2500n ? row : undefined;
    }, "both refunds");
    expect(order.totalMinor).toBe(toMinorUnits(String(placed.total), "USD"));

    // The store sent every refund notification twice; each was recorded once.
    const response = await fetch(
      `${harness.simulator.url}/_sim/webhooks/deliveries?shop=${shop}&topic=refunds/create`,
    );
    const sent = (await response.json()) as { webhookId: string; duplicateOf?: string }[];
    expect(sent.filter((delivery) => delivery.duplicateOf).length).toBeGreaterThanOrEqual(2);
    const recorded = await prisma.webhookDelivery.findMany({
      where: { shopDomain: shop, topic: "refunds/create" },
    });
    expect(recorded.map((delivery) => delivery.webhookId).sort()).toEqual(
      [...new Set(sent.map((delivery) => delivery.webhookId))].sort(),
    );
    await harness.control("/webhooks/switches", { duplicate: 0, reorderBatch: 0 });
  });

  it("erases the personal data a customers/redact request names", async () => {
    const customer = await prisma.customer.findFirstOrThrow({
      where: { shop: { domain: shop }, email: { not: null } },
    });
    await prisma.customer.update({
      where: { shopId_id: { shopId: customer.shopId, id: customer.id } },
      data: { metafields: { survey: { style: "outdoor" } } },
    });
    await harness.control(`/shops/${shop}/compliance`, {
      topic: "customers/redact",
      customerId: customer.id.toString(),
    });
    // The customer row goes, with everything computed about them; so do their orders.
    await eventually(async () => {
      const row = await prisma.customer.findUnique({
        where: { shopId_id: { shopId: customer.shopId, id: customer.id } },
      });
      return row ? undefined : true;
    }, "the redaction");
    expect(await prisma.customer.count({ where: { email: customer.email } })).toBe(0);
    expect(
      await prisma.order.count({ where: { shopId: customer.shopId, customerId: customer.id } }),
    ).toBe(0);
    expect(
      await prisma.customerMetrics.count({
        where: { shopId: customer.shopId, customerId: customer.id },
      }),
    ).toBe(0);
  });

  it("stops the shop and deletes its sessions on app/uninstalled, keeping its compliance jobs", async () => {
    // Work queued for the shop when the uninstall arrives (delayed, so no worker takes it):
    // a redact request is owed whatever the shop does; an order and a reconcile are not.
    const later = { delay: 60 * 60_000 };
    const redact = await queues().webhooks.add(
      "customers/redact",
      { deliveryId: "0", shopDomain: shop, topic: "customers/redact" },
      later,
    );
    const order = await queues().webhooks.add(
      "orders/create",
      { deliveryId: "0", shopDomain: shop, topic: "orders/create" },
      later,
    );
    const reconcile = await queues().backfill.add(
      "reconcile",
      { shopDomain: shop, kind: "RECONCILE" },
      later,
    );
    await harness.control(`/shops/${shop}/uninstall`, {});
    const shopRow = await eventually(async () => {
      const row = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
      return row.installState === "UNINSTALLED" ? row : undefined;
    }, "the uninstall");
    expect(shopRow.uninstalledAt).not.toBeNull();
    expect(await prisma.session.count({ where: { shop } })).toBe(0);
    await eventually(async () => {
      const schedulers = await queues().backfill.getJobSchedulers();
      return schedulers.some((scheduler) => scheduler.key === `reconcile:${shop}`)
        ? undefined
        : true;
    }, "the nightly reconciliation to be unscheduled");
    await eventually(
      async () =>
        (await queues().webhooks.getJob(order.id!)) === undefined &&
        (await queues().backfill.getJob(reconcile.id!)) === undefined
          ? true
          : undefined,
      "the shop's waiting order and reconcile jobs to be removed",
    );
    const kept = await queues().webhooks.getJob(redact.id!);
    expect(await kept?.getState()).toBe("delayed");
    await kept?.remove();
  });
});
