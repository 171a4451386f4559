import type { Session } from "@shopify/shopify-api";
import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";
import { scheduleFullRecompute, scheduleReconciliation } from "~/jobs/schedules.server";

/**
 * Runs after every successful OAuth: records the shop as installed and, on a first install or a
 * reinstall, queues the backfill of its customers and orders. The insert-or-reinstate is one
 * statement that returns a row only when it installed the shop, so two concurrent token
 * exchanges of the same install queue one backfill.
 */
export async function recordInstall(session: Session): Promise<void> {
  const installed = await prisma.$queryRaw<{ id: number; installedAt: Date }[]>`
    INSERT INTO "Shop" ("domain", "scopes", "installState", "installedAt", "updatedAt")
    VALUES (${session.shop}, ${session.scope ?? null}, 'INSTALLED', now(), now())
    ON CONFLICT ("domain") DO UPDATE SET
      "installState" = 'INSTALLED', "installedAt" = now(), "uninstalledAt" = NULL,
      "scopes" = EXCLUDED."scopes", "updatedAt" = now()
    WHERE "Shop"."installState" <> 'INSTALLED'
    RETURNING "id", "installedAt"`;
  if (installed.length === 0) {
    await prisma.shop.update({
      where: { domain: session.shop },
      data: { scopes: session.scope ?? null },
    });
    return;
  }
  const [shop] = installed;
  await queues().backfill.add(
    "backfill",
    { shopDomain: session.shop, kind: "BACKFILL" },
    { jobId: `backfill-${shop.id}-${shop.installedAt.getTime()}` },
  );
  await scheduleReconciliation(session.shop);
  await scheduleFullRecompute(session.shop);
}
