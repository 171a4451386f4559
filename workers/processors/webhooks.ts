import type { PrismaClient } from "@prisma/client";
import type { Job } from "bullmq";
import type { WebhookJob } from "~/jobs/queues";
import { applyWebhook } from "~/sync/apply-webhook.server";

/**
 * Applies one recorded webhook delivery. Idempotent: a delivery already processed is skipped,
 * and applying one twice converges on the same state, so a retry after a crash does no harm.
 */
export function webhookProcessor(prisma: PrismaClient) {
  return async (job: Job<WebhookJob>) => {
    const id = BigInt(job.data.deliveryId);
    const delivery = await prisma.webhookDelivery.findUnique({ where: { id } });
    if (!delivery) return { skipped: "delivery no longer exists" };
    if (delivery.status !== "RECEIVED") return { skipped: `already ${delivery.status}` };
    try {
      const outcome = await applyWebhook(prisma, delivery);
      await prisma.webhookDelivery.updateMany({
        where: { id },
        data: { status: "PROCESSED", processedAt: new Date(), error: null },
      });
      await prisma.shop.updateMany({
        where: { domain: delivery.shopDomain },
        data: { lastWebhookAt: delivery.receivedAt },
      });
      return { processed: delivery.topic, outcome };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await prisma.webhookDelivery.updateMany({
        where: { id },
        data: final ? { status: "FAILED", error: message } : { error: message },
      });
      throw error;
    }
  };
}
