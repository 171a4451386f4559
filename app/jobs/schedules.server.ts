import { queues } from "./producer.server";

/** Nightly, per shop: re-read what changed since the last pass and repair what webhooks missed. */
const RECONCILE_PATTERN = "17 3 * * *";

/** Nightly, per shop, after reconciliation: refit the models over the whole shop. */
const FULL_RECOMPUTE_PATTERN = "47 3 * * *";

const schedulerId = (shopDomain: string) => `reconcile:${shopDomain}`;
const recomputeSchedulerId = (shopDomain: string) => `recompute-full:${shopDomain}`;

export async function scheduleReconciliation(shopDomain: string): Promise<void> {
  await queues().backfill.upsertJobScheduler(
    schedulerId(shopDomain),
    { pattern: RECONCILE_PATTERN, tz: "UTC" },
    { name: "reconcile", data: { shopDomain, kind: "RECONCILE" } },
  );
}

export async function scheduleFullRecompute(shopDomain: string): Promise<void> {
  await queues().recompute.upsertJobScheduler(
    recomputeSchedulerId(shopDomain),
    { pattern: FULL_RECOMPUTE_PATTERN, tz: "UTC" },
    { name: "scheduled-full", data: { shopDomain, full: true } },
  );
}

/** After an uninstall nothing more runs for the shop: its schedule and waiting jobs go. */
export async function stopShopJobs(shopDomain: string): Promise<void> {
  const { backfill, webhooks, recompute, tags } = queues();
  await backfill.removeJobScheduler(schedulerId(shopDomain));
  await recompute.removeJobScheduler(recomputeSchedulerId(shopDomain));
  for (const queue of [backfill, recompute, tags, webhooks]) {
    const waiting = await queue.getJobs(["waiting", "delayed", "prioritized"]);
    await Promise.all(
      waiting
        .filter((job) => job.data.shopDomain === shopDomain && job.name !== "app/uninstalled")
        .map((job) => job.remove()),
    );
  }
}
