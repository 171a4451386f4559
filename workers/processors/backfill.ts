import type { PrismaClient } from "@prisma/client";
import type { Job, Queue } from "bullmq";
import type { BackfillJob, RecomputeJob } from "~/jobs/queues";
import { requestRecompute } from "~/segments/requests.server";
import { syncShop } from "~/sync/backfill.server";

/**
 * Backfill after install and reconciliation on schedule: both read the store into PostgreSQL,
 * then ask for the segments to follow — a full recompute after the backfill, an incremental
 * one for whatever the reconciliation repaired.
 */
export function backfillProcessor(
  prisma: PrismaClient,
  queues: { recompute: Queue<RecomputeJob> },
) {
  return async (job: Job<BackfillJob>) => {
    const outcome = await syncShop(prisma, job.data.shopDomain, job.data.kind);
    // A sync skipped for one already running leaves the recompute to that one.
    if (outcome.skipped) return outcome;
    await requestRecompute(prisma, queues.recompute, job.data.shopDomain, {
      full: job.data.kind === "BACKFILL",
    });
    return outcome;
  };
}
