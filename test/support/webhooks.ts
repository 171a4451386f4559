import { createHmac, randomUUID } from "node:crypto";
import { TEST_API_SECRET } from "./env";

/** A webhook request signed the way Shopify signs it. */
export function signedWebhookRequest(options: {
  topic: string;
  shop: string;
  body: string;
  webhookId?: string;
  eventId?: string;
  secret?: string;
  url?: string;
}): Request {
  const hmac = createHmac("sha256", options.secret ?? TEST_API_SECRET)
    .update(options.body, "utf8")
    .digest("base64");
  return new Request(options.url ?? "http://localhost:3999/webhooks", {
    method: "POST",
    body: options.body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Hmac-Sha256": hmac,
      "X-Shopify-Topic": options.topic,
      "X-Shopify-Shop-Domain": options.shop,
      "X-Shopify-API-Version": "2026-10",
      "X-Shopify-Webhook-Id": options.webhookId ?? randomUUID(),
      "X-Shopify-Event-Id": options.eventId ?? randomUUID(),
      "X-Shopify-Triggered-At": new Date().toISOString(),
    },
  });
}
