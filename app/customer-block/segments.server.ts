/**
 * What the admin block on Shopify's customer page shows: the customer's segments and the few
 * scores a merchant acts on, as plain JSON for the extension (extensions/customer-segments-block).
 * Money stays in minor units beside its currency; the extension formats it.
 */
import prisma from "~/db.server";
import { FAMILY_LABELS, segmentDefinition, SEGMENT_FAMILIES } from "~/segmentation/catalog";

export interface CustomerBlockSegment {
  key: string;
  label: string;
  family: string;
  familyLabel: string;
  description: string;
  since: string;
}

export interface CustomerBlockData {
  customerId: string;
  computedAt: string | null;
  segments: CustomerBlockSegment[];
  scores: {
    orders: number;
    totalSpentMinor: number;
    currency: string;
    rfm: { r: number | null; f: number | null; m: number | null; group: string } | null;
    /** Probability the customer is still active (BG/NBD); null when the model was not used. */
    pAlive: number | null;
    churnRisk: string | null;
    clv12mMinor: number | null;
    spendTier: string | null;
    /** Propensity to increase spend, 0–1; null when not scored. */
    propensity: number | null;
    nextOrderAt: string | null;
  } | null;
  /** The customer's page in Propel, relative to the app's URL. */
  appPath: string;
}

const familyRank = (family: string) =>
  SEGMENT_FAMILIES.indexOf(family as (typeof SEGMENT_FAMILIES)[number]);

/**
 * The block's data for one customer of the shop; null when the shop does not know the
 * customer (not synced yet, deleted or redacted).
 */
export async function loadCustomerBlock(
  shopId: number,
  customerId: bigint,
): Promise<CustomerBlockData | null> {
  const customer = await prisma.customer.findUnique({
    where: { shopId_id: { shopId, id: customerId } },
    select: {
      deletedAt: true,
      redactedAt: true,
      metrics: true,
      memberships: { select: { segmentKey: true, since: true } },
    },
  });
  if (!customer || customer.deletedAt || customer.redactedAt) return null;
  const m = customer.metrics;
  const segments = customer.memberships
    .flatMap(({ segmentKey, since }) => {
      const d = segmentDefinition(segmentKey);
      return d
        ? [
            {
              key: d.key,
              label: d.label,
              family: d.family,
              familyLabel: FAMILY_LABELS[d.family],
              description: d.description,
              since: since.toISOString(),
            },
          ]
        : [];
    })
    .sort((a, b) => familyRank(a.family) - familyRank(b.family) || a.label.localeCompare(b.label));
  return {
    customerId: customerId.toString(),
    computedAt: m?.computedAt.toISOString() ?? null,
    segments,
    scores: m
      ? {
          orders: m.orders,
          totalSpentMinor: Number(m.totalSpentMinor),
          currency: m.currency,
          rfm: m.rfmGroup ? { r: m.rScore, f: m.fScore, m: m.mScore, group: m.rfmGroup } : null,
          pAlive: m.pAlive,
          churnRisk: m.churnRisk,
          clv12mMinor: m.clv12mMinor === null ? null : Number(m.clv12mMinor),
          spendTier: m.spendTier,
          propensity: m.propensity,
          nextOrderAt: m.nextOrderAt?.toISOString() ?? null,
        }
      : null,
    appPath: `/app/customers/${customerId}`,
  };
}
