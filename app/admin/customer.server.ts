import prisma from "~/db.server";
import { segmentDefinition } from "~/segmentation/catalog";
import type { ModelReports } from "~/segmentation/engine";
import {
  explainCustomer,
  type ExplainableMetrics,
  type ExplainContext,
  type Explanations,
} from "~/segmentation/explain";
import type { GateDecision } from "~/segmentation/gates";
import { segmentSettingsFrom } from "~/segmentation/settings";

/** Orders shown on the customer page, newest first. */
export const ORDERS_SHOWN = 25;

export interface CustomerOrder {
  id: string;
  name: string;
  processedAt: string;
  currency: string;
  totalMinor: number;
  refundedMinor: number;
  discountMinor: number;
  financialStatus: string | null;
  /** Why the order does not count towards the scores, if it does not. */
  excluded: string | null;
}

interface ModelContextRow {
  gates: GateDecision[] | null;
  clvBasis: ModelReports["clvBasis"] | null;
  spendTierBasis: ModelReports["spendTierBasis"] | null;
  propensityMethod: "logistic" | "heuristic" | null;
  propensityWindowDays: number | null;
}

/** One customer by primary key, with their scores and the reason behind each. */
export async function loadCustomer(shopId: number, customerId: bigint) {
  const customer = await prisma.customer.findUnique({
    where: { shopId_id: { shopId, id: customerId } },
    select: {
      id: true,
      email: true,
      firstName: true,
      lastName: true,
      tags: true,
      emailMarketingState: true,
      shopifyCreatedAt: true,
      deletedAt: true,
      metrics: true,
      memberships: { select: { segmentKey: true, since: true } },
    },
  });
  if (!customer) return null;
  const [orders, orderCount, shop, modelRows] = await Promise.all([
    prisma.order.findMany({
      where: { shopId, customerId, deletedAt: null },
      orderBy: { processedAt: "desc" },
      take: ORDERS_SHOWN,
    }),
    prisma.order.count({ where: { shopId, customerId, deletedAt: null } }),
    prisma.shop.findUniqueOrThrow({ where: { id: shopId }, select: { segmentSettings: true } }),
    // Only the few fields the explanations need, not the whole model report.
    prisma.$queryRaw<ModelContextRow[]>`
      SELECT "models"->'gates' AS "gates", "models"->>'clvBasis' AS "clvBasis",
             "models"->>'spendTierBasis' AS "spendTierBasis",
             "models"->'propensity'->>'method' AS "propensityMethod",
             ("models"->'propensity'->>'windowDays')::int AS "propensityWindowDays"
        FROM "SegmentSnapshot" WHERE "shopId" = ${shopId}
       ORDER BY "takenAt" DESC LIMIT 1`,
  ]);

  const settings = segmentSettingsFrom(shop.segmentSettings);
  const model = modelRows[0];
  const churnGate = model?.gates?.find((g) => g.model === "bgnbd");
  const context: ExplainContext = {
    forecastDays: settings.forecastDays,
    clvMonths: settings.clvMonths,
    churnThresholds: settings.churnThresholds,
    spendTierShares: settings.spendTierShares,
    clvBasis: model?.clvBasis ?? "none",
    spendTierBasis: model?.spendTierBasis ?? "historical-spend",
    churnModelSkipped: churnGate && !churnGate.used ? churnGate.reason : undefined,
    propensityMethod: model?.propensityMethod ?? "heuristic",
    propensityWindowDays: model?.propensityWindowDays ?? 90,
  };

  const m = customer.metrics;
  const metrics: (ExplainableMetrics & { computedAt: string; nextOrderAt: string | null }) | null =
    m && {
      computedAt: m.computedAt.toISOString(),
      orders: m.orders,
      currency: m.currency,
      totalSpentMinor: Number(m.totalSpentMinor),
      aovMinor: Number(m.aovMinor),
      rScore: m.rScore,
      fScore: m.fScore,
      mScore: m.mScore,
      rfmGroup: m.rfmGroup,
      valueType: m.valueType,
      pAlive: m.pAlive,
      expectedPurchases: m.expectedPurchases,
      churnRisk: m.churnRisk,
      clv12mMinor: m.clv12mMinor === null ? null : Number(m.clv12mMinor),
      spendTier: m.spendTier,
      propensity: m.propensity,
      nextOrderAt: m.nextOrderAt?.toISOString() ?? null,
      details: (m.details ?? {}) as ExplainableMetrics["details"],
    };
  const explanations: Explanations | null = metrics && explainCustomer(metrics, context);

  return {
    customer: {
      id: customer.id.toString(),
      email: customer.email,
      name: [customer.firstName, customer.lastName].filter(Boolean).join(" ") || null,
      tags: customer.tags,
      emailMarketingState: customer.emailMarketingState,
      createdAt: customer.shopifyCreatedAt.toISOString(),
      deleted: customer.deletedAt !== null,
    },
    metrics,
    explanations,
    forecastDays: context.forecastDays,
    clvMonths: context.clvMonths,
    segments: customer.memberships
      .map((s) => ({
        key: s.segmentKey,
        label: segmentDefinition(s.segmentKey)?.label ?? s.segmentKey,
        family: segmentDefinition(s.segmentKey)?.family ?? "custom",
        since: s.since.toISOString(),
      }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    orders: orders.map((o): CustomerOrder => ({
      id: o.id.toString(),
      name: o.name,
      processedAt: o.processedAt.toISOString(),
      currency: o.currency,
      totalMinor: Number(o.totalMinor),
      refundedMinor: Number(o.refundedMinor),
      discountMinor: Number(o.discountMinor),
      financialStatus: o.financialStatus,
      excluded: o.cancelledAt
        ? "Cancelled"
        : o.test
          ? "Test order"
          : o.refundedMinor >= o.totalMinor && o.totalMinor > 0n
            ? "Fully refunded"
            : null,
    })),
    orderCount,
  };
}

export type CustomerPage = NonNullable<Awaited<ReturnType<typeof loadCustomer>>>;
