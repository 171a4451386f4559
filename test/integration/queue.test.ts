import { QueueEvents } from "bullmq";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { createRedisConnection } from "~/jobs/connection.server";
import { createQueues } from "~/jobs/producer.server";
import { startWorkers } from "../../workers/start";

describe("BullMQ job round trip", () => {
  // A prefix of its own: jobs other test files left behind must not queue ahead of this one.
  const prefix = `${process.env.QUEUE_PREFIX!}_roundtrip`;
  const producer = createRedisConnection(process.env.REDIS_URL!, "producer");
  const workerConnection = createRedisConnection(process.env.REDIS_URL!, "worker");
  const queues = createQueues(producer, prefix);
  const events = new QueueEvents("webhooks", {
    connection: createRedisConnection(process.env.REDIS_URL!, "worker"),
    prefix,
  });
  const workers = startWorkers({
    prisma,
    connection: workerConnection,
    prefix,
    concurrency: 2,
    logger: pino({ level: "silent" }),
  });

  afterAll(async () => {
    await workers.close();
    await events.close();
    await Promise.all(Object.values(queues).map((queue) => queue.close()));
    producer.disconnect();
    workerConnection.disconnect();
  });

  it("a queued webhook delivery is processed once by the worker, and a retry is a no-op", async () => {
    await events.waitUntilReady();
    const delivery = await prisma.webhookDelivery.create({
      data: {
        shopDomain: "round-trip.myshopify.com",
        webhookId: "round-trip-1",
        // A shop Propel does not know: the worker records the delivery as processed and skips it.
        topic: "customers/update",
        payload: { id: 1 },
      },
    });
    const job = await queues.webhooks.add("customers/update", {
      deliveryId: delivery.id.toString(),
      shopDomain: delivery.shopDomain,
      topic: delivery.topic,
    });
    const result = await job.waitUntilFinished(events, 20_000);
    expect(result).toEqual({ processed: "customers/update", outcome: "unknown shop: skipped" });

    const stored = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(stored.status).toBe("PROCESSED");
    expect(stored.processedAt).not.toBeNull();

    const again = await queues.webhooks.add("customers/update", job.data);
    expect(await again.waitUntilFinished(events, 20_000)).toEqual({ skipped: "already PROCESSED" });
  });
});
