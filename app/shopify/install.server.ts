import type { Session } from "@shopify/shopify-api";
import prisma from "~/db.server";

/** Marks the shop installed after OAuth; a reinstall after an uninstall starts over cleanly. */
export async function recordInstall(session: Session): Promise<void> {
  await prisma.shop.upsert({
    where: { domain: session.shop },
    create: { domain: session.shop, scopes: session.scope ?? null },
    update: {
      installState: "INSTALLED",
      installedAt: new Date(),
      uninstalledAt: null,
      scopes: session.scope ?? null,
    },
  });
}
