import type { PrismaClient } from "@prisma/client";
import type { Job } from "bullmq";
import type { TagsJob } from "~/jobs/queues";
import { pushInBulk } from "~/tags/bulk-mutation.server";
import { AdminClient, type ClientOptions } from "~/tags/client.server";
import { sendFlowTriggers } from "~/tags/flow.server";
import { pushPendingTags, type PushOptions } from "~/tags/push.server";
import { refreshShopifySegments } from "~/tags/shopify-segments.server";

export interface TagsSummary {
  pushed: number;
  unchanged: number;
  failed: number;
  bulk: boolean;
  flowSent: number;
  metafieldsWritten: number;
  /** Shopify segments pointed at new tags (after a tag-prefix change). */
  segmentsUpdated: number;
  /** THROTTLED answers waited out on the way (none reach the job's failure path). */
  throttled: number;
  requests: number;
  skipped?: string;
}

export interface TagsProcessorOptions extends PushOptions {
  /** More pending customers than this go through a bulk mutation instead of requests. */
  bulkThreshold?: number;
  client?: ClientOptions;
}

export const DEFAULT_BULK_THRESHOLD = 5_000;

/**
 * Pushes a shop's pending tag and score changes to Shopify, then its Flow triggers. Everything
 * it does is recorded in TagSyncState and SegmentEvent as it goes, so a retry (after a crash,
 * a redeploy or a Redis restart) continues where the last attempt stopped.
 */
export function tagsProcessor(prisma: PrismaClient, options: TagsProcessorOptions = {}) {
  return async (job: Job<TagsJob>): Promise<TagsSummary> => {
    const shop = await prisma.shop.findUnique({ where: { domain: job.data.shopDomain } });
    const summary: TagsSummary = {
      pushed: 0,
      unchanged: 0,
      failed: 0,
      bulk: false,
      flowSent: 0,
      metafieldsWritten: 0,
      segmentsUpdated: 0,
      throttled: 0,
      requests: 0,
    };
    if (!shop || shop.installState !== "INSTALLED")
      return { ...summary, skipped: shop ? "shop not installed" : "unknown shop" };

    const client = new AdminClient(prisma, shop, options.client);
    const pending = await prisma.tagSyncState.count({
      where: { shopId: shop.id, status: { in: ["PENDING", "IN_FLIGHT"] } },
    });
    summary.bulk = pending > (options.bulkThreshold ?? DEFAULT_BULK_THRESHOLD);
    const totals = summary.bulk
      ? await pushInBulk(prisma, client, shop)
      : await pushPendingTags(prisma, client, shop, options);
    const flow = await sendFlowTriggers(prisma, client, shop);
    // The tags have moved (a prefix change moves them all); the Shopify segments follow.
    const segmentsUpdated = await refreshShopifySegments(prisma, shop, client);
    return {
      ...summary,
      pushed: totals.pushed,
      unchanged: totals.unchanged,
      failed: totals.failed,
      metafieldsWritten: totals.metafieldsWritten,
      flowSent: flow.sent,
      segmentsUpdated,
      throttled: client.stats.throttled,
      requests: client.stats.requests,
    };
  };
}
