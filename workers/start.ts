import type { PrismaClient } from "@prisma/client";
import { Worker, type Processor } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createQueues } from "~/jobs/producer.server";
import {
  CAPPED_EXPONENTIAL,
  QUEUE_NAMES,
  cappedExponentialDelay,
  type QueueName,
} from "~/jobs/queues";
import { ensureRecovery, recoveryProcessor } from "~/jobs/recovery.server";
import { backfillProcessor } from "./processors/backfill";
import { maintenanceProcessor, scheduleRetention } from "./processors/maintenance";
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
  /** The recompute queue's lock: it must outlast the engine's synchronous fit (config.server). */
  recomputeLockDurationMs?: number;
  /**
   * The recovery sweep (app/jobs/recovery.server.ts): every `intervalMs`, at start and after
   * each reconnection to Redis. Off unless given (tests that start workers in-process).
   */
  recovery?: { intervalMs: number; deliveryGraceMs: number };
}

/** The backoff strategies jobs may name beside BullMQ's own. */
function backoffStrategy(
  attemptsMade: number,
  type?: string,
  _error?: Error,
  job?: { opts: { backoff?: unknown } },
) {
  const backoff = job?.opts.backoff as { delay?: number } | undefined;
  if (type === CAPPED_EXPONENTIAL)
    return cappedExponentialDelay(attemptsMade, backoff?.delay ?? 2_000);
  throw new Error(`unknown backoff strategy ${String(type)}`);
}

function processors(deps: WorkerDeps, queues: ReturnType<typeof createQueues>) {
  const byQueue: Record<QueueName, Processor> = {
    webhooks: webhookProcessor(deps.prisma, queues),
    backfill: backfillProcessor(deps.prisma, queues),
    recompute: recomputeProcessor(deps.prisma, queues),
    tags: tagsProcessor(deps.prisma),
    maintenance: maintenanceProcessor(deps.prisma),
    recovery: recoveryProcessor(deps.prisma, queues, {
      deliveryGraceMs: deps.recovery?.deliveryGraceMs ?? 60_000,
      logger: deps.logger,
    }),
  };
  return byQueue;
}

/** Starts one BullMQ worker per queue; `close()` lets active jobs finish before returning. */
export function startWorkers(deps: WorkerDeps) {
  // The workers' own producers: one job leads to the next (webhook → recompute → tags).
  const queues = createQueues(deps.connection, deps.prefix);
  const byQueue = processors(deps, queues);
  const names = deps.recovery ? QUEUE_NAMES : QUEUE_NAMES.filter((name) => name !== "recovery");
  const workers = names.map((name) => {
    const worker = new Worker(name, byQueue[name], {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency,
      lockDuration:
        name === "recompute"
          ? (deps.recomputeLockDurationMs ?? 300_000)
          : (deps.lockDurationMs ?? 30_000),
      stalledInterval: deps.lockDurationMs ?? 30_000,
      settings: { backoffStrategy },
    });
    worker.on("failed", (job, error) =>
      deps.logger.warn(
        { queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: error },
        "job failed",
      ),
    );
    // Support reads what a shop's sync, recompute and pushes did and how long they took; the
    // webhooks queue, thousands of jobs an hour, logs only at debug.
    worker.on("completed", (job) =>
      deps.logger[name === "webhooks" ? "debug" : "info"](
        {
          queue: name,
          jobId: job.id,
          shop: (job.data as { shopDomain?: string }).shopDomain,
          ms: job.finishedOn && job.processedOn ? job.finishedOn - job.processedOn : undefined,
          result: name === "webhooks" ? undefined : job.returnvalue,
        },
        "job completed",
      ),
    );
    worker.on("error", (error) => deps.logger.error({ queue: name, err: error }, "worker error"));
    return worker;
  });
  scheduleRetention(queues.maintenance).catch((error: unknown) =>
    deps.logger.error({ err: error }, "the retention schedule could not be created"),
  );
  const recovery = deps.recovery;
  const onReady = () => {
    if (!recovery) return;
    ensureRecovery(queues.recovery, recovery.intervalMs).catch((error: unknown) =>
      deps.logger.error({ err: error }, "recovery sweep not scheduled"),
    );
  };
  // At start, and whenever Redis comes back: a restarted Redis may have lost the scheduler.
  onReady();
  deps.connection.on("ready", onReady);
  return {
    workers,
    async close() {
      deps.connection.off("ready", onReady);
      await Promise.all(workers.map((worker) => worker.close()));
      await Promise.all(Object.values(queues).map((queue) => queue.close()));
    },
  };
}
