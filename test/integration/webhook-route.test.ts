import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";
import { webhookJobId } from "~/jobs/webhook-job-id";
import { startWebhookServer, type WebhookServer } from "../support/webhook-server";
import { signedWebhookRequest } from "../support/webhooks";

const shop = "webhook-route.myshopify.com";

describe("POST /webhooks", () => {
  let intake: WebhookServer;
  const post = (request: Request) => intake.post(request);

  beforeAll(async () => {
    intake = await startWebhookServer();
  });

  afterAll(async () => {
    await intake.close();
    await Promise.all(Object.values(queues()).map((queue) => queue.close()));
  });

  it("verifies, records and queues a signed delivery", async () => {
    const response = await post(
      signedWebhookRequest({
        topic: "orders/create",
        shop,
        webhookId: "wh-valid",
        body: JSON.stringify({ id: 820982911946154500, total_price: "10.00" }),
      }),
    );
    expect(response.status).toBe(200);
    const delivery = await prisma.webhookDelivery.findUniqueOrThrow({
      where: { shopDomain_webhookId: { shopDomain: shop, webhookId: "wh-valid" } },
    });
    expect(delivery.topic).toBe("orders/create");
    expect(delivery.payload).toEqual({ id: 820982911946154500, total_price: "10.00" });
    const job = await queues().webhooks.getJob(webhookJobId(shop, "wh-valid"));
    expect(job?.data).toMatchObject({ shopDomain: shop, topic: "orders/create" });
  });

  it("answers 401 to a bad signature and stores nothing", async () => {
    const response = await post(
      signedWebhookRequest({
        topic: "orders/create",
        shop,
        webhookId: "wh-forged",
        body: "{}",
        secret: "not-the-app-secret",
      }),
    );
    expect(response.status).toBe(401);
    const count = await prisma.webhookDelivery.count({ where: { webhookId: "wh-forged" } });
    expect(count).toBe(0);
  });

  it("answers 400 with a reason to a signed body that is not JSON", async () => {
    const response = await post(
      signedWebhookRequest({
        topic: "orders/create",
        shop,
        webhookId: "wh-bad-json",
        body: "{oops",
      }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: expect.stringMatching(/not valid JSON/) });
    expect(await prisma.webhookDelivery.count({ where: { webhookId: "wh-bad-json" } })).toBe(0);
  });

  it("answers 400 naming the missing Shopify headers", async () => {
    const signed = signedWebhookRequest({ topic: "orders/create", shop, body: "{}" });
    const headers = new Headers(signed.headers);
    headers.delete("X-Shopify-Topic");
    const response = await post(new Request(signed.url, { method: "POST", headers, body: "{}" }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: expect.stringMatching(/Topic/i) });
  });

  it("answers 503 while deliveries cannot be recorded, and records them when Shopify retries", async () => {
    const deliveries = [
      { topic: "orders/create", webhookId: "wh-db-down-order" },
      { topic: "customers/redact", webhookId: "wh-db-down-redact" },
    ].map(
      ({ topic, webhookId }) =>
        () =>
          signedWebhookRequest({ topic, shop, webhookId, body: JSON.stringify({ id: 5 }) }),
    );
    await prisma.$executeRawUnsafe(`ALTER TABLE "WebhookDelivery" RENAME TO "WebhookDeliveryAway"`);
    try {
      for (const request of deliveries) expect((await post(request())).status).toBe(503);
    } finally {
      await prisma.$executeRawUnsafe(
        `ALTER TABLE "WebhookDeliveryAway" RENAME TO "WebhookDelivery"`,
      );
    }
    for (const request of deliveries) expect((await post(request())).status).toBe(200);
    const recorded = await prisma.webhookDelivery.findMany({
      where: { shopDomain: shop, webhookId: { startsWith: "wh-db-down-" } },
    });
    expect(recorded.map((delivery) => delivery.topic).sort()).toEqual([
      "customers/redact",
      "orders/create",
    ]);
  });

  it("acknowledges a duplicate delivery without recording or queueing it twice", async () => {
    const request = () =>
      signedWebhookRequest({
        topic: "customers/update",
        shop,
        webhookId: "wh-dup",
        body: JSON.stringify({ id: 7 }),
      });
    expect((await post(request())).status).toBe(200);
    const second = await post(request());
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ ok: true, duplicate: true });
    const deliveries = await prisma.webhookDelivery.findMany({ where: { webhookId: "wh-dup" } });
    expect(deliveries).toHaveLength(1);
    const jobs = await queues().webhooks.getJobs(["waiting", "delayed", "active", "completed"]);
    const deliveryId = deliveries[0].id.toString();
    expect(jobs.filter((job) => job.data.deliveryId === deliveryId)).toHaveLength(1);
  });

  it("records deliveries that arrive together once each, a repeat among them included", async () => {
    const request = (webhookId: string) =>
      signedWebhookRequest({
        topic: "orders/updated",
        shop,
        webhookId,
        body: JSON.stringify({ id: 99, note: webhookId }),
      });
    const ids = Array.from({ length: 40 }, (_, i) => `wh-burst-${i}`);
    // They reach the intake in one turn of its event loop; wh-burst-0 arrives twice.
    const answers = await intake.postTogether([...ids, ids[0]].map(request));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    expect(
      answers.filter((answer) => (answer.body as { duplicate: boolean }).duplicate),
    ).toHaveLength(1);

    const deliveries = await prisma.webhookDelivery.findMany({
      where: { shopDomain: shop, webhookId: { in: ids } },
    });
    expect(deliveries.map((delivery) => delivery.webhookId).sort()).toEqual([...ids].sort());
    const jobs = await Promise.all(
      deliveries.map((delivery) =>
        queues().webhooks.getJob(webhookJobId(shop, delivery.webhookId)),
      ),
    );
    expect(jobs.every((job) => job?.data.deliveryId !== undefined)).toBe(true);
    // Rows written by one statement share a transaction id: fewer ids than rows means shared
    // inserts.
    const [{ transactions }] = await prisma.$queryRaw<{ transactions: number }[]>`
      SELECT count(DISTINCT xmin::text)::int AS transactions FROM "WebhookDelivery"
       WHERE "shopDomain" = ${shop} AND "webhookId" = ANY(${ids})`;
    expect(transactions).toBeLessThan(ids.length / 4);
    const first = deliveries.find((delivery) => delivery.webhookId === "wh-burst-0");
    expect(first?.payload).toEqual({ id: 99, note: "wh-burst-0" });
  });

  it("answers 400 to a body PostgreSQL cannot store, without failing the rest of its batch", async () => {
    const other = "webhook-route-other.myshopify.com";
    const good = (webhookShop: string, webhookId: string) =>
      signedWebhookRequest({
        topic: "customers/update",
        shop: webhookShop,
        webhookId,
        body: JSON.stringify({ id: 7, note: webhookId }),
      });
    const bad = signedWebhookRequest({
      topic: "customers/update",
      shop,
      webhookId: "wh-nul",
      body: '{"id": 7, "note": "a\\u0000b"}',
    });
    const surrogate = signedWebhookRequest({
      topic: "customers/update",
      shop,
      webhookId: "wh-surrogate",
      body: '{"id": 7, "note": "\\ud800"}',
    });
    const answers = await intake.postTogether([
      good(shop, "wh-nul-neighbour-1"),
      bad,
      surrogate,
      good(other, "wh-nul-neighbour-2"),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 400, 400, 200]);
    expect(answers[1].body).toMatchObject({ error: expect.stringMatching(/NUL|stored/) });
    const stored = await prisma.webhookDelivery.findMany({
      where: {
        webhookId: { in: ["wh-nul", "wh-surrogate", "wh-nul-neighbour-1", "wh-nul-neighbour-2"] },
      },
      select: { webhookId: true },
    });
    expect(stored.map((row) => row.webhookId).sort()).toEqual([
      "wh-nul-neighbour-1",
      "wh-nul-neighbour-2",
    ]);
  });

  it("answers 400 when the body names another shop than the header", async () => {
    const response = await post(
      signedWebhookRequest({
        topic: "customers/redact",
        shop,
        webhookId: "wh-other-shop",
        body: JSON.stringify({ shop_domain: "someone-else.myshopify.com", customer: { id: 1 } }),
      }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: expect.stringMatching(/shop/) });
    expect(await prisma.webhookDelivery.count({ where: { webhookId: "wh-other-shop" } })).toBe(0);

    const matching = await post(
      signedWebhookRequest({
        topic: "customers/redact",
        shop,
        webhookId: "wh-same-shop",
        body: JSON.stringify({ shop_domain: shop, customer: { id: 1 } }),
      }),
    );
    expect(matching.status).toBe(200);
  });

  it("recognises an event sent again under a new webhook id, and records the shop id", async () => {
    const shopRow = await prisma.shop.upsert({
      where: { domain: shop },
      create: { domain: shop },
      update: {},
    });
    const send = (webhookId: string, topic = "orders/updated") =>
      post(
        signedWebhookRequest({
          topic,
          shop,
          webhookId,
          eventId: "event-17",
          body: JSON.stringify({ id: 5 }),
        }),
      );
    expect(await (await send("wh-event-a")).json()).toEqual({ ok: true, duplicate: false });
    expect(await (await send("wh-event-b")).json()).toEqual({ ok: true, duplicate: true });
    // The same event under another topic is another delivery.
    expect(await (await send("wh-event-c", "orders/paid")).json()).toEqual({
      ok: true,
      duplicate: false,
    });
    const rows = await prisma.webhookDelivery.findMany({
      where: { shopDomain: shop, eventId: "event-17" },
      orderBy: { id: "asc" },
    });
    expect(rows.map((row) => row.webhookId)).toEqual(["wh-event-a", "wh-event-c"]);
    expect(rows.every((row) => row.shopId === shopRow.id)).toBe(true);
  });

  it("derives the job id from the shop and webhook id, not the row id", () => {
    expect(webhookJobId(shop, "a")).toBe(webhookJobId(shop, "a"));
    expect(webhookJobId(shop, "a")).not.toBe(webhookJobId(shop, "b"));
    expect(webhookJobId("other.myshopify.com", "a")).not.toBe(webhookJobId(shop, "a"));
    expect(webhookJobId(shop, "a")).not.toContain(shop);
  });
});
