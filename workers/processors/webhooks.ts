import type { PrismaClient } from "@prisma/client";
import type { Job } from "bullmq";
import type { WebhookJob } from "~/jobs/queues";

/**
 * Applies one recorded webhook delivery. Idempotent: a delivery already processed is skipped,
 * so a retry after a crash does no harm.
 */
export function webhookProcessor(prisma: PrismaClient) {
  return async (job: Job<WebhookJob>) => {
    const id = BigInt(job.data.deliveryId);
    const delivery = await prisma.webhookDelivery.findUnique({ where: { id } });
    if (!delivery) return { skipped: "delivery no longer exists" };
    if (delivery.status !== "RECEIVED") return { skipped: `already ${delivery.status}` };
    await prisma.$transaction([
      prisma.webhookDelivery.update({
        where: { id },
        data: { status: "PROCESSED", processedAt: new Date() },
      }),
      prisma.shop.updateMany({
        where: { domain: delivery.shopDomain },
        data: { lastWebhookAt: delivery.receivedAt },
      }),
    ]);
    return { processed: delivery.topic };
  };
}
