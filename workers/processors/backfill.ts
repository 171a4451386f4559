import type { PrismaClient } from "@prisma/client";
import { DelayedError, type Job, type Queue } from "bullmq";
import type { BackfillJob, RecomputeJob } from "~/jobs/queues";
import { requestRecompute } from "~/segments/requests.server";
import { syncShop } from "~/sync/backfill.server";

/** How long a backfill waits before trying again for a shop whose sync lock is held. */
export const BUSY_BACKFILL_DELAY_MS = 5_000;

/**
 * Backfill after install and reconciliation on schedule: both read the store into PostgreSQL,
 * then ask for the segments to follow — a full recompute after the backfill, an incremental
 * one for whatever the reconciliation repaired.
 */
export function backfillProcessor(
  prisma: PrismaClient,
  queues: { recompute: Queue<RecomputeJob> },
) {
  return async (job: Job<BackfillJob>, token?: string) => {
    const outcome = await syncShop(prisma, job.data.shopDomain, job.data.kind);
    if (outcome.busy && job.data.kind === "BACKFILL") {
      // The lock's holder may be a worker that has just died (its connection, and the lock,
      // go when PostgreSQL notices) or a reconcile: the install's backfill waits for it
      // instead of ending with the store unread. Delaying spends none of the job's attempts.
      await job.moveToDelayed(Date.now() + BUSY_BACKFILL_DELAY_MS, token);
      throw new DelayedError();
    }
    // A reconcile skipped for a sync already running leaves the recompute to that one.
    if (outcome.skipped) return outcome;
    await requestRecompute(prisma, queues.recompute, job.data.shopDomain, {
      full: job.data.kind === "BACKFILL",
    });
    return outcome;
  };
}
