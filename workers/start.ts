import type { PrismaClient } from "@prisma/client";
import { Worker, type Processor } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createQueues } from "~/jobs/producer.server";
import { QUEUE_NAMES, type QueueName } from "~/jobs/queues";
import { backfillProcessor } from "./processors/backfill";
import { recomputeProcessor } from "./processors/recompute";
import { tagsProcessor } from "./processors/tags";
import { webhookProcessor } from "./processors/webhooks";

export interface WorkerDeps {
  prisma: PrismaClient;
  connection: Redis;
  prefix: string;
  concurrency: number;
  logger: Logger;
  /** Lock of a job; after it lapses, the stalled-job check hands the job to another worker. */
  lockDurationMs?: number;
}

function processors(deps: WorkerDeps, queues: ReturnType<typeof createQueues>) {
  const byQueue: Record<QueueName, Processor> = {
    webhooks: webhookProcessor(deps.prisma, queues),
    backfill: backfillProcessor(deps.prisma, queues),
    recompute: recomputeProcessor(deps.prisma, queues),
    tags: tagsProcessor(deps.prisma),
  };
  return byQueue;
}

/** Starts one BullMQ worker per queue; `close()` lets active jobs finish before returning. */
export function startWorkers(deps: WorkerDeps) {
  // The workers' own producers: one job leads to the next (webhook → recompute → tags).
  const queues = createQueues(deps.connection, deps.prefix);
  const byQueue = processors(deps, queues);
  const workers = QUEUE_NAMES.map((name) => {
    const worker = new Worker(name, byQueue[name], {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency,
      lockDuration: deps.lockDurationMs ?? 30_000,
      stalledInterval: deps.lockDurationMs ?? 30_000,
    });
    worker.on("failed", (job, error) =>
      deps.logger.warn(
        { queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: error },
        "job failed",
      ),
    );
    worker.on("error", (error) => deps.logger.error({ queue: name, err: error }, "worker error"));
    return worker;
  });
  return {
    workers,
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all(Object.values(queues).map((queue) => queue.close()));
    },
  };
}
