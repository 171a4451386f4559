import type { PrismaClient } from "@prisma/client";
import type { Job, Queue } from "bullmq";
import type { Logger } from "pino";
import { requestRecompute, requestTagSync } from "~/segments/requests.server";
import { deliveryJobId, queueDelivery } from "./delivery-job";
import { fullRecomputePattern, reconcilePattern } from "./nightly-slot";
import {
  COMPLIANCE_TOPICS,
  type BackfillJob,
  type RecomputeJob,
  type RecoveryJob,
  type TagsJob,
  type WebhookJob,
} from "./queues";
import {
  reconcileSchedulerId,
  recomputeSchedulerId,
  scheduleFullRecompute,
  scheduleReconciliation,
} from "./schedules.server";

/**
 * PostgreSQL is the record of the work Propel owes; Redis only holds the queue of it. Redis can
 * lose that queue (a restart without persistence, a failover, an eviction), and Shopify never
 * sends an acknowledged delivery again, so this sweep rebuilds from PostgreSQL whatever the
 * queue should hold and does not:
 *
 * - every delivery still RECEIVED after the grace period gets its job back (a job that exists
 *   and is waiting, delayed or running is left alone; one kept as completed or failed while
 *   its row says RECEIVED lost its row update, and is replaced);
 * - every installed shop gets its nightly reconcile and full-recompute schedulers back, at its
 *   own minute (nightly-slot.ts);
 * - a shop left dirty, never backfilled, or with tag pushes or Flow triggers outstanding gets
 *   its recompute, backfill or tags job asked for again (all three coalesce per shop, so
 *   asking twice costs nothing);
 * - a compliance delivery still unprocessed after an hour is logged as an error for support;
 * - after a PostgreSQL restart, every shop is reconciled (see `postgresRestartedAt`).
 *
 * It runs when a worker starts, whenever a worker's Redis connection comes back, and every
 * RECOVERY_INTERVAL_MS as a BullMQ job scheduler (which itself lives in Redis, hence the
 * first two).
 */

export interface RecoveryQueues {
  webhooks: Queue<WebhookJob>;
  backfill: Queue<BackfillJob>;
  recompute: Queue<RecomputeJob>;
  tags: Queue<TagsJob>;
  recovery: Queue<RecoveryJob>;
}

export interface RecoveryOptions {
  /** A delivery younger than this is left to the intake that is queueing it. */
  deliveryGraceMs: number;
  /** Compliance deliveries unprocessed for longer than this are reported. */
  complianceAlertMs?: number;
  /** Deliveries re-queued per sweep at most; the next sweep takes the rest. */
  batch?: number;
  logger?: Logger;
}

export interface RecoveryReport {
  deliveriesRequeued: number;
  schedulersRecreated: number;
  recomputesRequested: number;
  backfillsRequested: number;
  tagSyncsRequested: number;
  complianceOverdue: number;
  /** Reconciles asked for because PostgreSQL restarted since the last sweep. */
  reconcilesRequested: number;
}

const COMPLIANCE_ALERT_MS = 60 * 60_000;
const LIVE_STATES = new Set(["waiting", "delayed", "active", "prioritized", "waiting-children"]);

/** Puts a RECEIVED delivery's job back unless a live one is there; true when it added one. */
async function requeue(
  queue: Queue<WebhookJob>,
  delivery: { id: bigint; shopDomain: string; webhookId: string; topic: string },
): Promise<boolean> {
  const ref = { ...delivery, id: delivery.id.toString() };
  const existing = await queue.getJob(deliveryJobId(ref));
  if (existing) {
    const state = await existing.getState();
    if (LIVE_STATES.has(state)) return false;
    // Kept as completed or failed while the row is RECEIVED: the row's update was lost (the
    // database went away between the two); the same id would make the new add a no-op.
    await existing.remove();
  }
  await queueDelivery(queue, ref);
  return true;
}

export async function recoverOwedWork(
  prisma: PrismaClient,
  queues: RecoveryQueues,
  options: RecoveryOptions,
): Promise<RecoveryReport> {
  const now = Date.now();
  const before = new Date(now - options.deliveryGraceMs);
  const report: RecoveryReport = {
    deliveriesRequeued: 0,
    schedulersRecreated: 0,
    recomputesRequested: 0,
    backfillsRequested: 0,
    tagSyncsRequested: 0,
    complianceOverdue: 0,
    reconcilesRequested: 0,
  };
  const restartedAt = await postgresRestartedAt(prisma);

  const owed = await prisma.webhookDelivery.findMany({
    where: { status: "RECEIVED", receivedAt: { lt: before } },
    select: { id: true, shopDomain: true, webhookId: true, topic: true, receivedAt: true },
    orderBy: { id: "asc" },
    take: options.batch ?? 5_000,
  });
  for (const delivery of owed) {
    if (await requeue(queues.webhooks, delivery)) report.deliveriesRequeued++;
    const overdue =
      now - delivery.receivedAt.getTime() > (options.complianceAlertMs ?? COMPLIANCE_ALERT_MS);
    if (COMPLIANCE_TOPICS.has(delivery.topic) && overdue) {
      report.complianceOverdue++;
      options.logger?.error(
        {
          deliveryId: delivery.id.toString(),
          shopDomain: delivery.shopDomain,
          topic: delivery.topic,
        },
        "compliance delivery still unprocessed after an hour",
      );
    }
  }

  const shops = await prisma.shop.findMany({
    where: { installState: "INSTALLED" },
    select: {
      id: true,
      domain: true,
      installedAt: true,
      dirtySince: true,
      fullRecomputeRequestedAt: true,
      lastReconciledAt: true,
    },
  });
  for (const shop of shops) {
    // Missing, or at another time than the shop's own minute (scheduled before the nightly
    // work was spread out): either way the shop's scheduler is put (back) in its slot.
    const reconcile = await queues.backfill.getJobScheduler(reconcileSchedulerId(shop.domain));
    if (reconcile?.pattern !== reconcilePattern(shop.domain)) {
      await scheduleReconciliation(shop.domain, queues.backfill);
      report.schedulersRecreated++;
    }
    const recompute = await queues.recompute.getJobScheduler(recomputeSchedulerId(shop.domain));
    if (recompute?.pattern !== fullRecomputePattern(shop.domain)) {
      await scheduleFullRecompute(shop.domain, queues.recompute);
      report.schedulersRecreated++;
    }
    if (restartedAt && shop.lastReconciledAt) {
      // The reconcile reads everything changed since the last pass, which began before the
      // restart: whatever a delivery lost in the crash carried comes back with it.
      await queues.backfill.add(
        "reconcile",
        { shopDomain: shop.domain, kind: "RECONCILE" },
        { jobId: `reconcile-after-restart-${shop.id}-${restartedAt.getTime()}` },
      );
      report.reconcilesRequested++;
    }
    if (shop.installedAt >= before) continue;

    if (!shop.lastReconciledAt) {
      // Installed but never read: the install's backfill job is gone or still failing. One
      // job per shop and install; a sync already running makes it skip.
      const jobId = `backfill-${shop.id}-${shop.installedAt.getTime()}`;
      const job = await queues.backfill.getJob(jobId);
      if (!job || !LIVE_STATES.has(await job.getState())) {
        if (job) await job.remove();
        await queues.backfill.add(
          "backfill",
          { shopDomain: shop.domain, kind: "BACKFILL" },
          { jobId },
        );
        report.backfillsRequested++;
      }
      continue;
    }

    const stale = (at: Date | null) => at !== null && at < before;
    if (stale(shop.dirtySince) || stale(shop.fullRecomputeRequestedAt)) {
      const full = shop.fullRecomputeRequestedAt !== null;
      // Only when no recompute of the shop is queued: the request would otherwise only add a
      // follow-up run behind the one that is already owed.
      const dedup = await queues.recompute.getDeduplicationJobId(`recompute-${shop.domain}`);
      if (!dedup) {
        await requestRecompute(prisma, queues.recompute, shop.domain, { full });
        report.recomputesRequested++;
      }
    }

    const tagsOwed =
      (await prisma.tagSyncState.count({
        where: {
          shopId: shop.id,
          status: { in: ["PENDING", "IN_FLIGHT"] },
          updatedAt: { lt: before },
        },
      })) > 0 ||
      (await prisma.segmentEvent.count({
        where: { shopId: shop.id, flowSentAt: null, flowSkipped: null, occurredAt: { lt: before } },
      })) > 0;
    if (tagsOwed && !(await queues.tags.getDeduplicationJobId(`tags-${shop.domain}`))) {
      await requestTagSync(queues.tags, shop.domain);
      report.tagSyncsRequested++;
    }
  }
  return report;
}

/**
 * The start of the running PostgreSQL server when it is newer than the one the last sweep saw
 * (a restart, perhaps a crash), else null. The intake acknowledges order and customer updates
 * without waiting for the WAL flush (app/shopify/webhook-durability.ts), so a crash may take
 * the last ~600 ms of them; what they carried is read again by a reconcile, asked for here
 * rather than left to the nightly one. The first sweep ever only records the start.
 */
async function postgresRestartedAt(prisma: PrismaClient): Promise<Date | null> {
  const [{ started }] = await prisma.$queryRaw<{ started: Date }[]>`
    SELECT pg_postmaster_start_time() AS started`;
  const mark = await prisma.recoveryMark.findUnique({ where: { id: 1 } });
  if (mark && mark.postmasterStartedAt >= started) return null;
  await prisma.recoveryMark.upsert({
    where: { id: 1 },
    create: { id: 1, postmasterStartedAt: started },
    update: { postmasterStartedAt: started },
  });
  return mark ? started : null;
}

/** The recovery queue's processor. */
export function recoveryProcessor(
  prisma: PrismaClient,
  queues: RecoveryQueues,
  options: RecoveryOptions,
) {
  return async (job: Job<RecoveryJob>): Promise<RecoveryReport> => {
    void job;
    const report = await recoverOwedWork(prisma, queues, options);
    const repaired = Object.values(report).some((count) => count > 0);
    if (repaired) options.logger?.warn({ ...report }, "recovery sweep re-queued owed work");
    return report;
  };
}

const RECOVERY_SCHEDULER_ID = "recovery-sweep";

/**
 * Makes sure the sweep runs: its scheduler exists, and one sweep is queued now. Called at worker
 * start and after every reconnection to Redis (a restarted Redis may have lost both). Sweeps
 * asked for together coalesce into one.
 */
export async function ensureRecovery(queue: Queue<RecoveryJob>, intervalMs: number): Promise<void> {
  await queue.upsertJobScheduler(RECOVERY_SCHEDULER_ID, { every: intervalMs }, { name: "sweep" });
  await queue.add("sweep", {}, { deduplication: { id: "recovery-now" } });
}
