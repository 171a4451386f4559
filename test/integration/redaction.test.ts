import { randomInt } from "node:crypto";
import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma, { pool } from "~/db.server";
import { queues, redis } from "~/jobs/producer.server";
import type { WebhookJob } from "~/jobs/queues";
import { webhookJobId } from "~/jobs/webhook-job-id";
import { refreshRetentionTallies } from "~/segments/retention-tallies.server";
import type { OrderRow } from "~/sync/mapping";
import { upsertCustomers, upsertOrders } from "~/sync/store.server";
import { webhookProcessor } from "../../workers/processors/webhooks";
import { startWebhookServer, type WebhookServer } from "../support/webhook-server";
import { signedWebhookRequest } from "../support/webhooks";

// Erasure must be provable: a customer is seeded in every table and in Redis, redacted through
// the webhook intake and the worker's processor, and then every table and every Redis key of
// this run is searched for their ids, email, name and phone.

const run = randomInt(1_000_000, 9_999_999);
const shop = `redaction-${run}.myshopify.com`;
// Ids beyond 2^53, unique to this run, so a search cannot match another test's rows.
const customerId = 7_300_000_000_000_000_000n + BigInt(run);
const orderId = 8_100_000_000_000_000_000n + BigInt(run);
const guestOrderId = orderId + 1n;
const email = `grace.${run}@example.com`;
const firstName = `Grace${run}`;
const lastName = `Hopper${run}`;
const phone = `+1555${run}`;
const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

let intake: WebhookServer;

async function deliver(topic: string, webhookId: string, body: string) {
  const response = await intake.post(signedWebhookRequest({ topic, shop, webhookId, body }));
  expect(response.status).toBe(200);
  const job = (await queues().webhooks.getJob(webhookJobId(shop, webhookId))) as Job<WebhookJob>;
  return job;
}

/** Rows of every table of this schema whose text holds any of `needles` (case-insensitive). */
async function rowsMentioning(needles: string[]): Promise<Record<string, number>> {
  const tables = await prisma.$queryRaw<{ table_name: string }[]>`
    SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`;
  expect(tables.length).toBeGreaterThan(15);
  const patterns = needles.map((needle) => `%${needle.toLowerCase()}%`);
  const found: Record<string, number> = {};
  for (const { table_name: table } of tables) {
    const [{ count }] = await prisma.$queryRawUnsafe<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM "${table}" t WHERE lower(t::text) LIKE ANY($1::text[])`,
      patterns,
    );
    if (count > 0) found[table] = count;
  }
  return found;
}

/** Redis keys of this run whose content holds any of `needles`. */
async function redisKeysMentioning(needles: string[]): Promise<string[]> {
  const client = redis();
  const keys = await client.keys(`${process.env.QUEUE_PREFIX}:*`);
  expect(keys.length).toBeGreaterThan(0);
  const matching: string[] = [];
  for (const key of keys) {
    const type = await client.type(key);
    let content: unknown;
    if (type === "string") content = await client.get(key);
    else if (type === "hash") content = await client.hgetall(key);
    else if (type === "list") content = await client.lrange(key, 0, -1);
    else if (type === "set") content = await client.smembers(key);
    else if (type === "zset") content = await client.zrange(key, 0, -1);
    else if (type === "stream") content = await client.xrange(key, "-", "+");
    const text = `${key} ${JSON.stringify(content)}`.toLowerCase();
    if (needles.some((needle) => text.includes(needle.toLowerCase()))) matching.push(key);
  }
  return matching;
}

const orderRow = (id: bigint, customer: bigint | null): OrderRow => ({
  id,
  customerId: customer,
  name: `#${id}`,
  processedAt: day("2026-05-01"),
  shopifyCreatedAt: day("2026-05-01"),
  shopifyUpdatedAt: day("2026-05-01"),
  cancelledAt: null,
  test: false,
  financialStatus: "PAID",
  currency: "USD",
  totalMinor: 1000n,
  subtotalMinor: 1000n,
  discountMinor: 0n,
  refundedMinor: 0n,
  merchandiseMinor: 1000n,
  shippingMinor: 0n,
  taxMinor: 0n,
  refundedMerchandiseMinor: 0n,
  refunds: [],
  discountCodes: [],
  sourceName: "web",
  lineItems: [],
});

describe("customers/redact and shop/redact", () => {
  let shopId: number;

  beforeAll(async () => {
    intake = await startWebhookServer();
    shopId = (await prisma.shop.create({ data: { domain: shop } })).id;
  });

  afterAll(async () => {
    await intake.close();
  });

  it("leaves nothing in PostgreSQL or Redis that names the customer or their orders", async () => {
    // Synced from the store: the customer, an order with a line item, a guest order named by
    // the request.
    await prisma.customer.create({
      data: {
        shopId,
        id: customerId,
        email,
        firstName,
        lastName,
        tags: ["vip", "propel:rfm-champions"],
        shopifyCreatedAt: day("2025-01-01"),
        shopifyUpdatedAt: day("2026-01-01"),
      },
    });
    await upsertOrders(pool, shopId, [
      {
        ...orderRow(orderId, customerId),
        lineItems: [
          {
            id: orderId + 10n,
            productId: 1n,
            variantId: null,
            title: "Compiler",
            productType: null,
            vendor: null,
            quantity: 1,
            unitPriceMinor: 1000n,
            discountMinor: 0n,
          },
        ],
      },
      orderRow(guestOrderId, null),
    ]);
    // Computed: metrics, retention tallies, a segment, the tags to push, a Flow trigger not sent yet.
    await refreshRetentionTallies(prisma, shopId);
    await prisma.customerMetrics.create({
      data: {
        shopId,
        customerId,
        computedAt: new Date(),
        orders: 1,
        frequency: 0,
        recencyDays: 10,
        ageDays: 100,
        totalSpentMinor: 1000n,
        aovMinor: 1000n,
        currency: "USD",
        rfmGroup: "CHAMPIONS",
      },
    });
    await prisma.segmentMembership.create({
      data: { shopId, customerId, segmentKey: "rfm:CHAMPIONS" },
    });
    await prisma.tagSyncState.create({
      data: { shopId, customerId, desiredTags: ["propel:rfm-champions"], status: "PENDING" },
    });
    await prisma.segmentEvent.create({
      data: { shopId, customerId, segmentKey: "rfm:CHAMPIONS", change: "ENTERED" },
    });
    // A promotion that targeted them.
    const promotion = await prisma.promotion.create({
      data: {
        shopId,
        segmentKey: "rfm:CHAMPIONS",
        playbook: "reward",
        title: "Thanks",
        code: `THANKS${run}`,
        discountPercent: 10,
      },
    });
    await prisma.promotionAssignment.create({
      data: { shopId, promotionId: promotion.id, customerId, holdout: false },
    });
    // Support looked them up.
    await prisma.opsAccess.create({
      data: {
        user: "support",
        action: "view-customer",
        shopDomain: shop,
        subject: customerId.toString(),
        path: `/ops/shops/${shop}/customers/${customerId}.json`,
      },
    });
    // A customers/update not applied yet, whose body holds everything about them.
    const update = await deliver(
      "customers/update",
      `redaction-update-${run}`,
      `{"id":${customerId},"email":"${email}","first_name":"${firstName}","last_name":"${lastName}","phone":"${phone}","default_address":{"phone":"${phone}"}}`,
    );
    expect(update.data.topic).toBe("customers/update");
    // Jobs in Redis that carry them.
    await queues().tags.add("push", { shopDomain: shop, note: `${email} ${customerId}` } as never);
    await queues().recompute.add("later", { shopDomain: shop, full: false, note: phone } as never, {
      delay: 3_600_000,
    });

    const needles = [
      customerId.toString(),
      orderId.toString(),
      guestOrderId.toString(),
      email,
      firstName,
      lastName,
      phone,
    ];
    expect(Object.keys(await rowsMentioning(needles)).sort()).toEqual(
      expect.arrayContaining([
        "Customer",
        "CustomerMetrics",
        "CustomerMonth",
        "OpsAccess",
        "Order",
        "OrderLineItem",
        "PromotionAssignment",
        "SegmentEvent",
        "SegmentMembership",
        "TagSyncState",
        "WebhookDelivery",
      ]),
    );
    expect((await redisKeysMentioning(needles)).length).toBeGreaterThanOrEqual(2);

    // The request, with ids beyond 2^53 as JSON numbers, as Shopify sends them.
    const redact = await deliver(
      "customers/redact",
      `redaction-redact-${run}`,
      `{"shop_id":1,"shop_domain":"${shop}","customer":{"id":${customerId},"email":"${email}","phone":"${phone}"},"orders_to_redact":[${guestOrderId}]}`,
    );
    const result = (await webhookProcessor(prisma, queues())(redact)) as { outcome: string };
    expect(result.outcome).toMatch(/customer redacted: 2 orders/);
    expect(result.outcome).not.toContain(customerId.toString());

    expect(await rowsMentioning(needles)).toEqual({});
    expect(await redisKeysMentioning(needles)).toEqual([]);
    // The update that was still waiting is not applied: it would read the customer back.
    const skipped = await prisma.webhookDelivery.findUniqueOrThrow({
      where: { shopDomain_webhookId: { shopDomain: shop, webhookId: `redaction-update-${run}` } },
    });
    expect(skipped).toMatchObject({ status: "SKIPPED", payload: null });
    // The redact delivery itself keeps no body once applied.
    const processed = await prisma.webhookDelivery.findUniqueOrThrow({
      where: { shopDomain_webhookId: { shopDomain: shop, webhookId: `redaction-redact-${run}` } },
    });
    expect(processed).toMatchObject({ status: "PROCESSED", payload: null });
    expect(await prisma.promotion.count({ where: { id: promotion.id } })).toBe(1);
  });

  it("an order of another customer named by the request leaves that customer's tallies", async () => {
    const owner = customerId + 2_000n;
    const named = orderId + 2_000n;
    const kept = orderId + 2_001n;
    await prisma.customer.create({
      data: {
        shopId,
        id: owner,
        shopifyCreatedAt: day("2025-01-01"),
        shopifyUpdatedAt: day("2026-01-01"),
      },
    });
    await upsertOrders(pool, shopId, [
      { ...orderRow(named, owner), processedAt: day("2026-03-01") },
      orderRow(kept, owner),
    ]);
    await refreshRetentionTallies(prisma, shopId);
    const months = () =>
      prisma.customerMonth.findMany({
        where: { shopId, customerId: owner },
        orderBy: { month: "asc" },
      });
    expect((await months()).map((m) => m.month)).toEqual([2026 * 12 + 2, 2026 * 12 + 4]);
    const before = await prisma.customer.findUniqueOrThrow({
      where: { shopId_id: { shopId, id: owner } },
    });

    const redact = await deliver(
      "customers/redact",
      `redaction-owner-${run}`,
      `{"shop_domain":"${shop}","orders_to_redact":[${named}]}`,
    );
    await webhookProcessor(prisma, queues())(redact);

    // The owner's history changed: marked for the next recompute, whose tally refresh drops
    // the redacted order's month and makes May their first.
    const after = await prisma.customer.findUniqueOrThrow({
      where: { shopId_id: { shopId, id: owner } },
    });
    expect(after.syncedAt.getTime()).toBeGreaterThan(before.syncedAt.getTime());
    await refreshRetentionTallies(prisma, shopId);
    expect((await months()).map((m) => [m.month, m.cohort])).toEqual([
      [2026 * 12 + 4, 2026 * 12 + 4],
    ]);
  });

  it("a customer redacted before the backfill reached them is not imported afterwards", async () => {
    const later = customerId + 1_000n;
    const laterOrder = orderId + 1_000n;
    const otherOrder = orderId + 1_001n;
    const redact = await deliver(
      "customers/redact",
      `redaction-early-${run}`,
      `{"shop_domain":"${shop}","customer":{"id":${later}},"orders_to_redact":[${laterOrder}]}`,
    );
    await webhookProcessor(prisma, queues())(redact);

    // The backfill then reads them from the store.
    const written = await upsertCustomers(pool, shopId, [
      {
        id: later,
        email: `late.${run}@example.com`,
        firstName: "Late",
        lastName: "Comer",
        tags: [],
        emailMarketingState: null,
        shopifyCreatedAt: day("2025-01-01"),
        shopifyUpdatedAt: day("2026-01-01"),
      },
    ]);
    expect(written).toBe(0);
    await upsertOrders(pool, shopId, [orderRow(laterOrder, later), orderRow(otherOrder, later)]);
    expect(await prisma.customer.count({ where: { shopId, id: later } })).toBe(0);
    expect(await prisma.order.count({ where: { shopId, id: laterOrder } })).toBe(0);
    // An order of theirs not named by the request is kept for the totals, unlinked.
    const kept = await prisma.order.findUniqueOrThrow({
      where: { shopId_id: { shopId, id: otherOrder } },
    });
    expect(kept.customerId).toBeNull();
    // The tombstone holds a keyed hash, not the id.
    expect(await rowsMentioning([later.toString(), laterOrder.toString()])).toEqual({});
  });

  it("shop/redact erases every row and every job of the shop", async () => {
    await prisma.session.create({
      data: { id: `offline_${shop}`, shop, state: "", accessToken: "token" },
    });
    await queues().backfill.upsertJobScheduler(
      `reconcile:${shop}`,
      { pattern: "17 3 * * *", tz: "UTC" },
      { name: "reconcile", data: { shopDomain: shop, kind: "RECONCILE" } },
    );
    await queues().recompute.add("full", { shopDomain: shop, full: true });
    await prisma.opsAccess.create({
      data: { user: "support", action: "view-shop", shopDomain: shop, path: `/ops/shops/${shop}` },
    });
    const redact = await deliver(
      "shop/redact",
      `redaction-shop-${run}`,
      `{"shop_id":1,"shop_domain":"${shop}"}`,
    );
    await webhookProcessor(prisma, queues())(redact);

    expect(await rowsMentioning([shop])).toEqual({});
    for (const table of ["Customer", "Order", "SegmentEvent", "RedactionTombstone", "Promotion"]) {
      const [{ count }] = await prisma.$queryRawUnsafe<{ count: number }[]>(
        `SELECT count(*)::int AS count FROM "${table}" WHERE "shopId" = $1`,
        shopId,
      );
      expect({ table, count }).toEqual({ table, count: 0 });
    }
    // Only the shop/redact job itself (which a worker would be running) is left.
    const left = await redisKeysMentioning([shop]);
    const ownJob = webhookJobId(shop, `redaction-shop-${run}`);
    expect(left.filter((key) => !key.endsWith(`:webhooks:${ownJob}`))).toEqual([]);
    expect(await queues().backfill.getJobScheduler(`reconcile:${shop}`)).toBeUndefined();
  });
});
