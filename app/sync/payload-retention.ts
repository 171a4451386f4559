/**
 * What is left of a webhook body once its delivery is applied (docs/privacy.md). Bodies carry
 * names, emails, addresses and phones; after the worker has applied one, Propel keeps only what
 * a later read needs, and nothing personal:
 *
 *   customers/data_request  the ids the export is built from (customer, orders, request);
 *   bulk_operations/finish  the operation's id and status, which a waiting backfill reads;
 *   everything else         nothing (the row keeps topic, times, status and error).
 *
 * Bodies of deliveries not applied yet (or failed) stay until then, or until the retention job
 * deletes the row (app/jobs/retention.server.ts).
 */
import type { PrismaClient } from "@prisma/client";

// In SQL, on the stored jsonb: `->>` gives a number's exact digits, where reading the body into
// JavaScript would round an 18-digit id.
const MINIMISED = `CASE "topic"
  WHEN 'customers/data_request' THEN jsonb_build_object(
    'customer', jsonb_build_object('id', COALESCE("payload" -> 'customer' ->> 'admin_graphql_api_id',
                                                  "payload" -> 'customer' ->> 'id')),
    'orders_requested', COALESCE(
      (SELECT jsonb_agg(o #>> '{}') FROM jsonb_array_elements(
         CASE WHEN jsonb_typeof("payload" -> 'orders_requested') = 'array'
              THEN "payload" -> 'orders_requested' ELSE '[]'::jsonb END) AS o), '[]'::jsonb),
    'data_request', jsonb_build_object('id', "payload" -> 'data_request' ->> 'id'))
  WHEN 'bulk_operations/finish' THEN jsonb_build_object(
    'admin_graphql_api_id', "payload" -> 'admin_graphql_api_id', 'status', "payload" -> 'status')
  ELSE NULL END`;

/** Marks a delivery applied and cuts its body down to the stub above, in one statement. */
export async function markProcessed(prisma: PrismaClient, id: bigint): Promise<void> {
  await prisma.$executeRawUnsafe(
    `UPDATE "WebhookDelivery"
        SET "status" = 'PROCESSED', "processedAt" = now() AT TIME ZONE 'UTC', "error" = NULL,
            "payload" = ${MINIMISED}
      WHERE "id" = $1`,
    id,
  );
}
