import prisma from "~/db.server";
import { countedOrderSql, discountedOrderSql, orderValueSql } from "~/segments/order-value-sql";
import { segmentDefinition } from "~/segmentation/catalog";
import {
  monthLabel,
  shapeRetention,
  type GroupRetention,
  type RetentionTally,
} from "~/segmentation/retention";
import { RETENTION_SPLITS, type RetentionSplit } from "./retention-splits";

/**
 * The cohort retention report, computed in PostgreSQL: one pass over the shop's counted orders
 * gives, per group, first-order month and month offset, the customers who ordered and their net
 * revenue; app/segmentation/retention.ts shapes that into the triangle, the curve and the repeat
 * rate. Months are the shop's calendar months (its IANA time zone, daylight saving included).
 */

export const ALL = "all";
const DISCOUNTED = "discount";
const FULL_PRICE = "full-price";

export function groupLabel(group: string): string {
  if (group === ALL) return "All customers";
  if (group === DISCOUNTED) return "First order discounted";
  if (group === FULL_PRICE) return "First order at full price";
  return segmentDefinition(group)?.label ?? group;
}

export interface RetentionOptions {
  split: RetentionSplit;
  /** Only the current members of this segment. */
  segment?: string;
  asOf?: Date;
}

/** Per-(group, cohort, offset) tallies; "all" is always one of the groups. */
export async function retentionTallies(
  shop: { id: number },
  timeZone: string,
  options: RetentionOptions,
): Promise<RetentionTally[]> {
  const asOf = options.asOf ?? new Date();
  const params: unknown[] = [shop.id, timeZone, asOf.toISOString().slice(0, -1)];
  // Refunds dated after the as-of instant are left out; a report as of now has none of those,
  // and reads each order's refunded total without opening its list of dated refunds.
  const refundsAsOf = options.asOf ? "$3::timestamp" : undefined;
  const split =
    options.split === "none"
      ? ""
      : options.split === "discount"
        ? `UNION ALL SELECT f.cid, f.cohort,
                  CASE WHEN f.discounted THEN '${DISCOUNTED}' ELSE '${FULL_PRICE}' END FROM firsts f`
        : `UNION ALL SELECT f.cid, f.cohort, sm."segmentKey" FROM firsts f
             JOIN "SegmentMembership" sm ON sm."shopId" = $1 AND sm."customerId" = f.cid
              AND sm."segmentKey" LIKE $${params.push(`${options.split}:%`)}`;
  const segmentFilter =
    options.segment === undefined
      ? ""
      : `AND EXISTS (SELECT 1 FROM "SegmentMembership" s WHERE s."shopId" = $1
                        AND s."customerId" = o."customerId" AND s."segmentKey" = $${params.push(options.segment)})`;
  const sql = `WITH months AS (
       SELECT array_agg((d AT TIME ZONE $2) AT TIME ZONE 'UTC' ORDER BY d) AS starts,
              (extract(year FROM min(d)) * 12 + extract(month FROM min(d)) - 1)::int AS first
         FROM generate_series(
                date_trunc('month', (SELECT (min("processedAt") AT TIME ZONE 'UTC') AT TIME ZONE $2
                                       FROM "Order" WHERE "shopId" = $1)),
                ($3::timestamp AT TIME ZONE 'UTC') AT TIME ZONE $2,
                interval '1 month') AS d),
     counted AS MATERIALIZED (
       SELECT o."customerId" AS cid, o."id" AS oid, o."processedAt" AS at,
              (SELECT first FROM months)
                + width_bucket(o."processedAt", (SELECT starts FROM months)) - 1 AS m,
              ${orderValueSql("o", refundsAsOf)} AS value, ${discountedOrderSql("o")} AS discounted
         FROM "Order" o
         JOIN "Customer" c ON c."shopId" = o."shopId" AND c."id" = o."customerId"
        WHERE o."shopId" = $1 AND c."deletedAt" IS NULL AND c."redactedAt" IS NULL
          AND o."processedAt" <= $3::timestamp AND ${countedOrderSql("o", refundsAsOf)} ${segmentFilter}),
     monthly AS (SELECT cid, m, sum(value) AS value FROM counted GROUP BY cid, m),
     firsts AS (SELECT DISTINCT ON (cid) cid, m AS cohort, discounted FROM counted
                 ORDER BY cid, at, oid),
     grouped AS (SELECT f.cid, f.cohort, '${ALL}'::text AS grp FROM firsts f ${split})
     SELECT g.grp, g.cohort, mo.m - g.cohort AS "offset", count(*)::int AS active,
            sum(mo.value)::float8 AS revenue
       FROM grouped g JOIN monthly mo ON mo.cid = g.cid
      GROUP BY 1, 2, 3`;
  const rows = await prisma.$queryRawUnsafe<
    { grp: string; cohort: number; offset: number; active: number; revenue: number }[]
  >(sql, ...params);
  return rows.map((row) => ({
    group: row.grp,
    cohort: monthLabel(row.cohort),
    offset: row.offset,
    active: row.active,
    revenueMinor: row.revenue,
  }));
}

export interface RetentionReport {
  currentMonth: string;
  split: RetentionSplit;
  segment: string | null;
  all: GroupRetention | null;
  groups: (GroupRetention & { label: string })[];
  serverMs: number;
}

export async function loadRetention(
  shop: { id: number },
  options: RetentionOptions,
): Promise<RetentionReport> {
  const started = performance.now();
  const { ianaTimezone } = await prisma.shop.findUniqueOrThrow({
    where: { id: shop.id },
    select: { ianaTimezone: true },
  });
  const asOf = options.asOf ?? new Date();
  const currentMonth = monthInZone(asOf, ianaTimezone);
  const tallies = await retentionTallies(shop, ianaTimezone, options);
  const shaped = shapeRetention(tallies, currentMonth);
  const groups = shaped
    .filter((g) => g.group !== ALL)
    .map((g) => ({ ...g, label: groupLabel(g.group) }))
    .sort((a, b) => b.customers - a.customers);
  return {
    currentMonth,
    split: options.split,
    segment: options.segment ?? null,
    all: shaped.find((g) => g.group === ALL) ?? null,
    groups,
    serverMs: Math.round(performance.now() - started),
  };
}

/** "YYYY-MM" of an instant in a time zone. */
export function monthInZone(at: Date, timeZone: string): string {
  try {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
    }).formatToParts(at);
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
    return `${part("year")}-${part("month")}`;
  } catch {
    return at.toISOString().slice(0, 7);
  }
}

/** Reads the page's query: an unknown split or segment falls back to none. */
export function retentionOptionsFrom(params: URLSearchParams): RetentionOptions {
  const split = params.get("split") ?? "none";
  const segment = params.get("segment") ?? "";
  return {
    split: (RETENTION_SPLITS as readonly string[]).includes(split)
      ? (split as RetentionSplit)
      : "none",
    segment: segmentDefinition(segment) ? segment : undefined,
  };
}
