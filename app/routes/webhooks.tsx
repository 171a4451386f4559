import type { ActionFunctionArgs } from "@remix-run/node";
import { acceptWebhook } from "~/shopify/webhooks.server";
import { authenticate } from "~/shopify.server";

// Every topic in shopify.app.toml arrives here. Verify, record, queue, answer: the work itself
// happens in the webhooks worker, far from Shopify's 5-second limit.
export async function action({ request }: ActionFunctionArgs) {
  let webhook;
  try {
    webhook = await authenticate.webhook(request);
  } catch (error) {
    // The library parses the body only after the HMAC passed, so this is a signed but broken body.
    if (error instanceof SyntaxError) {
      return Response.json(
        { error: `payload is not valid JSON: ${error.message}` },
        { status: 400 },
      );
    }
    throw error;
  }
  // The library reports the topic as an enum name (ORDERS_CREATE); keep Shopify's own spelling.
  const topic = request.headers.get("X-Shopify-Topic") ?? webhook.topic;
  return acceptWebhook({ ...webhook, topic });
}
