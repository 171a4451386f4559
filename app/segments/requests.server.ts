import type { PrismaClient } from "@prisma/client";
import type { Queue } from "bullmq";
import type { RecomputeJob, TagsJob } from "~/jobs/queues";

/**
 * How anything asks for a shop's segments or tags to be brought up to date. Requests coalesce:
 * one job per shop waits at a time (BullMQ deduplication), a burst of orders becomes one
 * recompute after a short debounce, and a request made while the shop's job is running queues
 * exactly one follow-up (`keepLastIfActive`), so work is never lost nor run twice in parallel.
 */
export const RECOMPUTE_DEBOUNCE_MS = 1_000;

export async function requestRecompute(
  prisma: PrismaClient,
  queue: Queue<RecomputeJob>,
  shopDomain: string,
  options: { full: boolean },
): Promise<void> {
  // The job's data may be replaced by a later incremental request; the flag is what a full
  // request leaves behind for whichever run comes next.
  if (options.full)
    await prisma.shop.updateMany({
      where: { domain: shopDomain },
      data: { fullRecomputeRequestedAt: new Date() },
    });
  await queue.add(
    options.full ? "full" : "incremental",
    { shopDomain, full: options.full },
    {
      deduplication: { id: `recompute-${shopDomain}`, keepLastIfActive: true },
      delay: options.full ? 0 : RECOMPUTE_DEBOUNCE_MS,
    },
  );
}

export async function requestTagSync(queue: Queue<TagsJob>, shopDomain: string): Promise<void> {
  await queue.add(
    "push",
    { shopDomain },
    { deduplication: { id: `tags-${shopDomain}`, keepLastIfActive: true } },
  );
}
