import type { PrismaClient } from "@prisma/client";

/**
 * Shopify sends customers/update for every tag Propel pushes. Re-reading each of those customers
 * over GraphQL would spend the shop's rate limit twice for every push, so an update whose only
 * difference from the stored customer is in Propel's own tags is applied from its payload:
 * the tags and version are recorded, and nothing is marked for recompute. Anything else (a
 * merchant's tag, consent, a deleted or unknown customer) returns false and takes the full path.
 */
export async function applyOwnTagEcho(
  prisma: PrismaClient,
  shop: { id: number; tagPrefix: string },
  id: bigint,
  payload: Record<string, unknown>,
): Promise<boolean> {
  if (typeof payload.tags !== "string" || typeof payload.updated_at !== "string") return false;
  const updatedAt = new Date(payload.updated_at);
  if (Number.isNaN(updatedAt.valueOf())) return false;
  const consent = (payload.email_marketing_consent as { state?: unknown } | null | undefined)
    ?.state;
  const tags = payload.tags
    .split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);
  const stored = await prisma.customer.findUnique({
    where: { shopId_id: { shopId: shop.id, id } },
    select: { tags: true, emailMarketingState: true, deletedAt: true, redactedAt: true },
  });
  if (!stored || stored.deletedAt || stored.redactedAt) return false;
  const foreign = (list: string[]) =>
    list
      .filter((tag) => !tag.startsWith(`${shop.tagPrefix}:`))
      .sort()
      .join("\n");
  if (foreign(tags) !== foreign(stored.tags)) return false;
  if (String(consent ?? "").toUpperCase() !== (stored.emailMarketingState ?? "").toUpperCase())
    return false;
  await prisma.customer.updateMany({
    where: { shopId: shop.id, id, shopifyUpdatedAt: { lte: updatedAt } },
    data: { tags, shopifyUpdatedAt: updatedAt },
  });
  return true;
}
