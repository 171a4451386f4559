import prisma from "~/db.server";

/**
 * The ops audit: who looked at or exported which shop's or customer's data, and who changed
 * what, one OpsAccess row each. Written before the data is returned, so a view that could not
 * be recorded is not served. Kept a year (app/jobs/retention.server.ts); a customers/redact
 * replaces the customer's id in it with "redacted", a shop/redact deletes the shop's rows.
 */
export type OpsAction =
  "view-shop" | "view-customer" | "export-data-request" | "shop-action" | "job-action";

export async function recordOpsAccess(
  request: Request,
  user: string,
  entry: { action: OpsAction; shopDomain?: string | null; subject?: string | null },
): Promise<void> {
  await prisma.opsAccess.create({
    data: {
      user,
      action: entry.action,
      shopDomain: entry.shopDomain ?? null,
      subject: entry.subject ?? null,
      // The path without its query string.
      path: new URL(request.url).pathname.slice(0, 500),
    },
  });
}

/** The latest entries about a shop, newest first, for its ops page. */
export function recentOpsAccess(shopDomain: string, take = 20) {
  return prisma.opsAccess.findMany({
    where: { shopDomain },
    orderBy: { at: "desc" },
    take,
    select: { at: true, user: true, action: true, subject: true },
  });
}
