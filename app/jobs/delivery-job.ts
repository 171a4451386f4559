import type { Queue } from "bullmq";
import type { WebhookJob } from "./queues";
import { webhookJobId } from "./webhook-job-id";

/** What identifies one recorded webhook delivery, as the intake and the recovery sweep see it. */
export interface DeliveryRef {
  /** WebhookDelivery row id. */
  id: string | bigint;
  shopDomain: string;
  webhookId: string;
  topic: string;
}

/**
 * The BullMQ job id of a delivery: a second add of the same delivery is a no-op while the
 * first is kept. The one place that names it, so the intake, the recovery sweep and the tests
 * agree (and so it can follow the delivery's Shopify identity instead of its row id).
 */
export function deliveryJobId(delivery: DeliveryRef): string {
  return webhookJobId(delivery.shopDomain, delivery.webhookId);
}

/** Queues the job that applies a recorded delivery. */
export async function queueDelivery(
  queue: Queue<WebhookJob>,
  delivery: DeliveryRef,
): Promise<void> {
  await queue.add(
    delivery.topic,
    { deliveryId: String(delivery.id), shopDomain: delivery.shopDomain, topic: delivery.topic },
    { jobId: deliveryJobId(delivery) },
  );
}
