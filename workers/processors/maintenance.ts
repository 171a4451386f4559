import type { PrismaClient } from "@prisma/client";
import type { Job, Queue } from "bullmq";
import type { MaintenanceJob } from "~/jobs/queues";
import { pruneExpired } from "~/jobs/retention.server";

/** Daily, 04:23 UTC: after the nightly reconciles and full recomputes. */
export const RETENTION_PATTERN = "23 4 * * *";

/** Creates (or leaves as it is) the retention job scheduler; run at every worker start. */
export async function scheduleRetention(queue: Queue<MaintenanceJob>): Promise<void> {
  await queue.upsertJobScheduler(
    "retention",
    { pattern: RETENTION_PATTERN, tz: "UTC" },
    { name: "retention", data: {} },
  );
}

export function maintenanceProcessor(prisma: PrismaClient) {
  return async (job: Job<MaintenanceJob>) => {
    if (job.name === "retention") return pruneExpired(prisma);
    return { skipped: `unknown maintenance job ${job.name}` };
  };
}
