import { createHash } from "node:crypto";

/**
 * The BullMQ job id of a webhook delivery. It is derived from what Shopify sent (the shop and
 * its X-Shopify-Webhook-Id), not from the row's sequence value: after a database crash in the
 * asynchronous-commit window PostgreSQL can hand the same id out again, and `delivery-<id>`
 * would then collide with the completed job of another delivery and be silently skipped.
 * Hashed so that neither the shop nor Shopify's id shows up as a Redis key.
 */
export function webhookJobId(shopDomain: string, webhookId: string): string {
  const digest = createHash("sha256").update(`${shopDomain}\n${webhookId}`).digest("hex");
  return `wh-${digest.slice(0, 40)}`;
}
