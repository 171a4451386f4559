/**
 * The engine's counting rules and order value (app/segmentation/orders.ts, docs/money.md) as SQL
 * over an "Order" row, for reports computed in the database (cohort retention, promotion
 * windows). Every such query reads an order's value through `orderValueSql`, so when the
 * engine's value changes this is the one place to follow it; it mirrors the recompute's loader
 * (app/segments/load.server.ts).
 *
 * `asOf` is an SQL expression for a UTC timestamp: refunds made after it are not seen, as a
 * backtest or a report as of an earlier date must not see them. Without it every refund counts.
 */

/** Net merchandise sales before refunds; rows synced before it was read fall back on the subtotal. */
const merchandiseSql = (o: string): string =>
  `COALESCE(${o}."merchandiseMinor", ${o}."subtotalMinor")`;

/** Merchandise refunded by `asOf`: each dated refund from its own date. */
function refundedSql(o: string, asOf?: string): string {
  const refundedByNow = `(CASE WHEN ${o}."merchandiseMinor" IS NULL
      THEN LEAST(${o}."refundedMinor", ${o}."subtotalMinor")
      ELSE ${o}."refundedMerchandiseMinor" END)`;
  if (asOf === undefined) return refundedByNow;
  return `(CASE WHEN jsonb_array_length(${o}."refunds") = 0 THEN ${refundedByNow}
      ELSE (SELECT COALESCE(sum((r->>'merchandiseMinor')::bigint), 0)
              FROM jsonb_array_elements(${o}."refunds") r
             WHERE (r->>'at')::timestamptz <= (${asOf}) AT TIME ZONE 'UTC') END)`;
}

/** Counted orders: not deleted, cancelled or a test, with merchandise left after refunds. */
export const countedOrderSql = (o: string, asOf?: string): string =>
  `${o}."deletedAt" IS NULL AND ${o}."cancelledAt" IS NULL AND NOT ${o}."test"
   AND ${merchandiseSql(o)} - ${refundedSql(o, asOf)} > 0`;

/** An order's value, minor units: net merchandise sales less the refunds made by `asOf`. */
export const orderValueSql = (o: string, asOf?: string): string =>
  `(${merchandiseSql(o)} - ${refundedSql(o, asOf)})`;

/** Whether the order used a discount. */
export const discountedOrderSql = (o: string): string => `(${o}."discountMinor" > 0)`;
