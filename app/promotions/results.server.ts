/**
 * How a promotion did, read from the synced orders:
 * - redemptions and revenue: orders whose discount codes include the promotion's code;
 * - conversion: the share of the treated customers and of the holdout who placed any order
 *   since the promotion started (until it ended), and the lift between them
 *   (app/segmentation/lift.ts);
 * - revenue per customer of each group over the same window, and the incremental revenue that
 *   difference implies for the treated group.
 * Cancelled, test and deleted orders do not count; refunds reduce an order's revenue.
 */
import prisma from "~/db.server";
import { conversionLift, type LiftEstimate } from "~/segmentation/lift";

export interface GroupResult {
  customers: number;
  converted: number;
  revenueMinor: number;
}

export interface PromotionResults {
  id: number;
  title: string;
  code: string;
  segmentKey: string;
  playbook: string;
  discountPercent: number;
  holdoutShare: number;
  discountId: string | null;
  status: "ACTIVE" | "ENDED";
  startsAt: string;
  endsAt: string | null;
  redemptions: number;
  redeemingCustomers: number;
  redemptionRevenueMinor: number;
  treatment: GroupResult;
  holdout: GroupResult;
  lift: LiftEstimate | null;
  /** (treated revenue per customer − holdout revenue per customer) × treated customers. */
  incrementalRevenueMinor: number | null;
}

interface RedemptionRow {
  orders: number;
  customers: number;
  revenue: number | null;
}

interface GroupRow {
  holdout: boolean;
  customers: number;
  converted: number;
  revenue: number | null;
}

/** The results of one of the shop's promotions; null when the shop has no such promotion. */
export async function loadPromotionResults(
  shopId: number,
  promotionId: number,
  now = new Date(),
): Promise<PromotionResults | null> {
  const p = await prisma.promotion.findFirst({ where: { id: promotionId, shopId } });
  if (!p) return null;
  const until = p.endsAt && p.endsAt < now ? p.endsAt : now;
  // Shopify's order times have whole seconds: an order placed in the promotion's first second
  // reads as earlier than a millisecond start.
  const since = new Date(Math.floor(p.startsAt.getTime() / 1000) * 1000);

  const [redeemed] = await prisma.$queryRaw<RedemptionRow[]>`
    SELECT count(*)::int AS orders,
           count(DISTINCT o."customerId")::int AS customers,
           sum(o."totalMinor" - o."refundedMinor")::float8 AS revenue
      FROM "Order" o
     WHERE o."shopId" = ${shopId}
       AND EXISTS (SELECT 1 FROM unnest(o."discountCodes") c WHERE upper(c) = upper(${p.code}))
       AND o."deletedAt" IS NULL AND o."cancelledAt" IS NULL AND NOT o.test`;

  const groups = await prisma.$queryRaw<GroupRow[]>`
    SELECT a.holdout,
           count(*)::int AS customers,
           count(*) FILTER (WHERE w.orders > 0)::int AS converted,
           sum(w.revenue)::float8 AS revenue
      FROM "PromotionAssignment" a
      LEFT JOIN LATERAL (
        SELECT count(*) AS orders, sum(o."totalMinor" - o."refundedMinor") AS revenue
          FROM "Order" o
         WHERE o."shopId" = a."shopId" AND o."customerId" = a."customerId"
           AND o."processedAt" >= ${since} AND o."processedAt" <= ${until}
           AND o."deletedAt" IS NULL AND o."cancelledAt" IS NULL AND NOT o.test
      ) w ON true
     WHERE a."shopId" = ${shopId} AND a."promotionId" = ${p.id}
     GROUP BY a.holdout`;

  const group = (holdout: boolean): GroupResult => {
    const row = groups.find((g) => g.holdout === holdout);
    return {
      customers: row?.customers ?? 0,
      converted: row?.converted ?? 0,
      revenueMinor: Math.round(row?.revenue ?? 0),
    };
  };
  const treatment = group(false);
  const holdout = group(true);
  const lift = conversionLift(treatment, holdout);
  const incremental =
    treatment.customers > 0 && holdout.customers > 0
      ? Math.round(
          (treatment.revenueMinor / treatment.customers -
            holdout.revenueMinor / holdout.customers) *
            treatment.customers,
        )
      : null;

  return {
    id: p.id,
    title: p.title,
    code: p.code,
    segmentKey: p.segmentKey,
    playbook: p.playbook,
    discountPercent: p.discountPercent,
    holdoutShare: p.holdoutShare,
    discountId: p.discountId,
    status: p.endsAt && p.endsAt <= now ? "ENDED" : p.status,
    startsAt: p.startsAt.toISOString(),
    endsAt: p.endsAt?.toISOString() ?? null,
    redemptions: redeemed?.orders ?? 0,
    redeemingCustomers: redeemed?.customers ?? 0,
    redemptionRevenueMinor: Math.round(redeemed?.revenue ?? 0),
    treatment,
    holdout,
    lift,
    incrementalRevenueMinor: incremental,
  };
}

export interface PromotionListItem {
  id: number;
  title: string;
  code: string;
  segmentKey: string;
  discountPercent: number;
  targetCount: number;
  holdoutCount: number;
  startsAt: string;
  endsAt: string | null;
  createdInStore: boolean;
  redemptions: number;
}

/** The shop's promotions, newest first, with their redemption counts. */
export async function listPromotions(shopId: number): Promise<PromotionListItem[]> {
  const promotions = await prisma.promotion.findMany({
    where: { shopId },
    orderBy: { createdAt: "desc" },
    take: 100,
  });
  if (promotions.length === 0) return [];
  const counts = await prisma.$queryRaw<{ code: string; orders: number }[]>`
    SELECT upper(c) AS code, count(*)::int AS orders
      FROM "Order" o, unnest(o."discountCodes") c
     WHERE o."shopId" = ${shopId}
       AND upper(c) = ANY(${promotions.map((p) => p.code.toUpperCase())}::text[])
       AND o."deletedAt" IS NULL AND o."cancelledAt" IS NULL AND NOT o.test
     GROUP BY upper(c)`;
  const byCode = new Map(counts.map((c) => [c.code, c.orders]));
  return promotions.map((p) => ({
    id: p.id,
    title: p.title,
    code: p.code,
    segmentKey: p.segmentKey,
    discountPercent: p.discountPercent,
    targetCount: p.targetCount,
    holdoutCount: p.holdoutCount,
    startsAt: p.startsAt.toISOString(),
    endsAt: p.endsAt?.toISOString() ?? null,
    createdInStore: p.discountId !== null,
    redemptions: byCode.get(p.code.toUpperCase()) ?? 0,
  }));
}
