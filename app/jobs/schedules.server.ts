import type { Queue } from "bullmq";
import { fullRecomputePattern, reconcilePattern } from "./nightly-slot";
import { queues } from "./producer.server";
import { COMPLIANCE_TOPICS, type BackfillJob, type RecomputeJob } from "./queues";

/*
 * Nightly, per shop, each at its own minute (nightly-slot.ts): the reconcile re-reads what
 * changed since the last pass and repairs what webhooks missed; the full recompute after it
 * refits the models over the whole shop.
 */

export const reconcileSchedulerId = (shopDomain: string) => `reconcile:${shopDomain}`;
export const recomputeSchedulerId = (shopDomain: string) => `recompute-full:${shopDomain}`;

export async function scheduleReconciliation(
  shopDomain: string,
  queue: Queue<BackfillJob> = queues().backfill,
): Promise<void> {
  await queue.upsertJobScheduler(
    reconcileSchedulerId(shopDomain),
    { pattern: reconcilePattern(shopDomain), tz: "UTC" },
    { name: "reconcile", data: { shopDomain, kind: "RECONCILE" } },
  );
}

export async function scheduleFullRecompute(
  shopDomain: string,
  queue: Queue<RecomputeJob> = queues().recompute,
): Promise<void> {
  await queue.upsertJobScheduler(
    recomputeSchedulerId(shopDomain),
    { pattern: fullRecomputePattern(shopDomain), tz: "UTC" },
    { name: "scheduled-full", data: { shopDomain, full: true } },
  );
}

/**
 * After an uninstall nothing more runs for the shop: its schedule and waiting jobs go, except
 * the uninstall itself and the compliance requests, which are owed whatever the shop does.
 */
export async function stopShopJobs(shopDomain: string): Promise<void> {
  const { backfill, webhooks, recompute, tags } = queues();
  await backfill.removeJobScheduler(reconcileSchedulerId(shopDomain));
  await recompute.removeJobScheduler(recomputeSchedulerId(shopDomain));
  for (const queue of [backfill, recompute, tags, webhooks]) {
    const waiting = await queue.getJobs(["waiting", "delayed", "prioritized"]);
    await Promise.all(
      waiting
        .filter(
          (job) =>
            job.data.shopDomain === shopDomain &&
            job.name !== "app/uninstalled" &&
            !COMPLIANCE_TOPICS.has(job.name),
        )
        .map((job) => job.remove()),
    );
  }
}
