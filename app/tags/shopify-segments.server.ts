import type { PrismaClient, ShopifySegment } from "@prisma/client";
import { segmentDefinition, segmentTag } from "~/segmentation/catalog";
import { AdminClient } from "./client.server";
import { SEGMENT_CREATE, SEGMENT_UPDATE, SEGMENTS_PAGE, type UserError } from "./documents";

/**
 * A Shopify customer segment for one of Propel's, defined on its tag, so discounts, Shopify
 * Email and marketing automations can aim at it. Created once per shop and segment and
 * remembered in ShopifySegment; asking again returns the stored one.
 */
export function segmentQuery(tag: string): string {
  return `customer_tags CONTAINS '${tag.replace(/'/g, "\\'")}'`;
}

export function segmentName(segmentKey: string): string {
  return `Propel: ${segmentDefinition(segmentKey)?.label ?? segmentKey}`;
}

interface SegmentNode {
  id: string;
  name: string;
  query: string;
}

async function findByName(client: AdminClient, name: string): Promise<SegmentNode | undefined> {
  let after: string | null = null;
  for (;;) {
    const data: {
      segments: {
        nodes: SegmentNode[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    } = await client.request(SEGMENTS_PAGE, { after }, 252);
    const found = data.segments.nodes.find((segment) => segment.name === name);
    if (found) return found;
    if (!data.segments.pageInfo.hasNextPage) return undefined;
    after = data.segments.pageInfo.endCursor;
  }
}

export async function ensureShopifySegment(
  prisma: PrismaClient,
  shop: {
    id: number;
    domain: string;
    tagPrefix: string;
    throttleRestoreRate: number;
    throttleMaximumAvailable: number;
    throttleCurrentlyAvailable: number | null;
  },
  segmentKey: string,
  client: AdminClient = new AdminClient(prisma, shop),
): Promise<ShopifySegment> {
  const existing = await prisma.shopifySegment.findUnique({
    where: { shopId_segmentKey: { shopId: shop.id, segmentKey } },
  });
  if (existing) return existing;
  const name = segmentName(segmentKey);
  const query = segmentQuery(segmentTag(shop.tagPrefix, segmentKey));
  const data = await client.request<{
    segmentCreate: { segment: SegmentNode | null; userErrors: UserError[] };
  }>(SEGMENT_CREATE, { name, query }, 10);
  let segment = data.segmentCreate.segment;
  // A run that created the segment and died before storing it left one with our name.
  if (!segment && data.segmentCreate.userErrors.some((e) => /taken/i.test(e.message)))
    segment = (await findByName(client, name)) ?? null;
  if (!segment)
    throw new Error(
      `segmentCreate refused: ${data.segmentCreate.userErrors.map((e) => e.message).join("; ")}`,
    );
  return prisma.shopifySegment.upsert({
    where: { shopId_segmentKey: { shopId: shop.id, segmentKey } },
    create: { shopId: shop.id, segmentKey, shopifyId: segment.id, name, query: segment.query },
    update: {},
  });
}

/**
 * Points the shop's Shopify segments at the tags Propel now writes: after a tag-prefix change
 * they would still select the old tags, which the push has just removed, and the discounts and
 * emails aimed at them would reach nobody. Returns how many were updated.
 */
export async function refreshShopifySegments(
  prisma: PrismaClient,
  shop: { id: number; tagPrefix: string },
  client: AdminClient,
): Promise<number> {
  const stored = await prisma.shopifySegment.findMany({ where: { shopId: shop.id } });
  let updated = 0;
  for (const row of stored) {
    const query = segmentQuery(segmentTag(shop.tagPrefix, row.segmentKey));
    if (row.query === query) continue;
    const data = await client.request<{
      segmentUpdate: { segment: SegmentNode | null; userErrors: UserError[] };
    }>(SEGMENT_UPDATE, { id: row.shopifyId, query }, 10);
    const { segment, userErrors } = data.segmentUpdate;
    if (!segment) {
      // Deleted in Shopify by the merchant: forget it, so asking again creates a new one.
      if (userErrors.some((e) => /does not exist/i.test(e.message))) {
        await prisma.shopifySegment.delete({
          where: { shopId_segmentKey: { shopId: shop.id, segmentKey: row.segmentKey } },
        });
        continue;
      }
      throw new Error(`segmentUpdate refused: ${userErrors.map((e) => e.message).join("; ")}`);
    }
    await prisma.shopifySegment.update({
      where: { shopId_segmentKey: { shopId: shop.id, segmentKey: row.segmentKey } },
      data: { query: segment.query },
    });
    updated++;
  }
  return updated;
}
