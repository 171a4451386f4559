import type { ActionFunctionArgs } from "@remix-run/node";
import { acceptWebhook } from "~/shopify/webhooks.server";
import { verifyWebhook } from "~/shopify/webhook-verifier.server";

// Every topic in shopify.app.toml arrives here. Verify, record, queue, answer: the work itself
// happens in the webhooks worker, far from Shopify's 5-second limit.
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return new Response(null, { status: 405 });
  const rawBody = await request.text();
  const verified = await verifyWebhook(rawBody, request);
  if (!verified.ok) return Response.json({ error: verified.reason }, { status: verified.status });
  const { delivery } = verified;
  return acceptWebhook({
    shop: delivery.domain,
    // The library reports the topic as an enum name (ORDERS_CREATE); keep Shopify's spelling.
    topic: request.headers.get("X-Shopify-Topic") ?? delivery.topic,
    webhookId: delivery.webhookId,
    apiVersion: delivery.apiVersion,
    eventId: "eventId" in delivery ? delivery.eventId : undefined,
    triggeredAt: "triggeredAt" in delivery ? delivery.triggeredAt : undefined,
    rawBody,
  });
}
