import type { PrismaClient } from "@prisma/client";
import { countedOrderSql, discountedOrderSql, orderValueSql } from "./order-value-sql";
import { changedCustomers } from "./load.server";

/**
 * Keeps the cohort retention report's input: per customer and calendar month of the shop, the
 * value of their counted orders, with the month of their first counted order and whether it used
 * a discount ("CustomerMonth"). At a million customers the report over raw orders took 8–15 s
 * (a hash aggregate of every order plus a sort for the first ones); over these rows it sums about
 * two per customer.
 *
 * The tallies follow the orders, not the models, so they have their own watermark: each run
 * rewrites the customers synced since the previous one (the same `syncedAt` scope as the
 * incremental recompute, deleted and redacted customers included so their rows go), and all of
 * them the first time or when the shop's time zone changed (months are the shop's calendar
 * months, daylight saving included).
 */

export interface TallyOutcome {
  kind: "all" | "changed" | "none";
  /** Customers rewritten, when only the changed ones were. */
  customers?: number;
  ms: number;
}

export async function refreshRetentionTallies(
  prisma: PrismaClient,
  shopId: number,
): Promise<TallyOutcome> {
  const now = new Date();
  const started = performance.now();
  const outcome = await prisma.$transaction(
    async (tx) => {
      // Two runs of the shop (on different workers) must not rewrite the same customers at once.
      await tx.$executeRawUnsafe(
        `SELECT pg_advisory_xact_lock(hashtext('propel:retention-tallies'), $1)`,
        shopId,
      );
      const shop = await tx.shop.findUniqueOrThrow({
        where: { id: shopId },
        select: { ianaTimezone: true, retentionTalliedThrough: true, retentionTimeZone: true },
      });
      const through = shop.retentionTalliedThrough;
      const everyone = through === null || shop.retentionTimeZone !== shop.ianaTimezone;
      let scope: bigint[] | null = null;
      if (!everyone) scope = (await changedCustomers(tx, shopId, through)).ids;
      if (scope === null)
        await tx.$executeRawUnsafe(`DELETE FROM "CustomerMonth" WHERE "shopId" = $1`, shopId);
      else if (scope.length > 0)
        await tx.$executeRawUnsafe(
          `DELETE FROM "CustomerMonth" WHERE "shopId" = $1 AND "customerId" = ANY($2::bigint[])`,
          shopId,
          scope,
        );
      if (scope === null || scope.length > 0)
        await tx.$executeRawUnsafe(
          tallySql(scope !== null),
          shopId,
          shop.ianaTimezone,
          ...(scope === null ? [] : [scope]),
        );
      await tx.shop.update({
        where: { id: shopId },
        data: { retentionTalliedThrough: now, retentionTimeZone: shop.ianaTimezone },
      });
      return {
        kind: scope === null ? "all" : scope.length > 0 ? "changed" : "none",
        customers: scope?.length,
        ms: Math.round(performance.now() - started),
      } satisfies TallyOutcome;
    },
    { timeout: 30 * 60_000, maxWait: 60_000 },
  );
  // Without statistics for the rewritten rows the planner takes the table for a few pages and
  // probes the memberships once per row: 5.6 s instead of 1 s for one segment at 1M customers.
  if (outcome.kind === "all") await prisma.$executeRawUnsafe(`ANALYZE "CustomerMonth"`);
  return outcome;
}

/**
 * Customer months of the shop ($1), in time zone $2, for the customers $3 (or all of them). An
 * order falls in the month whose start (local midnight of its first day, as a UTC instant) is
 * the last one at or before it: `width_bucket` against the month starts, computed once, instead
 * of converting every order's time.
 */
function tallySql(scoped: boolean): string {
  return `INSERT INTO "CustomerMonth"
            ("shopId", "customerId", "month", "cohort", "firstDiscounted", "revenueMinor")
    WITH counted AS MATERIALIZED (
       SELECT o."customerId" AS cid, o."id" AS oid, o."processedAt" AS at,
              ${orderValueSql("o")} AS value, ${discountedOrderSql("o")} AS discounted
         FROM "Order" o
         JOIN "Customer" c ON c."shopId" = o."shopId" AND c."id" = o."customerId"
        WHERE o."shopId" = $1 AND c."deletedAt" IS NULL AND c."redactedAt" IS NULL
          AND ${countedOrderSql("o")}
          ${scoped ? `AND o."customerId" = ANY($3::bigint[])` : ""}),
     months AS (
       SELECT array_agg((d AT TIME ZONE $2) AT TIME ZONE 'UTC' ORDER BY d) AS starts,
              (extract(year FROM min(d)) * 12 + extract(month FROM min(d)) - 1)::int AS first
         FROM generate_series(
                date_trunc('month', (SELECT (min(at) AT TIME ZONE 'UTC') AT TIME ZONE $2 FROM counted)),
                (SELECT (max(at) AT TIME ZONE 'UTC') AT TIME ZONE $2 FROM counted),
                interval '1 month') AS d),
     bucketed AS (
       SELECT cid, oid, at, value, discounted,
              (SELECT first FROM months) + width_bucket(at, (SELECT starts FROM months)) - 1 AS m
         FROM counted),
     monthly AS (SELECT cid, m, sum(value) AS value FROM bucketed GROUP BY cid, m),
     firsts AS (SELECT DISTINCT ON (cid) cid, m AS cohort, discounted FROM bucketed
                 ORDER BY cid, at, oid)
    SELECT $1, mo.cid, mo.m, f.cohort, f.discounted, mo.value
      FROM monthly mo JOIN firsts f ON f.cid = mo.cid`;
}
