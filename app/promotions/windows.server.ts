/**
 * A promotion before, during and after: for the treated customers and the holdout, split into
 * customers who had ordered before the promotion started ("existing") and those who had not
 * ("new" to buying), the purchase frequency, basket size and net revenue per customer in three
 * windows of equal length — the W days before the start, the first W days from the start, and
 * the W days after the end (after the during window when the promotion has no end date, or ends
 * earlier). W is 30 days by default. Comparing the change from before in each group separates
 * the promotion from what the segment was doing anyway (a difference in differences).
 */
import prisma from "~/db.server";
import { countedOrderSql, orderValueSql } from "~/segments/order-value-sql";
import {
  DEFAULT_WINDOW_DAYS,
  MAX_WINDOW_DAYS,
  WINDOW_NAMES,
  type GroupMetrics,
  type PromotionWindows,
  type WindowMetrics,
  type WindowName,
} from "./windows";

const DAY_MS = 86_400_000;

function metrics(
  customers: number,
  buyers: number,
  orders: number,
  revenue: number,
): WindowMetrics {
  return {
    customers,
    buyers,
    orders,
    revenueMinor: revenue,
    frequency: customers > 0 ? orders / customers : 0,
    basketMinor: orders > 0 ? revenue / orders : null,
    revenuePerCustomerMinor: customers > 0 ? revenue / customers : 0,
  };
}

/** The three windows' bounds. */
export function windowBounds(
  startsAt: Date,
  endsAt: Date | null,
  days: number,
): Record<WindowName, [Date, Date]> {
  const start = Math.floor(startsAt.getTime() / 1000) * 1000;
  const w = days * DAY_MS;
  const afterStart = Math.max(endsAt?.getTime() ?? 0, start + w);
  return {
    before: [new Date(start - w), new Date(start)],
    during: [new Date(start), new Date(start + w)],
    after: [new Date(afterStart), new Date(afterStart + w)],
  };
}

const sqlTime = (d: Date) => d.toISOString().slice(0, -1);

export async function loadPromotionWindows(
  shopId: number,
  promotionId: number,
  options: { windowDays?: number; now?: Date } = {},
): Promise<PromotionWindows | null> {
  const p = await prisma.promotion.findFirst({ where: { id: promotionId, shopId } });
  if (!p) return null;
  const now = options.now ?? new Date();
  const days = Math.min(
    MAX_WINDOW_DAYS,
    Math.max(1, Math.round(options.windowDays ?? DEFAULT_WINDOW_DAYS)),
  );
  const bounds = windowBounds(p.startsAt, p.endsAt, days);
  const counted = countedOrderSql("o");
  const sizes = await prisma.$queryRawUnsafe<
    { holdout: boolean; existing: boolean; customers: number }[]
  >(
    `SELECT a."holdout", EXISTS (
              SELECT 1 FROM "Order" o WHERE o."shopId" = $1 AND o."customerId" = a."customerId"
                 AND o."processedAt" < $3::timestamp AND ${counted}) AS existing,
            count(*)::int AS customers
       FROM "PromotionAssignment" a
      WHERE a."shopId" = $1 AND a."promotionId" = $2
      GROUP BY 1, 2`,
    shopId,
    p.id,
    sqlTime(bounds.during[0]),
  );
  const activity = await prisma.$queryRawUnsafe<
    {
      name: WindowName;
      holdout: boolean;
      existing: boolean;
      buyers: number;
      orders: number;
      revenue: number;
    }[]
  >(
    `WITH a AS (
       SELECT a."customerId" AS cid, a."holdout", EXISTS (
                SELECT 1 FROM "Order" o WHERE o."shopId" = $1 AND o."customerId" = a."customerId"
                   AND o."processedAt" < $3::timestamp AND ${counted}) AS existing
         FROM "PromotionAssignment" a WHERE a."shopId" = $1 AND a."promotionId" = $2),
     w AS (SELECT * FROM (VALUES ('before', $4::timestamp, $3::timestamp),
                                 ('during', $3::timestamp, $5::timestamp),
                                 ('after', $6::timestamp, $7::timestamp)) AS w(name, lo, hi))
     SELECT w.name, a."holdout", a.existing, count(DISTINCT a.cid)::int AS buyers,
            count(*)::int AS orders, sum(${orderValueSql("o")})::float8 AS revenue
       FROM a
       JOIN "Order" o ON o."shopId" = $1 AND o."customerId" = a.cid AND ${counted}
       JOIN w ON o."processedAt" >= w.lo AND o."processedAt" < w.hi
      GROUP BY 1, 2, 3`,
    shopId,
    p.id,
    sqlTime(bounds.during[0]),
    sqlTime(bounds.before[0]),
    sqlTime(bounds.during[1]),
    sqlTime(bounds.after[0]),
    sqlTime(bounds.after[1]),
  );

  const group = (name: WindowName, holdout: boolean): GroupMetrics => {
    const part = (existing: boolean) => {
      const size = sizes.find((s) => s.holdout === holdout && s.existing === existing);
      const row = activity.find(
        (r) => r.name === name && r.holdout === holdout && r.existing === existing,
      );
      return [size?.customers ?? 0, row?.buyers ?? 0, row?.orders ?? 0, row?.revenue ?? 0];
    };
    const n = part(false);
    const e = part(true);
    return {
      new: metrics(n[0], n[1], n[2], n[3]),
      existing: metrics(e[0], e[1], e[2], e[3]),
      all: metrics(n[0] + e[0], n[1] + e[1], n[2] + e[2], n[3] + e[3]),
    };
  };
  return {
    windowDays: days,
    windows: WINDOW_NAMES.map((name) => {
      const [from, to] = bounds[name];
      const elapsed = Math.min(to.getTime(), now.getTime()) - from.getTime();
      return {
        name,
        from: from.toISOString(),
        to: to.toISOString(),
        days,
        elapsedDays: Math.max(0, Math.min(days, elapsed / DAY_MS)),
        treated: group(name, false),
        holdout: group(name, true),
      };
    }),
  };
}

/**
 * The share of a segment's current members who placed a counted order in the last `days` days:
 * the baseline a promotion's lift is measured against, for its minimum detectable effect.
 */
export async function segmentBaselineRate(
  shopId: number,
  segmentKey: string,
  days = DEFAULT_WINDOW_DAYS,
  now = new Date(),
): Promise<{ members: number; buyers: number; rate: number }> {
  const [row] = await prisma.$queryRawUnsafe<{ members: number; buyers: number }[]>(
    `SELECT count(*)::int AS members,
            count(*) FILTER (WHERE EXISTS (
              SELECT 1 FROM "Order" o WHERE o."shopId" = $1 AND o."customerId" = m."customerId"
                 AND o."processedAt" >= $3::timestamp AND o."processedAt" <= $4::timestamp
                 AND ${countedOrderSql("o")}))::int AS buyers
       FROM "SegmentMembership" m WHERE m."shopId" = $1 AND m."segmentKey" = $2`,
    shopId,
    segmentKey,
    sqlTime(new Date(now.getTime() - days * DAY_MS)),
    sqlTime(now),
  );
  const members = row?.members ?? 0;
  const buyers = row?.buyers ?? 0;
  return { members, buyers, rate: members > 0 ? buyers / members : 0 };
}
