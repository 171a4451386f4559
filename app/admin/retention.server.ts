import prisma from "~/db.server";
import { segmentDefinition } from "~/segmentation/catalog";
import {
  monthLabel,
  shapeRetention,
  type GroupRetention,
  type RetentionTally,
} from "~/segmentation/retention";
import { RETENTION_SPLITS, type RetentionSplit } from "./retention-splits";

/**
 * The cohort retention report: sums of the per-customer monthly tallies the recompute worker
 * keeps (app/segments/retention-tallies.server.ts) per group, first-order month and month
 * offset; app/segmentation/retention.ts shapes them into the triangle, the curve and the repeat
 * rate. Months are the shop's calendar months (its IANA time zone, daylight saving included), and
 * the report is as fresh as the last recompute, like the segments beside it.
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
  /** The instant whose month is the running one (now unless a test says otherwise). */
  asOf?: Date;
}

/** Per-(group, cohort, offset) tallies; "all" is always one of the groups. */
export async function retentionTallies(
  shop: { id: number },
  options: Pick<RetentionOptions, "split" | "segment">,
): Promise<RetentionTally[]> {
  const params: unknown[] = [shop.id];
  const members =
    options.segment === undefined
      ? ""
      : `AND EXISTS (SELECT 1 FROM "SegmentMembership" s WHERE s."shopId" = $1
                        AND s."segmentKey" = $${params.push(options.segment)}
                        AND s."customerId" = t."customerId")`;
  const tally = (group: string, from = "") =>
    `SELECT ${group} AS grp, t."cohort", t."month" - t."cohort" AS "offset", count(*)::int AS active,
            sum(t."revenueMinor")::float8 AS revenue
       FROM "CustomerMonth" t ${from}
      WHERE t."shopId" = $1 ${members}
      GROUP BY 1, 2, 3`;
  const parts = [tally(`'${ALL}'::text`)];
  if (options.split === "discount")
    parts.push(
      tally(`CASE WHEN t."firstDiscounted" THEN '${DISCOUNTED}' ELSE '${FULL_PRICE}' END`),
    );
  else if (options.split !== "none")
    parts.push(
      tally(
        `sm."segmentKey"`,
        `JOIN "SegmentMembership" sm ON sm."shopId" = t."shopId" AND sm."customerId" = t."customerId"
          AND sm."segmentKey" LIKE $${params.push(`${options.split}:%`)}`,
      ),
    );
  const rows = await prisma.$queryRawUnsafe<
    { grp: string; cohort: number; offset: number; active: number; revenue: number }[]
  >(parts.join(" UNION ALL "), ...params);
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
  /** Orders synced up to this instant are counted; null until the first recompute. */
  talliedThrough: string | null;
  serverMs: number;
}

export async function loadRetention(
  shop: { id: number },
  options: RetentionOptions,
): Promise<RetentionReport> {
  const started = performance.now();
  const { ianaTimezone, retentionTalliedThrough } = await prisma.shop.findUniqueOrThrow({
    where: { id: shop.id },
    select: { ianaTimezone: true, retentionTalliedThrough: true },
  });
  const asOf = options.asOf ?? new Date();
  const currentMonth = monthInZone(asOf, ianaTimezone);
  const tallies = await retentionTallies(shop, options);
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
    talliedThrough: retentionTalliedThrough?.toISOString() ?? null,
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
