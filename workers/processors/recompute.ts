import type { PrismaClient } from "@prisma/client";
import type { Job, Queue } from "bullmq";
import type { RecomputeJob, TagsJob } from "~/jobs/queues";
import { recomputeShop } from "~/segments/recompute.server";
import { requestRecompute, requestTagSync } from "~/segments/requests.server";

/**
 * Recomputes a shop's segments, then hands whatever changed to the tags worker. The nightly
 * schedule only files a full request, so it joins the shop's one-at-a-time line instead of
 * running beside an incremental job.
 */
export function recomputeProcessor(
  prisma: PrismaClient,
  queues: { recompute: Queue<RecomputeJob>; tags: Queue<TagsJob> },
) {
  return async (job: Job<RecomputeJob>) => {
    const { shopDomain } = job.data;
    if (job.name === "scheduled-full") {
      await requestRecompute(prisma, queues.recompute, shopDomain, { full: true });
      return { requested: "full" };
    }
    const outcome = await recomputeShop(prisma, shopDomain, { full: job.data.full });
    if (outcome.kind !== "skipped") await requestTagSync(queues.tags, shopDomain);
    return outcome;
  };
}
