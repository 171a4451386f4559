import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refreshRetentionTallies } from "~/segments/retention-tallies.server";
import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";
import type { WebhookJob } from "~/jobs/queues";
import { webhookJobId } from "~/jobs/webhook-job-id";
import { loader as exportLoader } from "~/routes/ops.shops.$domain.data-requests.$deliveryId[.json]";
import { loader as shopLoader } from "~/routes/ops.shops.$domain";
import { webhookProcessor } from "../../workers/processors/webhooks";
import { startWebhookServer, type WebhookServer } from "../support/webhook-server";
import { signedWebhookRequest } from "../support/webhooks";

const shopA = "data-request-a.myshopify.com";
const shopB = "data-request-b.myshopify.com";
const auth = {
  Authorization: `Basic ${Buffer.from(`support:${process.env.OPS_PASSWORD}`).toString("base64")}`,
};
const day = (iso: string) => new Date(`${iso}T12:00:00Z`);

async function call(route: (args: never) => Promise<unknown>, request: Request, params = {}) {
  try {
    return await route({ request, params, context: {} } as never);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

let intake: WebhookServer;

/** Posts a signed data request through the webhook intake, then runs the worker's processor. */
async function deliverDataRequest(shop: string, webhookId: string, payload: object) {
  const response = await intake.post(
    signedWebhookRequest({
      topic: "customers/data_request",
      shop,
      webhookId,
      body: JSON.stringify(payload),
    }),
  );
  expect(response.status).toBe(200);
  const delivery = await prisma.webhookDelivery.findUniqueOrThrow({
    where: { shopDomain_webhookId: { shopDomain: shop, webhookId } },
  });
  const job = (await queues().webhooks.getJob(webhookJobId(shop, webhookId))) as Job<WebhookJob>;
  expect(job.data.topic).toBe("customers/data_request");
  const result = await webhookProcessor(prisma, queues())(job);
  return { deliveryId: delivery.id.toString(), result };
}

const download = (domain: string, deliveryId: string, headers: Record<string, string> = auth) =>
  call(
    exportLoader,
    new Request(`http://ops.test/ops/shops/${domain}/data-requests/${deliveryId}.json`, {
      headers,
    }),
    { domain, deliveryId },
  ) as Promise<Response>;

async function seedCustomer(
  shopId: number,
  customer: { email: string; firstName: string; orderIds: bigint[]; totalMinor: bigint },
) {
  await prisma.customer.create({
    data: {
      shopId,
      id: 42n,
      email: customer.email,
      firstName: customer.firstName,
      lastName: "Lovelace",
      tags: ["vip"],
      emailMarketingState: "SUBSCRIBED",
      shopifyCreatedAt: day("2025-01-02"),
      shopifyUpdatedAt: day("2026-10-01"),
    },
  });
  for (const [index, id] of customer.orderIds.entries()) {
    await prisma.order.create({
      data: {
        shopId,
        id,
        customerId: 42n,
        name: `#${1000 + index}`,
        processedAt: day(`2026-0${index + 3}-15`),
        shopifyCreatedAt: day(`2026-0${index + 3}-15`),
        shopifyUpdatedAt: day(`2026-0${index + 3}-15`),
        currency: "EUR",
        totalMinor: customer.totalMinor,
        subtotalMinor: customer.totalMinor,
        discountMinor: 250n,
        refundedMinor: index === 0 ? 5n : 0n,
        discountCodes: ["WELCOME10"],
      },
    });
  }
}

describe("customers/data_request", () => {
  let shopAId: number;

  beforeAll(async () => {
    intake = await startWebhookServer();
    const a = await prisma.shop.create({ data: { domain: shopA, currencyCode: "EUR" } });
    const b = await prisma.shop.create({ data: { domain: shopB, currencyCode: "EUR" } });
    shopAId = a.id;

    // Shop A's customer 42: two orders, a guest order, metrics, segments, tags, a promotion.
    await seedCustomer(a.id, {
      email: "ada@example.com",
      firstName: "Ada",
      orderIds: [60n, 61n],
      totalMinor: 1999n,
    });
    await prisma.orderLineItem.create({
      data: {
        shopId: a.id,
        id: 600n,
        orderId: 60n,
        productId: 9n,
        title: "Analytical Engine manual",
        vendor: "Babbage & Co",
        quantity: 2,
        unitPriceMinor: 1000n,
        discountMinor: 1n,
      },
    });
    await prisma.order.create({
      data: {
        shopId: a.id,
        id: 70n,
        customerId: null,
        name: "#guest",
        processedAt: day("2026-06-01"),
        shopifyCreatedAt: day("2026-06-01"),
        shopifyUpdatedAt: day("2026-06-01"),
        currency: "EUR",
        totalMinor: 500n,
        subtotalMinor: 500n,
      },
    });
    await prisma.customerMetrics.create({
      data: {
        shopId: a.id,
        customerId: 42n,
        computedAt: day("2026-11-01"),
        orders: 2,
        frequency: 1,
        recencyDays: 31,
        ageDays: 31,
        totalSpentMinor: 3998n,
        aovMinor: 1999n,
        currency: "EUR",
        rScore: 5,
        fScore: 4,
        mScore: 4,
        rfmGroup: "CHAMPIONS",
        churnRisk: "LOW",
        pAlive: 0.93,
        clv12mMinor: 12345n,
        spendTier: "HIGH",
        details: { expectedSpendMinor: 2050, leadingVendor: "Babbage & Co" },
      },
    });
    await prisma.segmentMembership.createMany({
      data: [
        { shopId: a.id, customerId: 42n, segmentKey: "rfm:CHAMPIONS" },
        { shopId: a.id, customerId: 42n, segmentKey: "churn:LOW" },
      ],
    });
    await prisma.segmentEvent.create({
      data: { shopId: a.id, customerId: 42n, segmentKey: "rfm:CHAMPIONS", change: "ENTERED" },
    });
    await prisma.tagSyncState.create({
      data: {
        shopId: a.id,
        customerId: 42n,
        desiredTags: ["propel:champions", "propel:churn-low"],
        appliedTags: ["propel:champions"],
      },
    });
    const promotion = await prisma.promotion.create({
      data: {
        shopId: a.id,
        segmentKey: "rfm:CHAMPIONS",
        playbook: "loyalty-reward",
        title: "Thank you, champions",
        code: "CHAMP15",
        discountPercent: 15,
      },
    });
    await prisma.promotionAssignment.create({
      data: { shopId: a.id, promotionId: promotion.id, customerId: 42n, holdout: true },
    });

    // Shop B holds a different person under the same customer id, and an order 71.
    await seedCustomer(b.id, {
      email: "someone-else@example.com",
      firstName: "Bea",
      orderIds: [71n],
      totalMinor: 777n,
    });
    await prisma.segmentMembership.create({
      data: { shopId: b.id, customerId: 42n, segmentKey: "rfm:DORMANT" },
    });
    await refreshRetentionTallies(prisma, a.id);
    await refreshRetentionTallies(prisma, b.id);
  });

  afterAll(async () => {
    await intake.close();
    await prisma.shop.deleteMany({ where: { domain: { in: [shopA, shopB] } } });
    await prisma.webhookDelivery.deleteMany({ where: { shopDomain: { in: [shopA, shopB] } } });
    await Promise.all(Object.values(queues()).map((queue) => queue.close()));
    globalThis.__propelQueues?.connection.disconnect();
    globalThis.__propelQueues = undefined;
  });

  it("processes the delivery and lists it on the ops page with a download", async () => {
    const { deliveryId, result } = await deliverDataRequest(shopA, "dr-ada", {
      shop_id: 1,
      shop_domain: shopA,
      orders_requested: [60, 70, 71, 999],
      customer: { id: 42, email: "ada@example.com", phone: null },
      data_request: { id: 9999 },
    });
    expect(result).toMatchObject({
      processed: "customers/data_request",
      outcome: expect.stringMatching(/customer 42 \(4 orders requested\): export ready/),
    });
    const delivery = await prisma.webhookDelivery.findUniqueOrThrow({
      where: { id: BigInt(deliveryId) },
    });
    expect(delivery.status).toBe("PROCESSED");
    expect(delivery.processedAt).not.toBeNull();

    const page = (await call(
      shopLoader,
      new Request(`http://ops.test/ops/shops/${shopA}`, {
        headers: auth,
      }),
      { domain: shopA },
    )) as {
      dataRequests: {
        id: string;
        customerId: string | null;
        ordersRequested: number;
        status: string;
      }[];
    };
    expect(page.dataRequests).toContainEqual(
      expect.objectContaining({
        id: deliveryId,
        customerId: "42",
        ordersRequested: 4,
        status: "PROCESSED",
      }),
    );
  });

  it("exports everything held about the customer, money as decimal strings", async () => {
    const { deliveryId } = await deliverDataRequest(shopA, "dr-ada-2", {
      shop_domain: shopA,
      orders_requested: [60, 70, 71, 999],
      customer: { id: 42 },
      data_request: { id: 10000 },
    });
    const response = await download(shopA, deliveryId);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(response.headers.get("Content-Disposition")).toBe(
      `attachment; filename="propel-data-request-${shopA}-customer-42-${deliveryId}.json"`,
    );
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const text = await response.text();
    const body = JSON.parse(text);

    expect(body).toMatchObject({
      shop: shopA,
      request: {
        deliveryId,
        webhookId: "dr-ada-2",
        dataRequestId: "10000",
        customerId: "42",
        ordersRequested: ["60", "70", "71", "999"],
      },
    });
    const data = body.data;
    expect(data.customer).toMatchObject({
      id: "42",
      email: "ada@example.com",
      firstName: "Ada",
      lastName: "Lovelace",
      tags: ["vip"],
      emailMarketingState: "SUBSCRIBED",
    });
    // Its own two orders and the guest order Shopify named; not shop B's order 71.
    expect(data.orders.map((order: { id: string }) => order.id)).toEqual(["60", "61", "70"]);
    expect(data.orders[0]).toMatchObject({
      name: "#1000",
      customerId: "42",
      total: { amount: "19.99", currency: "EUR" },
      discount: { amount: "2.50", currency: "EUR" },
      refunded: { amount: "0.05", currency: "EUR" },
      discountCodes: ["WELCOME10"],
      lineItems: [
        {
          id: "600",
          productId: "9",
          title: "Analytical Engine manual",
          vendor: "Babbage & Co",
          quantity: 2,
          unitPrice: { amount: "10.00", currency: "EUR" },
          discount: { amount: "0.01", currency: "EUR" },
        },
      ],
    });
    expect(data.orders[2]).toMatchObject({ customerId: null, total: { amount: "5.00" } });
    expect(data.ordersRequestedNotHeld).toEqual(["71", "999"]);
    expect(data.metrics).toMatchObject({
      rfmGroup: "CHAMPIONS",
      rfmScores: { r: 5, f: 4, m: 4 },
      totalSpent: { amount: "39.98", currency: "EUR" },
      averageOrderValue: { amount: "19.99", currency: "EUR" },
      predictedValue12Months: { amount: "123.45", currency: "EUR" },
      probabilityAlive: 0.93,
      details: {
        expectedSpend: { amount: "20.50", currency: "EUR" },
        leadingVendor: "Babbage & Co",
      },
    });
    // Shop A's tallies only: Bea's month in shop B is not Ada's.
    const months = data.monthlyPurchases as {
      month: string;
      firstOrderMonth: string;
      netValue: { amount: string; currency: string };
    }[];
    expect(months.length).toBeGreaterThan(0);
    expect(months.every((m) => m.netValue.currency === "EUR")).toBe(true);
    expect(months[0].month).toBe(months[0].firstOrderMonth);
    expect(months.some((m) => m.netValue.amount === "7.77")).toBe(false);
    expect(data.segments).toEqual([
      expect.objectContaining({ key: "churn:LOW", label: "Low churn risk" }),
      expect.objectContaining({ key: "rfm:CHAMPIONS", label: "Champions" }),
    ]);
    expect(data.segmentEvents).toMatchObject([{ segmentKey: "rfm:CHAMPIONS", change: "ENTERED" }]);
    expect(data.tagSync).toMatchObject({
      status: "PENDING",
      desiredTags: ["propel:champions", "propel:churn-low"],
      appliedTags: ["propel:champions"],
    });
    expect(data.promotions).toMatchObject([
      { code: "CHAMP15", segmentKey: "rfm:CHAMPIONS", discountPercent: 15, heldOut: true },
    ]);

    // Nothing of shop B's customer 42 anywhere in the file.
    expect(text).not.toContain("someone-else@example.com");
    expect(text).not.toContain("Bea");
    expect(text).not.toContain("rfm:DORMANT");
  });

  it("reflects the data held at download time", async () => {
    const { deliveryId } = await deliverDataRequest(shopA, "dr-ada-3", { customer: { id: 42 } });
    await prisma.customer.update({
      where: { shopId_id: { shopId: shopAId, id: 42n } },
      data: { email: "ada.new@example.com" },
    });
    const body = await (await download(shopA, deliveryId)).json();
    expect(body.data.customer.email).toBe("ada.new@example.com");
  });

  it("exports only the shop's own customer for shop B's request", async () => {
    const { deliveryId } = await deliverDataRequest(shopB, "dr-bea", { customer: { id: 42 } });
    const text = await (await download(shopB, deliveryId)).text();
    const body = JSON.parse(text);
    expect(body.data.customer.email).toBe("someone-else@example.com");
    expect(body.data.orders.map((order: { id: string }) => order.id)).toEqual(["71"]);
    expect(body.data.segments.map((segment: { key: string }) => segment.key)).toEqual([
      "rfm:DORMANT",
    ]);
    expect(text).not.toContain("ada@example.com");
    expect(text).not.toContain("ada.new@example.com");
    expect(text).not.toContain("CHAMP15");
    // A delivery is only found under its own shop's page.
    expect((await download(shopA, deliveryId)).status).toBe(404);
  });

  it("records a request that names no customer and offers nothing to export", async () => {
    const { deliveryId, result } = await deliverDataRequest(shopA, "dr-no-id", {
      customer: { email: "who@example.com" },
      orders_requested: [],
    });
    expect(result).toMatchObject({ outcome: "data request recorded: it names no customer id" });
    const delivery = await prisma.webhookDelivery.findUniqueOrThrow({
      where: { id: BigInt(deliveryId) },
    });
    expect(delivery.status).toBe("PROCESSED");
    const body = await (await download(shopA, deliveryId)).json();
    expect(body.data).toBeUndefined();
    expect(body.error).toMatch(/names no customer id/);
  });

  it("challenges a download without the ops credentials", async () => {
    const { deliveryId } = await deliverDataRequest(shopA, "dr-anon", { customer: { id: 42 } });
    const anonymous = await download(shopA, deliveryId, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("WWW-Authenticate")).toMatch(/^Basic/);
    expect(await anonymous.text()).not.toContain("@example.com");
    const wrong = await download(shopA, deliveryId, {
      Authorization: `Basic ${Buffer.from("support:wrong-password").toString("base64")}`,
    });
    expect(wrong.status).toBe(401);
  });

  it("answers 404 for another topic's delivery and 400 for a malformed id", async () => {
    const other = await prisma.webhookDelivery.create({
      data: { shopDomain: shopA, webhookId: "not-a-data-request", topic: "orders/create" },
    });
    expect((await download(shopA, other.id.toString())).status).toBe(404);
    expect((await download(shopA, "12abc")).status).toBe(400);
  });
});
