import type { PrismaClient } from "@prisma/client";
import { Worker, type Processor } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { QUEUE_NAMES, type QueueName } from "~/jobs/queues";
import { backfillProcessor } from "./processors/backfill";
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

function processors(deps: WorkerDeps): Record<QueueName, Processor> {
  // Recompute and tag sync arrive with the segmentation workers; until then their jobs
  // complete as no-ops so the wiring, retries and shutdown can be exercised end to end.
  const noop: Processor = async (job) => ({ noop: job.name });
  return {
    webhooks: webhookProcessor(deps.prisma),
    backfill: backfillProcessor(deps.prisma),
    recompute: noop,
    tags: noop,
  };
}

/** Starts one BullMQ worker per queue; `close()` lets active jobs finish before returning. */
export function startWorkers(deps: WorkerDeps) {
  const byQueue = processors(deps);
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
    },
  };
}
