import { Prisma } from "@prisma/client";
import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";

export interface VerifiedWebhook {
  shop: string;
  topic: string;
  webhookId: string;
  apiVersion: string;
  eventId?: string;
  triggeredAt?: string;
  payload: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Records a verified delivery and queues it. Shopify delivers at least once, so the delivery's
 * webhook id is the idempotency key: a repeat is acknowledged without being queued again, unless
 * the first copy never reached the queue, in which case this is its second chance.
 */
export async function acceptWebhook(webhook: VerifiedWebhook): Promise<Response> {
  if (!isObject(webhook.payload)) {
    return Response.json({ error: "payload must be a JSON object" }, { status: 400 });
  }
  const triggeredAt = webhook.triggeredAt ? new Date(webhook.triggeredAt) : null;
  let delivery: { id: bigint; status: string };
  let duplicate = false;
  try {
    delivery = await prisma.webhookDelivery.create({
      data: {
        shopDomain: webhook.shop,
        webhookId: webhook.webhookId,
        eventId: webhook.eventId ?? null,
        topic: webhook.topic,
        apiVersion: webhook.apiVersion,
        triggeredAt: triggeredAt && !Number.isNaN(triggeredAt.valueOf()) ? triggeredAt : null,
        payload: webhook.payload as Prisma.InputJsonObject,
      },
      select: { id: true, status: true },
    });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== "P2002") {
      throw error;
    }
    duplicate = true;
    delivery = await prisma.webhookDelivery.findUniqueOrThrow({
      where: { shopDomain_webhookId: { shopDomain: webhook.shop, webhookId: webhook.webhookId } },
      select: { id: true, status: true },
    });
  }

  if (delivery.status === "RECEIVED") {
    await queues().webhooks.add(
      webhook.topic,
      { deliveryId: delivery.id.toString(), shopDomain: webhook.shop, topic: webhook.topic },
      // The job id makes a second add of the same delivery a no-op while the first is queued.
      { jobId: `delivery-${delivery.id}` },
    );
  }
  return Response.json({ ok: true, duplicate }, { status: 200 });
}
