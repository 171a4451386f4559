import { createHmac, timingSafeEqual } from "node:crypto";
import { config } from "~/config.server";

/**
 * Shopify's webhook check: the base64 HMAC-SHA256 of the raw body under the app secret, and the
 * headers every delivery carries. This is the intake's hot path, so it is done here with
 * node:crypto rather than by `shopify.webhooks.validate`, which canonicalizes every header name
 * with regular expressions several times and signs through WebCrypto: in the webhook benchmark
 * the library's check cost more CPU than the database insert it guards.
 */
const REQUIRED = {
  hmac: "X-Shopify-Hmac-Sha256",
  topic: "X-Shopify-Topic",
  domain: "X-Shopify-Shop-Domain",
  apiVersion: "X-Shopify-API-Version",
  webhookId: "X-Shopify-Webhook-Id",
} as const;

export interface VerifiedDelivery {
  topic: string;
  domain: string;
  apiVersion: string;
  webhookId: string;
  eventId?: string;
  triggeredAt?: string;
}

export type Verification =
  { ok: true; delivery: VerifiedDelivery } | { ok: false; status: 400 | 401; reason: string };

/** Verifies a delivery's HMAC and headers; the result says why when it is not valid. */
export function verifyWebhook(
  rawBody: Buffer,
  header: (name: string) => string | undefined,
): Verification {
  const given = Buffer.from(header(REQUIRED.hmac) ?? "", "base64");
  const expected = createHmac("sha256", config().SHOPIFY_API_SECRET).update(rawBody).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, status: 401, reason: "invalid HMAC signature" };
  }
  const missing = Object.values(REQUIRED).filter((name) => !header(name));
  if (missing.length > 0) {
    return { ok: false, status: 400, reason: `missing headers: ${missing.join(", ")}` };
  }
  return {
    ok: true,
    delivery: {
      topic: header(REQUIRED.topic)!,
      domain: header(REQUIRED.domain)!,
      apiVersion: header(REQUIRED.apiVersion)!,
      webhookId: header(REQUIRED.webhookId)!,
      eventId: header("X-Shopify-Event-Id"),
      triggeredAt: header("X-Shopify-Triggered-At"),
    },
  };
}
