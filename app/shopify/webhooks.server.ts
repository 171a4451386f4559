import DataLoader from "dataloader";
import type { QueryConfig } from "pg";
import { pool } from "~/db.server";
import { inTransaction } from "~/db/transaction";
import { queueDelivery } from "~/jobs/delivery-job";
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

/** A string PostgreSQL's jsonb cannot hold: a NUL character or a lone UTF-16 surrogate. */
const unstorable = (text: string) => text.includes("\u0000") || !text.isWellFormed();

function firstUnstorable(value: unknown): string | undefined {
  if (typeof value === "string") return unstorable(value) ? value : undefined;
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (unstorable(key)) return key;
    const found = firstUnstorable(item);
    if (found !== undefined) return found;
  }
  return undefined;
}

// Only an escape can put either into a JSON text that parsed: raw NULs are invalid JSON.
const MAY_BE_UNSTORABLE = /\\u(?:0000|d[89a-f])/i;

/** The body's own shop, where the topic carries one (the compliance topics, shop/update). */
function bodyShop(body: Record<string, unknown>): string | undefined {
  const named = body.shop_domain ?? body.myshopify_domain;
  return typeof named === "string" ? named : undefined;
}

/**
 * Why a verified body cannot be recorded, or undefined when it can. The HMAC proves the body
 * came from Shopify; the shop header is not signed, so a body naming its shop must name the
 * same one. A body that JavaScript parses but jsonb refuses is answered on its own here, not
 * discovered by the batch insert, where it would fail every delivery of the batch.
 */
export function invalidBody(rawBody: string, shop: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(rawBody);
  } catch (error) {
    return `payload is not valid JSON: ${(error as Error).message}`;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "payload must be a JSON object";
  if (MAY_BE_UNSTORABLE.test(rawBody) && firstUnstorable(value) !== undefined)
    return "payload holds a NUL character or an unpaired surrogate escape, which cannot be stored";
  const named = bodyShop(value as Record<string, unknown>);
  if (named !== undefined && named.toLowerCase() !== shop.toLowerCase())
    return "the payload's shop does not match the X-Shopify-Shop-Domain header";
  return undefined;
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
  /** The recorded row's own webhook id: an event repeated under a new one names the first. */
  webhookId: string;
}

// Insert what is new, and read back the first copy of what is not, in one statement. The
// bodies travel as one JSON array (each is already valid JSON): a text[] parameter would make
// pg escape every byte of every body. A delivery is a repeat when its webhook id or its event
// id (for the same topic) was recorded before; the shop id is set here so that the shop's
// cascade reaches the row.
const RECORD_DELIVERIES = `
  WITH input AS (
    SELECT t.*, p.payload
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamp[])
           WITH ORDINALITY AS t(shop, webhook_id, event_id, topic, api_version, triggered_at, n)
      JOIN jsonb_array_elements($7::jsonb) WITH ORDINALITY AS p(payload, n) USING (n)
  ), inserted AS (
    INSERT INTO "WebhookDelivery"
      ("shopId", "shopDomain", "webhookId", "eventId", "topic", "apiVersion", "triggeredAt",
       "payload")
    SELECT (SELECT s."id" FROM "Shop" s WHERE s."domain" = input.shop), shop, webhook_id,
           event_id, topic, api_version, triggered_at, payload
      FROM input
    ON CONFLICT DO NOTHING
    RETURNING "shopDomain", "webhookId", "id", "status"
  )
  SELECT i.shop || ' ' || i.webhook_id AS key, COALESCE(x."id", d."id")::text AS id,
         COALESCE(x."status", d."status")::text AS status, x."id" IS NOT NULL AS inserted,
         COALESCE(x."webhookId", d."webhookId") AS "webhookId"
    FROM input i
    LEFT JOIN inserted x ON x."shopDomain" = i.shop AND x."webhookId" = i.webhook_id
    LEFT JOIN LATERAL (
      SELECT e."id", e."status", e."webhookId" FROM "WebhookDelivery" e
       WHERE x."id" IS NULL AND e."shopDomain" = i.shop
         AND (e."webhookId" = i.webhook_id OR (e."eventId" = i.event_id AND e."topic" = i.topic))
       ORDER BY e."id" LIMIT 1) d ON true`;

/** Runs the insert in a transaction that commits without waiting for the WAL flush. */
function insertWithoutWaitingForFlush(insert: QueryConfig): Promise<Recorded[]> {
  return inTransaction(pool, async (client) => {
    await client.query("SET LOCAL synchronous_commit = off");
    return (await client.query<Recorded>(insert)).rows;
  });
}

const keyOf = (webhook: VerifiedWebhook) => `${webhook.shop} ${webhook.webhookId}`;
const eventKeyOf = (webhook: VerifiedWebhook) =>
  webhook.eventId ? `${webhook.shop} ${webhook.topic} event ${webhook.eventId}` : undefined;

/** Each delivery of a batch mapped to the first one of the batch it repeats (or itself). */
function firstCopies(webhooks: readonly VerifiedWebhook[]): Map<VerifiedWebhook, VerifiedWebhook> {
  const byKey = new Map<string, VerifiedWebhook>();
  const first = new Map<VerifiedWebhook, VerifiedWebhook>();
  for (const webhook of webhooks) {
    const keys = [keyOf(webhook), eventKeyOf(webhook)].filter((key) => key !== undefined);
    const original = keys.map((key) => byKey.get(key)).find(Boolean) ?? webhook;
    for (const key of keys) if (!byKey.has(key)) byKey.set(key, original);
    first.set(webhook, original);
  }
  return first;
}

/** SQLSTATE class 22 (data exception): what a body PostgreSQL cannot store raises. */
const isDataException = (error: unknown) =>
  typeof (error as { code?: unknown }).code === "string" &&
  (error as { code: string }).code.startsWith("22");

/**
 * Records a batch of deliveries in one statement and queues the new ones. Shopify delivers at
 * least once, so (shop, webhook id) and (shop, topic, event id) are idempotency keys: a repeat
 * is acknowledged without being queued again, unless the first copy never reached the queue
 * (its row is still RECEIVED), in which case this is its second chance.
 */
async function recordAndQueue(webhooks: readonly VerifiedWebhook[]): Promise<Recorded[]> {
  // A delivery repeated within the batch is written once; every copy gets the same answer.
  const first = firstCopies(webhooks);
  const unique = [...new Set(first.values())];
  const insert: QueryConfig = {
    name: "record-webhook-deliveries-v2",
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
        // The job id makes a second add of the same delivery a no-op while the first is queued.
        return queueDelivery(queues().webhooks, {
          id: row.id,
          shopDomain: webhook.shop,
          webhookId: webhook.webhookId,
          topic: webhook.topic,
        });
      }),
    );
  }
  const answered = new Set<VerifiedWebhook>();
  return webhooks.map((webhook) => {
    const original = first.get(webhook)!;
    const row = byKey.get(keyOf(original))!;
    const inserted = row.inserted && original === webhook && !answered.has(webhook);
    answered.add(webhook);
    return { ...row, inserted };
  });
}

/**
 * A batch that PostgreSQL refused for its data (a body the checks above let through) is
 * written again one delivery at a time, so that only the bad one fails, with a 400.
 */
async function recordEachOnItsOwn(
  webhooks: readonly VerifiedWebhook[],
): Promise<(Recorded | Error)[]> {
  try {
    return await recordAndQueue(webhooks);
  } catch (error) {
    if (!isDataException(error)) throw error;
    if (webhooks.length === 1) return [new UnstorableBody((error as Error).message)];
    return Promise.all(
      webhooks.map((webhook) =>
        recordAndQueue([webhook]).then(
          ([row]) => row,
          (single: unknown) => {
            if (isDataException(single)) return new UnstorableBody((single as Error).message);
            throw single;
          },
        ),
      ),
    );
  }
}

class UnstorableBody extends Error {}

// Deliveries whose bodies finish arriving in the same turn of the event loop share one insert.
// The batch is cut with setImmediate, after the loop has read every socket that was ready:
// DataLoader's default (a microtask) would cut it after each request, since Node drains
// microtasks between I/O callbacks. At a steady rate most batches hold one delivery; after any
// pause the backlog is written in a few statements instead of one per delivery.
let batcher: DataLoader<VerifiedWebhook, Recorded, VerifiedWebhook> | undefined;

/** Records a verified delivery and queues it, answering what Shopify should be told. */
export async function acceptWebhook(webhook: VerifiedWebhook): Promise<Acceptance> {
  const invalid = invalidBody(webhook.rawBody, webhook.shop);
  if (invalid) return { status: 400, body: { error: invalid } };
  batcher ??= new DataLoader(recordEachOnItsOwn, {
    cache: false,
    maxBatchSize: 500,
    batchScheduleFn: (dispatch) => setImmediate(dispatch),
  });
  let recorded: Recorded;
  try {
    recorded = await batcher.load(webhook);
  } catch (error) {
    if (error instanceof UnstorableBody)
      return { status: 400, body: { error: `payload cannot be stored: ${error.message}` } };
    throw error;
  }
  return { status: 200, body: { ok: true, duplicate: !recorded.inserted } };
}
