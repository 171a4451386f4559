import { TagSyncStatus, type Prisma, type PrismaClient } from "@prisma/client";
import { parseDataRequest } from "~/sync/data-request.server";
import { parseLosslessJson } from "~/shopify/lossless-json";

/** What support staff see of each shop: install state, sync progress, webhook health. */
export async function shopsOverview(prisma: PrismaClient) {
  const shops = await prisma.shop.findMany({
    orderBy: { domain: "asc" },
    select: {
      id: true,
      domain: true,
      installState: true,
      installedAt: true,
      lastWebhookAt: true,
      lastReconciledAt: true,
      lastRecomputeAt: true,
      planName: true,
      throttleRestoreRate: true,
      throttleCurrentlyAvailable: true,
      throttleMaximumAvailable: true,
      throttleObservedAt: true,
      syncRuns: { orderBy: { startedAt: "desc" }, take: 1 },
      _count: { select: { customers: true, orders: true } },
    },
  });
  const failures = await prisma.webhookDelivery.groupBy({
    by: ["shopDomain", "status"],
    _count: { _all: true },
    where: { receivedAt: { gte: new Date(Date.now() - 24 * 3600 * 1000) } },
  });
  return shops.map((shop) => ({
    ...shop,
    latestSync: shop.syncRuns[0] ?? null,
    deliveries24h: Object.fromEntries(
      failures
        .filter((row) => row.shopDomain === shop.domain)
        .map((row) => [row.status, row._count._all]),
    ),
  }));
}

/** Customers in the snapshot's RFM segments: every customer with metrics is in exactly one. */
function rfmCustomers(counts: Prisma.JsonValue): number {
  if (!counts || typeof counts !== "object" || Array.isArray(counts)) return 0;
  let total = 0;
  for (const [key, value] of Object.entries(counts)) {
    if (!key.startsWith("rfm:") || !value || typeof value !== "object") continue;
    const customers = (value as Record<string, unknown>).customers;
    if (typeof customers === "number") total += customers;
  }
  return total;
}

/**
 * One shop for the support page. Each query reads by an index on the shop, and the Shop row is
 * read without its large JSON columns (the frozen model reference, the settings).
 */
export async function shopDetail(prisma: PrismaClient, domain: string) {
  const shop = await prisma.shop.findUnique({
    where: { domain },
    select: {
      id: true,
      domain: true,
      installState: true,
      planName: true,
      throttleRestoreRate: true,
      throttleMaximumAvailable: true,
      throttleCurrentlyAvailable: true,
      throttleObservedAt: true,
      lastReconciledAt: true,
      lastRecomputeAt: true,
      modelFittedAt: true,
      dirtySince: true,
      fullRecomputeRequestedAt: true,
      changedSinceFit: true,
      syncRuns: { orderBy: { startedAt: "desc" }, take: 20 },
      _count: { select: { customers: true, orders: true } },
    },
  });
  if (!shop) return null;
  const [deliveries, dataRequests, snapshot, tagSync] = await Promise.all([
    prisma.webhookDelivery.findMany({
      where: { shopDomain: domain },
      orderBy: { receivedAt: "desc" },
      take: 50,
      select: {
        id: true,
        webhookId: true,
        topic: true,
        status: true,
        error: true,
        receivedAt: true,
        processedAt: true,
        triggeredAt: true,
      },
    }),
    prisma.$queryRaw<
      {
        id: bigint;
        status: string;
        error: string | null;
        receivedAt: Date;
        payload: string | null;
      }[]
    >`
      SELECT "id", "status"::text AS "status", "error", "receivedAt", "payload"::text AS "payload"
        FROM "WebhookDelivery"
       WHERE "shopDomain" = ${domain} AND "topic" = 'customers/data_request'
       ORDER BY "receivedAt" DESC LIMIT 50`,
    prisma.segmentSnapshot.findFirst({
      where: { shopId: shop.id },
      orderBy: { takenAt: "desc" },
      select: { kind: true, takenAt: true, counts: true },
    }),
    prisma.tagSyncState.groupBy({
      by: ["status"],
      where: { shopId: shop.id },
      _count: { _all: true },
    }),
  ]);
  return {
    shop,
    deliveries,
    // The stored body's own text: Prisma's parse of it would round an 18-digit id.
    dataRequests: dataRequests.map(({ payload, ...delivery }) => ({
      ...delivery,
      request: parseDataRequest(payload === null ? null : parseLosslessJson(payload)),
    })),
    latestSnapshot: snapshot && {
      kind: snapshot.kind,
      takenAt: snapshot.takenAt,
      rfmCustomers: rfmCustomers(snapshot.counts),
    },
    tagSync: Object.fromEntries(
      Object.values(TagSyncStatus).map((status) => [
        status,
        tagSync.find((row) => row.status === status)?._count._all ?? 0,
      ]),
    ) as Record<TagSyncStatus, number>,
  };
}

/** A customer with their orders and current metrics, for support look-ups. */
export async function customerRecord(prisma: PrismaClient, domain: string, customerId: bigint) {
  const shop = await prisma.shop.findUnique({ where: { domain }, select: { id: true } });
  if (!shop) return null;
  return prisma.customer.findUnique({
    where: { shopId_id: { shopId: shop.id, id: customerId } },
    include: {
      metrics: true,
      memberships: { select: { segmentKey: true, since: true } },
      tagSync: true,
      orders: { orderBy: { processedAt: "desc" }, include: { lineItems: true } },
    },
  });
}

/** JSON with bigint ids and money as strings, which JSON.stringify cannot do on its own. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item),
    2,
  );
}
