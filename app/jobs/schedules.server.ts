import { queues } from "./producer.server";

/** Nightly, per shop: re-read what changed since the last pass and repair what webhooks missed. */
const RECONCILE_PATTERN = "17 3 * * *";

const schedulerId = (shopDomain: string) => `reconcile:${shopDomain}`;

export async function scheduleReconciliation(shopDomain: string): Promise<void> {
  await queues().backfill.upsertJobScheduler(
    schedulerId(shopDomain),
    { pattern: RECONCILE_PATTERN, tz: "UTC" },
    { name: "reconcile", data: { shopDomain, kind: "RECONCILE" } },
  );
}

/** After an uninstall nothing more runs for the shop: its schedule and waiting jobs go. */
export async function stopShopJobs(shopDomain: string): Promise<void> {
  const { backfill, webhooks, recompute, tags } = queues();
  await backfill.removeJobScheduler(schedulerId(shopDomain));
  for (const queue of [backfill, recompute, tags, webhooks]) {
    const waiting = await queue.getJobs(["waiting", "delayed", "prioritized"]);
    await Promise.all(
      waiting
        .filter((job) => job.data.shopDomain === shopDomain && job.name !== "app/uninstalled")
        .map((job) => job.remove()),
    );
  }
}
