import type { PrismaClient } from "@prisma/client";

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

export async function shopDetail(prisma: PrismaClient, domain: string) {
  const shop = await prisma.shop.findUnique({
    where: { domain },
    include: {
      syncRuns: { orderBy: { startedAt: "desc" }, take: 20 },
      _count: { select: { customers: true, orders: true } },
    },
  });
  if (!shop) return null;
  const deliveries = await prisma.webhookDelivery.findMany({
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
  });
  return { shop, deliveries };
}

/** A customer with their orders and current metrics, for support look-ups (and data requests). */
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
