import type pg from "pg";
import { inTransaction } from "~/db/transaction";
import type { CustomerRow, OrderRow } from "./mapping";
import { tombstoned } from "./tombstones.server";

/**
 * Writes customers and orders read from Shopify. One statement per batch (rows passed as
 * arrays and unnested), so a backfill page of 250 orders costs one round trip, not 250.
 * The guard `stored.updatedAt <= incoming.updatedAt` makes every write idempotent and keeps an
 * older version (a late or reordered webhook) from overwriting a newer one.
 *
 * They run on pg directly, not through Prisma: for the backfill's thousands of rows per batch,
 * Prisma's handling of every array parameter cost more than PostgreSQL's work. Callers pass the
 * app's pool (webhooks) or a connection of their own (a sync, see backfill.server).
 */
export type Database = pg.Pool | pg.ClientBase;

// Prisma maps DateTime to `timestamp(3)` holding UTC; pass UTC wall-clock text.
const utc = (value: Date) => value.toISOString().slice(0, -1);
const utcOrNull = (value: Date | null) => (value ? utc(value) : null);

/** A tag array without the tags under the shop's Propel prefix, sorted. */
const foreignTags = (column: string) =>
  `ARRAY(SELECT t FROM unnest(${column}) AS t
          WHERE t NOT LIKE (SELECT "tagPrefix" FROM "Shop" WHERE "id" = $1) || ':%' ORDER BY t)`;

export async function upsertCustomers(
  db: Database,
  shopId: number,
  given: CustomerRow[],
): Promise<number> {
  // A customer redacted while this batch was read from the store is not imported again.
  const erased = await tombstoned(
    db,
    shopId,
    "customer",
    given.map((row) => row.id),
  );
  const rows = erased.size > 0 ? given.filter((row) => !erased.has(row.id)) : given;
  if (rows.length === 0) return 0;
  const { rowCount } = await db.query(
    `INSERT INTO "Customer" ("shopId", "id", "email", "firstName", "lastName", "tags",
        "emailMarketingState", "shopifyCreatedAt", "shopifyUpdatedAt", "syncedAt",
        "shopifyRfmGroup", "shopifyPredictedSpendTier")
     SELECT $1, r.id, r.email, r.first_name, r.last_name,
            COALESCE(ARRAY(SELECT jsonb_array_elements_text(r.tags)), '{}'),
            r.marketing, r.created_at, r.updated_at, now() AT TIME ZONE 'UTC',
            r.rfm_group, r.spend_tier
       FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[],
                   $8::timestamp[], $9::timestamp[], $10::text[], $11::text[])
         AS r(id, email, first_name, last_name, tags, marketing, created_at, updated_at,
              rfm_group, spend_tier)
     ON CONFLICT ("shopId", "id") DO UPDATE SET
       "email" = EXCLUDED."email", "firstName" = EXCLUDED."firstName",
       "lastName" = EXCLUDED."lastName", "tags" = EXCLUDED."tags",
       "emailMarketingState" = EXCLUDED."emailMarketingState",
       "shopifyUpdatedAt" = EXCLUDED."shopifyUpdatedAt",
       -- Shopify's statistics are no input to Propel's segments: they leave syncedAt alone.
       "shopifyRfmGroup" = EXCLUDED."shopifyRfmGroup",
       "shopifyPredictedSpendTier" = EXCLUDED."shopifyPredictedSpendTier",
       -- syncedAt tells the recompute a customer changed. Propel's own tags coming back in
       -- customers/update webhooks after a push are not a change to segment on, or every push
       -- would rescore every customer it touched.
       "syncedAt" = CASE
         WHEN "Customer"."deletedAt" IS NOT NULL
           OR "Customer"."emailMarketingState" IS DISTINCT FROM EXCLUDED."emailMarketingState"
           OR ${foreignTags('"Customer"."tags"')} IS DISTINCT FROM ${foreignTags('EXCLUDED."tags"')}
         THEN EXCLUDED."syncedAt" ELSE "Customer"."syncedAt" END,
       "deletedAt" = NULL
     WHERE "Customer"."shopifyUpdatedAt" <= EXCLUDED."shopifyUpdatedAt"
       AND "Customer"."redactedAt" IS NULL`,
    [
      shopId,
      rows.map((row) => row.id.toString()),
      rows.map((row) => row.email),
      rows.map((row) => row.firstName),
      rows.map((row) => row.lastName),
      rows.map((row) => JSON.stringify(row.tags)),
      rows.map((row) => row.emailMarketingState),
      rows.map((row) => utc(row.shopifyCreatedAt)),
      rows.map((row) => utc(row.shopifyUpdatedAt)),
      rows.map((row) => row.shopifyRfmGroup ?? null),
      rows.map((row) => row.shopifyPredictedSpendTier ?? null),
    ],
  );
  return rowCount ?? 0;
}

/**
 * Orders named by a customers/redact are not imported again, and an order of a redacted
 * customer is kept (the shop's totals need it) without the link to them.
 */
async function withoutRedacted(db: Database, shopId: number, rows: OrderRow[]) {
  const erasedOrders = await tombstoned(
    db,
    shopId,
    "order",
    rows.map((row) => row.id),
  );
  const customers = rows.flatMap((row) => (row.customerId ? [row.customerId] : []));
  const erasedCustomers = await tombstoned(db, shopId, "customer", customers);
  if (erasedOrders.size === 0 && erasedCustomers.size === 0) return rows;
  return rows
    .filter((row) => !erasedOrders.has(row.id))
    .map((row) =>
      row.customerId !== null && erasedCustomers.has(row.customerId)
        ? { ...row, customerId: null }
        : row,
    );
}

/** Customers an order refers to but Shopify has not shown us yet get a placeholder row. */
async function ensureCustomers(client: pg.ClientBase, shopId: number, rows: OrderRow[]) {
  const ids = [...new Set(rows.flatMap((row) => (row.customerId ? [row.customerId] : [])))];
  if (ids.length === 0) return;
  const epoch = "1970-01-01T00:00:00.000";
  await client.query(
    `INSERT INTO "Customer" ("shopId", "id", "shopifyCreatedAt", "shopifyUpdatedAt")
     SELECT $1, id, $3::timestamp, $3::timestamp FROM unnest($2::bigint[]) AS id
     ON CONFLICT DO NOTHING`,
    [shopId, ids.map(String), epoch],
  );
}

/**
 * Writes orders with their line items (and placeholders for customers not seen yet) in one
 * transaction: a worker killed halfway leaves the batch unwritten, to be written again. Returns
 * how many orders changed: an order whose stored version is newer is left alone, line items
 * included.
 */
export async function upsertOrders(
  db: Database,
  shopId: number,
  given: OrderRow[],
): Promise<number> {
  if (given.length === 0) return 0;
  const rows = await withoutRedacted(db, shopId, given);
  if (rows.length === 0) return 0;
  return inTransaction(db, async (tx) => {
    await ensureCustomers(tx, shopId, rows);
    // RETURNING lists only the orders this write changed; only their line items are replaced.
    // `xmax` is 0 on a row version this statement inserted and set on one it updated: only an
    // order that was there before can have line items to delete.
    const { rows: written } = await tx.query<{ id: string; updated: boolean }>(
      `INSERT INTO "Order" ("shopId", "id", "customerId", "name", "processedAt", "shopifyCreatedAt",
          "shopifyUpdatedAt", "cancelledAt", "test", "financialStatus", "currency", "totalMinor",
          "subtotalMinor", "discountMinor", "refundedMinor", "discountCodes", "sourceName", "syncedAt",
          "merchandiseMinor", "shippingMinor", "taxMinor", "refundedMerchandiseMinor", "refunds")
       SELECT $1, r.id, r.customer_id, r.name, r.processed_at, r.created_at, r.updated_at,
              r.cancelled_at, r.test, r.financial_status, r.currency, r.total, r.subtotal,
              r.discount, r.refunded,
              COALESCE(ARRAY(SELECT jsonb_array_elements_text(r.codes)), '{}'), r.source,
              now() AT TIME ZONE 'UTC', r.merchandise, r.shipping, r.tax, r.refunded_merchandise,
              r.refunds
         FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::timestamp[], $6::timestamp[],
                     $7::timestamp[], $8::timestamp[], $9::boolean[], $10::text[], $11::text[],
                     $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[], $16::jsonb[],
                     $17::text[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[],
                     $22::jsonb[])
           AS r(id, customer_id, name, processed_at, created_at, updated_at, cancelled_at, test,
                financial_status, currency, total, subtotal, discount, refunded, codes, source,
                merchandise, shipping, tax, refunded_merchandise, refunds)
       ON CONFLICT ("shopId", "id") DO UPDATE SET
         "customerId" = EXCLUDED."customerId", "name" = EXCLUDED."name",
         "processedAt" = EXCLUDED."processedAt", "shopifyUpdatedAt" = EXCLUDED."shopifyUpdatedAt",
         "cancelledAt" = EXCLUDED."cancelledAt", "test" = EXCLUDED."test",
         "financialStatus" = EXCLUDED."financialStatus", "currency" = EXCLUDED."currency",
         "totalMinor" = EXCLUDED."totalMinor", "subtotalMinor" = EXCLUDED."subtotalMinor",
         "discountMinor" = EXCLUDED."discountMinor", "refundedMinor" = EXCLUDED."refundedMinor",
         "discountCodes" = EXCLUDED."discountCodes", "sourceName" = EXCLUDED."sourceName",
         "syncedAt" = EXCLUDED."syncedAt", "deletedAt" = NULL,
         "merchandiseMinor" = EXCLUDED."merchandiseMinor", "shippingMinor" = EXCLUDED."shippingMinor",
         "taxMinor" = EXCLUDED."taxMinor",
         "refundedMerchandiseMinor" = EXCLUDED."refundedMerchandiseMinor",
         "refunds" = EXCLUDED."refunds"
       WHERE "Order"."shopifyUpdatedAt" <= EXCLUDED."shopifyUpdatedAt"
       RETURNING "id"::text AS "id", "xmax" <> 0 AS "updated"`,
      [
        shopId,
        rows.map((row) => row.id.toString()),
        rows.map((row) => row.customerId?.toString() ?? null),
        rows.map((row) => row.name),
        rows.map((row) => utc(row.processedAt)),
        rows.map((row) => utc(row.shopifyCreatedAt)),
        rows.map((row) => utc(row.shopifyUpdatedAt)),
        rows.map((row) => utcOrNull(row.cancelledAt)),
        rows.map((row) => row.test),
        rows.map((row) => row.financialStatus),
        rows.map((row) => row.currency),
        rows.map((row) => row.totalMinor.toString()),
        rows.map((row) => row.subtotalMinor.toString()),
        rows.map((row) => row.discountMinor.toString()),
        rows.map((row) => row.refundedMinor.toString()),
        rows.map((row) => JSON.stringify(row.discountCodes)),
        rows.map((row) => row.sourceName),
        rows.map((row) => row.merchandiseMinor.toString()),
        rows.map((row) => row.shippingMinor.toString()),
        rows.map((row) => row.taxMinor.toString()),
        rows.map((row) => row.refundedMerchandiseMinor.toString()),
        rows.map((row) => JSON.stringify(row.refunds)),
      ],
    );
    const changed = new Set(written.map((row) => row.id));
    if (changed.size === 0) return 0;
    const items = rows
      .filter((row) => changed.has(row.id.toString()))
      .flatMap((row) => row.lineItems.map((item) => ({ orderId: row.id, ...item })));
    const updated = written.filter((row) => row.updated).map((row) => row.id);
    if (updated.length > 0) {
      // Without statistics on the table (autovacuum not round yet), the planner takes
      // `orderId = ANY(thousands of ids)` for matching every row and reads all the shop's line
      // items, once per batch; the backfill analyzes the table before its orders for this.
      await tx.query(
        `DELETE FROM "OrderLineItem" WHERE "shopId" = $1 AND "orderId" = ANY($2::bigint[])`,
        [shopId, updated],
      );
    }
    if (items.length > 0) {
      await tx.query(
        `INSERT INTO "OrderLineItem" ("shopId", "id", "orderId", "productId", "variantId", "title",
            "productType", "vendor", "quantity", "unitPriceMinor", "discountMinor")
         SELECT $1, r.* FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],
                                    $6::text[], $7::text[], $8::text[], $9::int[], $10::bigint[],
                                    $11::bigint[]) AS r
         ON CONFLICT ("shopId", "id") DO UPDATE SET "orderId" = EXCLUDED."orderId",
           "quantity" = EXCLUDED."quantity", "unitPriceMinor" = EXCLUDED."unitPriceMinor",
           "discountMinor" = EXCLUDED."discountMinor"`,
        [
          shopId,
          items.map((item) => item.id.toString()),
          items.map((item) => item.orderId.toString()),
          items.map((item) => item.productId?.toString() ?? null),
          items.map((item) => item.variantId?.toString() ?? null),
          items.map((item) => item.title),
          items.map((item) => item.productType),
          items.map((item) => item.vendor),
          items.map((item) => item.quantity),
          items.map((item) => item.unitPriceMinor.toString()),
          items.map((item) => item.discountMinor.toString()),
        ],
      );
    }
    return changed.size;
  });
}
