import prisma from "~/db.server";
import { RFM_GROUPS } from "~/segmentation/rfm";

/**
 * Propel's RFM groups against Shopify's own (`Customer.statistics.rfmGroup`, read by the sync:
 * app/sync/documents.ts), for the model trust page. Rows are Propel's group (the customer's
 * current `rfm:*` membership; null: not scored yet), columns Shopify's (null: not read yet, or
 * Shopify has none). Customers deleted or redacted are left out, as they are from segments.
 */
export interface ShopifyAgreement {
  /** Propel's groups present, in the order of the RFM grid's names; null last. */
  propelGroups: (string | null)[];
  /** Shopify's groups present, the same order; values Propel does not know after; null last. */
  shopifyGroups: (string | null)[];
  /** counts[propel ?? ""][shopify ?? ""]: customers in that pair. */
  counts: Record<string, Record<string, number>>;
  /** Customers with a group on both sides, and of them those in the same group. */
  compared: number;
  agreeing: number;
  /** Customers Propel has scored whose Shopify group has not been read. */
  notRead: number;
  /** The end of the shop's last successful sync: when Shopify's groups were last read in bulk. */
  lastReadAt: string | null;
}

interface PairRow {
  propel: string | null;
  shopify: string | null;
  customers: number;
}

const ORDER: readonly string[] = RFM_GROUPS;

function byGridOrder(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const ia = ORDER.indexOf(a);
  const ib = ORDER.indexOf(b);
  if (ia >= 0 && ib >= 0) return ia - ib;
  if (ia >= 0) return -1;
  if (ib >= 0) return 1;
  return a.localeCompare(b);
}

export async function loadShopifyAgreement(shopId: number): Promise<ShopifyAgreement> {
  const [pairs, lastSync] = await Promise.all([
    prisma.$queryRaw<PairRow[]>`
      SELECT substr(m."segmentKey", 5) AS "propel", c."shopifyRfmGroup" AS "shopify",
             count(*)::int AS "customers"
        FROM "Customer" c
        LEFT JOIN "SegmentMembership" m
          ON m."shopId" = c."shopId" AND m."customerId" = c."id" AND m."segmentKey" LIKE 'rfm:%'
       WHERE c."shopId" = ${shopId} AND c."deletedAt" IS NULL AND c."redactedAt" IS NULL
       GROUP BY 1, 2`,
    prisma.syncRun.findFirst({
      where: { shopId, status: "SUCCEEDED" },
      orderBy: { finishedAt: "desc" },
      select: { finishedAt: true },
    }),
  ]);
  const counts: Record<string, Record<string, number>> = {};
  const propel = new Set<string | null>();
  const shopify = new Set<string | null>();
  let compared = 0;
  let agreeing = 0;
  let notRead = 0;
  for (const pair of pairs) {
    propel.add(pair.propel);
    shopify.add(pair.shopify);
    const row = (counts[pair.propel ?? ""] ??= {});
    row[pair.shopify ?? ""] = pair.customers;
    if (pair.propel !== null && pair.shopify !== null) {
      compared += pair.customers;
      if (pair.propel === pair.shopify) agreeing += pair.customers;
    } else if (pair.propel !== null) notRead += pair.customers;
  }
  return {
    propelGroups: [...propel].sort(byGridOrder),
    shopifyGroups: [...shopify].sort(byGridOrder),
    counts,
    compared,
    agreeing,
    notRead,
    lastReadAt: lastSync?.finishedAt?.toISOString() ?? null,
  };
}
