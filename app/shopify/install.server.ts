import type { Session } from "@shopify/shopify-api";
import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";

/**
 * Runs after every successful OAuth: records the shop as installed and, on a first install or a
 * reinstall, queues the backfill of its customers and orders.
 */
export async function recordInstall(session: Session): Promise<void> {
  const existing = await prisma.shop.findUnique({
    where: { domain: session.shop },
    select: { installState: true },
  });
  const freshInstall = existing?.installState !== "INSTALLED";
  const shop = await prisma.shop.upsert({
    where: { domain: session.shop },
    create: { domain: session.shop, scopes: session.scope ?? null },
    update: {
      scopes: session.scope ?? null,
      ...(freshInstall
        ? { installState: "INSTALLED", installedAt: new Date(), uninstalledAt: null }
        : {}),
    },
  });
  if (freshInstall) {
    await queues().backfill.add(
      "backfill",
      { shopDomain: session.shop, kind: "BACKFILL" },
      { jobId: `backfill-${shop.id}-${shop.installedAt.getTime()}` },
    );
  }
}
