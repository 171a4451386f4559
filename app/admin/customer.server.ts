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
import { customerIntervals } from "~/segmentation/intervals";
import type { PurchaseModel } from "~/segmentation/purchaseModel";
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
  /** Net merchandise sales and its parts (docs/money.md): what the scores count. */
  netMinor: number;
  merchandiseMinor: number;
  shippingMinor: number;
  taxMinor: number;
  refundedMerchandiseMinor: number;
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
  churnBasis: "model" | "kaplan-meier" | null;
  purchaseModel: string | null;
  churnHorizonDays: number | null;
  churnBaselineScore: number | null;
  purchaseFit: PurchaseModel | null;
  purchaseCovariance: number[][] | null;
  purchaseUnitDays: number | null;
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
             ("models"->'propensity'->>'windowDays')::int AS "propensityWindowDays",
             "models"->'purchase'->>'basis' AS "churnBasis",
             "models"->'purchase'->>'selected' AS "purchaseModel",
             ("models"->'purchase'->>'horizonDays')::int AS "churnHorizonDays",
             ("models"->'purchase'->>'baselineScore')::float8 AS "churnBaselineScore",
             "models"->'purchase'->'model' AS "purchaseFit",
             "models"->'purchase'->'covariance' AS "purchaseCovariance",
             ("models"->'purchase'->>'unitDays')::float8 AS "purchaseUnitDays"
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
    churn:
      model?.churnBasis && model.churnHorizonDays !== null && model.churnBaselineScore !== null
        ? {
            basis: model.churnBasis,
            model: model.purchaseModel,
            horizonDays: model.churnHorizonDays,
            baselineScore: model.churnBaselineScore,
          }
        : undefined,
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
  const intervals =
    m && m.orders > 0 && model?.purchaseFit && model.purchaseCovariance && context.churn
      ? customerIntervals(
          model.purchaseFit,
          model.purchaseCovariance,
          {
            x: m.frequency,
            tx: m.recencyDays / (model.purchaseUnitDays ?? 1),
            T: m.ageDays / (model.purchaseUnitDays ?? 1),
          },
          {
            horizonDays: context.churn.horizonDays,
            unitDays: model.purchaseUnitDays ?? 1,
            clvMonths: settings.clvMonths,
            monthlyDiscountRate: settings.monthlyDiscountRate,
          },
        )
      : null;
  const spendMinor = metrics?.details.expectedSpendMinor ?? null;

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
    /** 80 % intervals (10th–90th percentile) from the purchase model's fit uncertainty. */
    intervals: intervals && {
      churnScore: intervals.churnScore,
      clvMinor:
        spendMinor === null
          ? null
          : {
              p10: Math.round(spendMinor * intervals.discountedPurchases.p10),
              p90: Math.round(spendMinor * intervals.discountedPurchases.p90),
            },
    },
    forecastDays: context.forecastDays,
    clvMonths: context.clvMonths,
    churnHorizonDays: context.churn?.horizonDays ?? null,
    segments: customer.memberships
      .map((s) => ({
        key: s.segmentKey,
        label: segmentDefinition(s.segmentKey)?.label ?? s.segmentKey,
        family: segmentDefinition(s.segmentKey)?.family ?? "custom",
        since: s.since.toISOString(),
      }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    orders: orders.map((o): CustomerOrder => {
      // Rows synced before the parts were read: the subtotal stands in, as in the loader.
      const merchandise = o.merchandiseMinor ?? o.subtotalMinor;
      const refundedMerchandise =
        o.merchandiseMinor === null
          ? o.refundedMinor < o.subtotalMinor
            ? o.refundedMinor
            : o.subtotalMinor
          : o.refundedMerchandiseMinor;
      const net = merchandise > refundedMerchandise ? merchandise - refundedMerchandise : 0n;
      return {
        id: o.id.toString(),
        name: o.name,
        processedAt: o.processedAt.toISOString(),
        currency: o.currency,
        totalMinor: Number(o.totalMinor),
        refundedMinor: Number(o.refundedMinor),
        discountMinor: Number(o.discountMinor),
        netMinor: Number(net),
        merchandiseMinor: Number(merchandise),
        shippingMinor: Number(o.shippingMinor),
        taxMinor: Number(o.taxMinor),
        refundedMerchandiseMinor: Number(refundedMerchandise),
        financialStatus: o.financialStatus,
        excluded: o.cancelledAt
          ? "Cancelled"
          : o.test
            ? "Test order"
            : merchandise === 0n
              ? "No merchandise value (exchange or replacement), not a purchase"
              : refundedMerchandise >= merchandise
                ? "Fully refunded"
                : null,
      };
    }),
    orderCount,
  };
}

export type CustomerPage = NonNullable<Awaited<ReturnType<typeof loadCustomer>>>;
