import type { PrismaClient } from "@prisma/client";
import type { CustomerInput, LineItemInput, OrderInput } from "~/segmentation";

/**
 * Reads a shop's orders and customers out of PostgreSQL into the engine's input shapes. Orders
 * come in keyset pages (customer, id) so a million-order shop streams in bounded queries; deleted
 * orders and the orders of deleted or redacted customers are left out, as they no longer belong
 * to anyone's history.
 */
const PAGE = 20_000;

interface OrderRowRaw {
  id: bigint;
  customerId: bigint;
  processedAt: Date;
  currency: string;
  totalMinor: bigint;
  discountMinor: bigint;
  refundedMinor: bigint;
  refunds: { at: string; merchandiseMinor: number }[];
  cancelled: boolean;
  test: boolean;
}

interface LineRowRaw {
  orderId: bigint;
  productId: bigint | null;
  productType: string | null;
  vendor: string | null;
  quantity: number;
  unitPriceMinor: bigint;
}

/** The customers in scope: `null` means the whole shop. */
export type CustomerScope = readonly bigint[] | null;

const scopeClause = (scope: CustomerScope, param: number) =>
  scope === null ? "" : `AND o."customerId" = ANY($${param}::bigint[])`;

export async function loadOrders(
  prisma: PrismaClient,
  shopId: number,
  scope: CustomerScope,
): Promise<OrderInput[]> {
  const orders: OrderInput[] = [];
  let after: [bigint, bigint] = [-1n, -1n];
  for (;;) {
    const params: unknown[] = [shopId, after[0].toString(), after[1].toString(), PAGE];
    if (scope !== null) params.push(scope.map(String));
    const rows = await prisma.$queryRawUnsafe<OrderRowRaw[]>(
      `SELECT o."id", o."customerId", o."processedAt", o."currency",
              COALESCE(o."merchandiseMinor", o."subtotalMinor") AS "totalMinor",
              o."discountMinor",
              CASE WHEN o."merchandiseMinor" IS NULL
                   THEN LEAST(o."refundedMinor", o."subtotalMinor")
                   ELSE o."refundedMerchandiseMinor" END AS "refundedMinor",
              o."refunds", o."cancelledAt" IS NOT NULL AS "cancelled",
              o."test"
         FROM "Order" o
         JOIN "Customer" c ON c."shopId" = o."shopId" AND c."id" = o."customerId"
        WHERE o."shopId" = $1 AND o."deletedAt" IS NULL
          AND c."deletedAt" IS NULL AND c."redactedAt" IS NULL
          AND (o."customerId", o."id") > ($2::bigint, $3::bigint) AND c."id" >= $2::bigint
          ${scopeClause(scope, 5)}
        ORDER BY o."customerId", o."id"
        LIMIT $4`,
      ...params,
    );
    if (rows.length === 0) break;
    const lines = await loadLineItems(
      prisma,
      shopId,
      rows.map((row) => row.id),
    );
    for (const row of rows) {
      orders.push({
        orderId: row.id.toString(),
        customerId: row.customerId.toString(),
        processedAt: row.processedAt,
        currency: row.currency,
        totalMinor: row.totalMinor,
        discountMinor: row.discountMinor,
        refundedMinor: row.refundedMinor,
        // Net merchandise sales (docs/money.md): each refund from its own date.
        refunds: row.refunds.map((refund) => ({
          processedAt: refund.at,
          amountMinor: refund.merchandiseMinor,
        })),
        cancelled: row.cancelled,
        test: row.test,
        lineItems: lines.get(row.id) ?? [],
      });
    }
    const last = rows[rows.length - 1];
    after = [last.customerId, last.id];
    if (rows.length < PAGE) break;
  }
  return orders;
}

async function loadLineItems(prisma: PrismaClient, shopId: number, orderIds: bigint[]) {
  const rows = await prisma.$queryRawUnsafe<LineRowRaw[]>(
    `SELECT "orderId", "productId", "productType", "vendor", "quantity", "unitPriceMinor"
       FROM "OrderLineItem" WHERE "shopId" = $1 AND "orderId" = ANY($2::bigint[])`,
    shopId,
    orderIds.map(String),
  );
  const byOrder = new Map<bigint, LineItemInput[]>();
  for (const row of rows) {
    const list = byOrder.get(row.orderId) ?? [];
    list.push({
      productId: row.productId?.toString(),
      productType: row.productType ?? undefined,
      vendor: row.vendor ?? undefined,
      quantity: row.quantity,
      unitPriceMinor: row.unitPriceMinor,
    });
    byOrder.set(row.orderId, list);
  }
  return byOrder;
}

interface CustomerRowRaw {
  id: bigint;
  tags: string[];
  emailMarketingState: string | null;
}

/** Customers who can be segmented (not deleted, not redacted), prospects included. */
export async function loadCustomers(
  prisma: PrismaClient,
  shopId: number,
  scope: CustomerScope,
): Promise<CustomerInput[]> {
  const customers: CustomerInput[] = [];
  let after = -1n;
  for (;;) {
    const params: unknown[] = [shopId, after.toString(), PAGE * 5];
    if (scope !== null) params.push(scope.map(String));
    const rows = await prisma.$queryRawUnsafe<CustomerRowRaw[]>(
      `SELECT "id", "tags", "emailMarketingState" FROM "Customer"
        WHERE "shopId" = $1 AND "deletedAt" IS NULL AND "redactedAt" IS NULL AND "id" > $2::bigint
          ${scope === null ? "" : `AND "id" = ANY($4::bigint[])`}
        ORDER BY "id" LIMIT $3`,
      ...params,
    );
    for (const row of rows) {
      customers.push({
        id: row.id.toString(),
        tags: row.tags,
        emailMarketingConsent:
          row.emailMarketingState === null ? undefined : row.emailMarketingState === "SUBSCRIBED",
      });
    }
    if (rows.length < PAGE * 5) break;
    after = rows[rows.length - 1].id;
  }
  return customers;
}

/**
 * Rows synced this close before a run's start are looked at again by the next run: a write's
 * `syncedAt` is its transaction's start, and a sync batch may commit a little after the
 * watermark was read. Rescoring a customer twice is harmless; missing one is not.
 */
export const WATERMARK_OVERLAP_MS = 10_000;

/**
 * Customers whose rows or orders were written since the watermark `through` (less the overlap):
 * the incremental recompute's scope. Deleted and redacted customers are included, so their
 * memberships are taken away. `fresh` counts those written after `through` (the previous run's
 * start), as opposed to the overlap the previous run already looked at.
 */
export async function changedCustomers(
  db: Pick<PrismaClient, "$queryRawUnsafe">,
  shopId: number,
  through: Date,
): Promise<{ ids: bigint[]; fresh: number }> {
  const since = new Date(through.getTime() - WATERMARK_OVERLAP_MS);
  const rows = await db.$queryRawUnsafe<{ id: bigint; fresh: boolean }[]>(
    `SELECT "id", bool_or("syncedAt" > $3::timestamp) AS fresh FROM (
       SELECT "id", "syncedAt" FROM "Customer" WHERE "shopId" = $1 AND "syncedAt" > $2::timestamp
       UNION ALL
       SELECT "customerId", "syncedAt" FROM "Order"
        WHERE "shopId" = $1 AND "syncedAt" > $2::timestamp AND "customerId" IS NOT NULL
     ) changed GROUP BY "id"`,
    shopId,
    since.toISOString().slice(0, -1),
    through.toISOString().slice(0, -1),
  );
  return { ids: rows.map((row) => row.id), fresh: rows.filter((row) => row.fresh).length };
}

/** Minutes the shop's clock is ahead of UTC now, from its IANA time zone. */
export function utcOffsetMinutes(timeZone: string, at = new Date()): number {
  try {
    const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
      .formatToParts(at)
      .find((part) => part.type === "timeZoneName")?.value;
    const match = name?.match(/GMT([+-])(\d{2}):(\d{2})/);
    if (!match) return 0;
    const minutes = Number(match[2]) * 60 + Number(match[3]);
    return match[1] === "-" ? -minutes : minutes;
  } catch {
    return 0;
  }
}
