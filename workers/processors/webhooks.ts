import type { PrismaClient } from "@prisma/client";
import { UnrecoverableError, type Job, type Queue } from "bullmq";
import type { RecomputeJob, WebhookJob } from "~/jobs/queues";
import { requestRecompute } from "~/segments/requests.server";
import { applyWebhook, UnusablePayload } from "~/sync/apply-webhook.server";
import { markProcessed } from "~/sync/payload-retention";

/**
 * Applies one recorded webhook delivery. Idempotent: a delivery already processed is skipped,
 * and applying one twice converges on the same state, so a retry after a crash does no harm.
 */
export function webhookProcessor(prisma: PrismaClient, queues: { recompute: Queue<RecomputeJob> }) {
  return async (job: Job<WebhookJob>) => {
    const id = BigInt(job.data.deliveryId);
    const delivery = await prisma.webhookDelivery.findUnique({ where: { id } });
    if (!delivery) return { skipped: "delivery no longer exists" };
    // A FAILED row runs again: its job is being replayed (the ops "Retry" after the cause was
    // fixed); applying a delivery is idempotent, and nothing else queues a FAILED one.
    if (delivery.status === "PROCESSED" || delivery.status === "SKIPPED")
      return { skipped: `already ${delivery.status}` };
    try {
      const outcome = await applyWebhook(prisma, delivery, { jobId: job.id });
      // Its body is no longer needed: only a non-personal stub stays (docs/privacy.md).
      await markProcessed(prisma, id);
      await prisma.shop.updateMany({
        where: { domain: delivery.shopDomain },
        data: { lastWebhookAt: delivery.receivedAt },
      });
      // An order or customer change left the shop dirty: its segments follow, debounced.
      const shop = await prisma.shop.findUnique({
        where: { domain: delivery.shopDomain },
        select: { dirtySince: true, installState: true },
      });
      if (shop?.dirtySince && shop.installState === "INSTALLED")
        await requestRecompute(prisma, queues.recompute, delivery.shopDomain, { full: false });
      return { processed: delivery.topic, outcome };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const unusable = error instanceof UnusablePayload;
      const final = unusable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await prisma.webhookDelivery.updateMany({
        where: { id },
        data: final ? { status: "FAILED", error: message } : { error: message },
      });
      throw unusable ? new UnrecoverableError(message) : error;
    }
  };
}
