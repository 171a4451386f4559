import DataLoader from "dataloader";
import type { QueryConfig } from "pg";
import { pool } from "~/db.server";
import { inTransaction } from "~/db/transaction";
import { queues } from "~/jobs/producer.server";
import { needsDurableCommit } from "./webhook-durability";

export interface VerifiedWebhook {
  shop: string;
  topic: string;
  webhookId: string;
  apiVersion: string;
  eventId?: string;
  triggeredAt?: string;
  rawBody: string;
}

export interface Acceptance {
  status: 200 | 400;
  body: { ok: true; duplicate: boolean } | { error: string };
}

function invalidJson(rawBody: string): string | undefined {
  try {
    const value: unknown = JSON.parse(rawBody);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return undefined;
    return "payload must be a JSON object";
  } catch (error) {
    return `payload is not valid JSON: ${(error as Error).message}`;
  }
}

function timestamp(value: string | undefined): string | null {
  const date = value ? new Date(value) : null;
  // The column is a Prisma DateTime: a timestamp without zone, holding UTC.
  return date && !Number.isNaN(date.valueOf()) ? date.toISOString() : null;
}

interface Recorded {
  key: string;
  id: string;
  status: string;
  inserted: boolean;
}

// Insert what is new, and read back the first copy of what is not, in one statement. The
// bodies travel as one JSON array (each is already valid JSON): a text[] parameter would make
// pg escape every byte of every body.
const RECORD_DELIVERIES = `
  WITH input AS (
    SELECT t.*, p.payload
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamp[])
           WITH ORDINALITY AS t(shop, webhook_id, event_id, topic, api_version, triggered_at, n)
      JOIN jsonb_array_elements($7::jsonb) WITH ORDINALITY AS p(payload, n) USING (n)
  ), inserted AS (
    INSERT INTO "WebhookDelivery"
      ("shopDomain", "webhookId", "eventId", "topic", "apiVersion", "triggeredAt", "payload")
    SELECT shop, webhook_id, event_id, topic, api_version, triggered_at, payload FROM input
    ON CONFLICT ("shopDomain", "webhookId") DO NOTHING
    RETURNING "shopDomain", "webhookId", "id", "status"
  )
  SELECT "shopDomain" || ' ' || "webhookId" AS key, "id"::text, "status"::text, true AS inserted
    FROM inserted
  UNION ALL
  SELECT d."shopDomain" || ' ' || d."webhookId", d."id"::text, d."status"::text, false
    FROM "WebhookDelivery" d JOIN input i ON d."shopDomain" = i.shop AND d."webhookId" = i.webhook_id
   WHERE NOT EXISTS (SELECT 1 FROM inserted x
                      WHERE x."shopDomain" = i.shop AND x."webhookId" = i.webhook_id)`;

/** Runs the insert in a transaction that commits without waiting for the WAL flush. */
function insertWithoutWaitingForFlush(insert: QueryConfig): Promise<Recorded[]> {
  return inTransaction(pool, async (client) => {
    await client.query("SET LOCAL synchronous_commit = off");
    return (await client.query<Recorded>(insert)).rows;
  });
}

const keyOf = (webhook: VerifiedWebhook) => `${webhook.shop} ${webhook.webhookId}`;

/**
 * Records a batch of deliveries in one statement and queues the new ones. Shopify delivers at least once, so (shop, webhook id) is the idempotency key: a repeat
 * is acknowledged without being queued again, unless the first copy never reached the queue
 * (its row is still RECEIVED), in which case this is its second chance.
 */
async function recordAndQueue(webhooks: readonly VerifiedWebhook[]): Promise<Recorded[]> {
  // A delivery repeated within the batch is written once; every copy gets the same answer.
  const unique = [...new Map(webhooks.map((webhook) => [keyOf(webhook), webhook])).values()];
  const insert: QueryConfig = {
    name: "record-webhook-deliveries",
    text: RECORD_DELIVERIES,
    values: [
      unique.map((webhook) => webhook.shop),
      unique.map((webhook) => webhook.webhookId),
      unique.map((webhook) => webhook.eventId ?? null),
      unique.map((webhook) => webhook.topic),
      unique.map((webhook) => webhook.apiVersion),
      unique.map((webhook) => timestamp(webhook.triggeredAt)),
      `[${unique.map((webhook) => webhook.rawBody).join(",")}]`,
    ],
  };
  const rows = needsDurableCommit(unique.map((webhook) => webhook.topic))
    ? (await pool.query<Recorded>(insert)).rows
    : await insertWithoutWaitingForFlush(insert);
  const byKey = new Map(rows.map((row) => [row.key, row]));
  const toQueue = rows.filter((row) => row.status === "RECEIVED");
  if (toQueue.length > 0) {
    const webhookByKey = new Map(unique.map((webhook) => [keyOf(webhook), webhook]));
    // One `add` per delivery rather than one `addBulk`: BullMQ's addBulk builds an ioredis
    // pipeline, and each pipeline copies every BullMQ script onto itself. At 500 deliveries/s
    // those copies were moved to the old generation at 6 MB/s, and the major collections that
    // followed took both cores for 100 ms at a time (docs/benchmarks.md).
    await Promise.all(
      toQueue.map((row) => {
        const webhook = webhookByKey.get(row.key)!;
        return queues().webhooks.add(
          webhook.topic,
          { deliveryId: row.id, shopDomain: webhook.shop, topic: webhook.topic },
          // The job id makes a second add of the same delivery a no-op while the first is queued.
          { jobId: `delivery-${row.id}` },
        );
      }),
    );
  }
  const seen = new Set<string>();
  return webhooks.map((webhook) => {
    const key = keyOf(webhook);
    const row = byKey.get(key)!;
    const first = !seen.has(key);
    seen.add(key);
    return { ...row, inserted: row.inserted && first };
  });
}

// Deliveries whose bodies finish arriving in the same turn of the event loop share one insert.
// The batch is cut with setImmediate, after the loop has read every socket that was ready:
// DataLoader's default (a microtask) would cut it after each request, since Node drains
// microtasks between I/O callbacks. At a steady rate most batches hold one delivery; after any
// pause the backlog is written in a few statements instead of one per delivery.
let batcher: DataLoader<VerifiedWebhook, Recorded, VerifiedWebhook> | undefined;

/** Records a verified delivery and queues it, answering what Shopify should be told. */
export async function acceptWebhook(webhook: VerifiedWebhook): Promise<Acceptance> {
  const invalid = invalidJson(webhook.rawBody);
  if (invalid) return { status: 400, body: { error: invalid } };
  batcher ??= new DataLoader(recordAndQueue, {
    cache: false,
    maxBatchSize: 500,
    batchScheduleFn: (dispatch) => setImmediate(dispatch),
  });
  const recorded = await batcher.load(webhook);
  return { status: 200, body: { ok: true, duplicate: !recorded.inserted } };
}
