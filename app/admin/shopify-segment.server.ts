import prisma from "~/db.server";
import { familyOf, segmentTag } from "~/segmentation/catalog";
import { ensureShopifySegment } from "~/tags/shopify-segments.server";

/**
 * The Shopify customer segment mirroring one of Propel's (defined on its tag), so the merchant
 * finds it in Shopify's own customer view and discounts can aim at it.
 */
export async function shopifySegmentFor(shopId: number, segmentKey: string) {
  const segment = await prisma.shopifySegment.findUnique({
    where: { shopId_segmentKey: { shopId, segmentKey } },
    select: { name: true, query: true, createdAt: true },
  });
  return segment && { ...segment, createdAt: segment.createdAt.toISOString() };
}

export async function createShopifySegment(
  shopId: number,
  segmentKey: string,
): Promise<{ error?: string }> {
  const shop = await prisma.shop.findUniqueOrThrow({
    where: { id: shopId },
    select: {
      id: true,
      domain: true,
      tagPrefix: true,
      taggedFamilies: true,
      throttleRestoreRate: true,
      throttleMaximumAvailable: true,
      throttleCurrentlyAvailable: true,
    },
  });
  const family = familyOf(segmentKey);
  if (!family || !shop.taggedFamilies.includes(family))
    return {
      error: `Customers in this segment are not tagged yet: turn on tags for this family in Settings, then create the Shopify segment.`,
    };
  try {
    await ensureShopifySegment(prisma, shop, segmentKey);
    return {};
  } catch (error) {
    return {
      error: `Shopify did not create the segment on ${segmentTag(shop.tagPrefix, segmentKey)}: ${
        error instanceof Error ? error.message : String(error)
      }`,
    };
  }
}
