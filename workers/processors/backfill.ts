import type { PrismaClient } from "@prisma/client";
import type { Job } from "bullmq";
import type { BackfillJob } from "~/jobs/queues";
import { syncShop } from "~/sync/backfill.server";

/** Backfill after install and reconciliation on schedule: both read the store into PostgreSQL. */
export function backfillProcessor(prisma: PrismaClient) {
  return async (job: Job<BackfillJob>) => syncShop(prisma, job.data.shopDomain, job.data.kind);
}
