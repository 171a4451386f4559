import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";

export interface VerifiedWebhook {
  shop: string;
  topic: string;
  webhookId: string;
  apiVersion: string;
  eventId?: string;
  triggeredAt?: string;
  rawBody: string;
}

function parseObject(rawBody: string): { ok: true } | { ok: false; reason: string } {
  try {
    const value: unknown = JSON.parse(rawBody);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return { ok: true };
    return { ok: false, reason: "payload must be a JSON object" };
  } catch (error) {
    return { ok: false, reason: `payload is not valid JSON: ${(error as Error).message}` };
  }
}

/**
 * Records a verified delivery and queues it. Shopify delivers at least once, so the delivery's
 * webhook id is the idempotency key: a repeat is acknowledged without being queued again, unless
 * the first copy never reached the queue, in which case this is its second chance.
 */
export async function acceptWebhook(webhook: VerifiedWebhook): Promise<Response> {
  const parsed = parseObject(webhook.rawBody);
  if (!parsed.ok) return Response.json({ error: parsed.reason }, { status: 400 });
  const triggeredAt = webhook.triggeredAt ? new Date(webhook.triggeredAt) : null;
  const triggered = triggeredAt && !Number.isNaN(triggeredAt.valueOf()) ? triggeredAt : null;

  // One round trip: insert, or on a repeat read the first copy's row.
  const [row] = await prisma.$queryRaw<{ id: bigint; status: string; inserted: boolean }[]>`
    WITH inserted AS (
      INSERT INTO "WebhookDelivery"
        ("shopDomain", "webhookId", "eventId", "topic", "apiVersion", "triggeredAt", "payload")
      VALUES (${webhook.shop}, ${webhook.webhookId}, ${webhook.eventId ?? null}, ${webhook.topic},
              ${webhook.apiVersion}, ${triggered}, ${webhook.rawBody}::jsonb)
      ON CONFLICT ("shopDomain", "webhookId") DO NOTHING
      RETURNING "id", "status"::text, true AS inserted
    )
    SELECT * FROM inserted
    UNION ALL
    SELECT "id", "status"::text, false FROM "WebhookDelivery"
     WHERE "shopDomain" = ${webhook.shop} AND "webhookId" = ${webhook.webhookId}
       AND NOT EXISTS (SELECT 1 FROM inserted)`;

  if (row.status === "RECEIVED") {
    await queues().webhooks.add(
      webhook.topic,
      { deliveryId: row.id.toString(), shopDomain: webhook.shop, topic: webhook.topic },
      // The job id makes a second add of the same delivery a no-op while the first is queued.
      { jobId: `delivery-${row.id}` },
    );
  }
  return Response.json({ ok: true, duplicate: !row.inserted }, { status: 200 });
}
