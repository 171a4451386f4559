import type { PrismaClient } from "@prisma/client";
import { COMPLIANCE_TOPICS } from "./queues";

/**
 * What Propel keeps, and for how long (docs/privacy.md, README "Retention"). Run daily by the
 * maintenance queue's `retention` job scheduler; deletes in batches so no statement holds its
 * locks for long. Redis is bounded by the queues' removeOnComplete / removeOnFail (age and
 * count) and BullMQ's capped event streams.
 */
export const RETENTION_DAYS = {
  /** Webhook deliveries: the idempotency key and support trail. Bodies go once applied. */
  webhookDeliveries: 30,
  /** Deliveries of the compliance topics: the record that a request arrived and was answered. */
  complianceDeliveries: 365,
  /** Segment snapshots: the history charts go back a year. */
  segmentSnapshots: 400,
  /** Segment events (the Flow outbox): sent, skipped or too old to be worth sending. */
  segmentEvents: 90,
  /** Sync runs; the latest of each shop is always kept, and running ones. */
  syncRuns: 90,
  /** The ops audit. */
  opsAccess: 365,
  /** Tombstones of redacted customers and orders. */
  tombstones: 365,
} as const;

const COMPLIANCE_TOPIC_LIST = [...COMPLIANCE_TOPICS];
const BATCH = 10_000;

export type RetentionCounts = Record<keyof typeof RETENTION_DAYS, number>;

const daysAgo = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);

/** Deletes in batches of BATCH rows until a batch comes back short. */
async function inBatches(deleteBatch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < BATCH) return total;
  }
}

export async function pruneExpired(
  prisma: PrismaClient,
  now = new Date(),
): Promise<RetentionCounts> {
  const cut = (days: number) => daysAgo(now, days);
  const d = RETENTION_DAYS;
  const webhookDeliveries = await inBatches(
    () => prisma.$executeRaw`
      DELETE FROM "WebhookDelivery" WHERE "id" IN (
        SELECT "id" FROM "WebhookDelivery"
         WHERE "receivedAt" < ${cut(d.webhookDeliveries)} AND NOT ("topic" = ANY(${COMPLIANCE_TOPIC_LIST}))
         LIMIT ${BATCH})`,
  );
  const complianceDeliveries = await inBatches(
    () => prisma.$executeRaw`
      DELETE FROM "WebhookDelivery" WHERE "id" IN (
        SELECT "id" FROM "WebhookDelivery"
         WHERE "receivedAt" < ${cut(d.complianceDeliveries)} AND "topic" = ANY(${COMPLIANCE_TOPIC_LIST})
         LIMIT ${BATCH})`,
  );
  const segmentSnapshots = await inBatches(
    () => prisma.$executeRaw`
      DELETE FROM "SegmentSnapshot" WHERE "id" IN (
        SELECT "id" FROM "SegmentSnapshot" WHERE "takenAt" < ${cut(d.segmentSnapshots)} LIMIT ${BATCH})`,
  );
  const segmentEvents = await inBatches(
    () => prisma.$executeRaw`
      DELETE FROM "SegmentEvent" WHERE "id" IN (
        SELECT "id" FROM "SegmentEvent" WHERE "occurredAt" < ${cut(d.segmentEvents)} LIMIT ${BATCH})`,
  );
  const syncRuns = await inBatches(
    () => prisma.$executeRaw`
      DELETE FROM "SyncRun" WHERE "id" IN (
        SELECT r."id" FROM "SyncRun" r
         WHERE r."startedAt" < ${cut(d.syncRuns)} AND r."status" <> 'RUNNING'
           AND r."id" <> (SELECT max(l."id") FROM "SyncRun" l WHERE l."shopId" = r."shopId")
         LIMIT ${BATCH})`,
  );
  const opsAccess = await inBatches(
    () => prisma.$executeRaw`
      DELETE FROM "OpsAccess" WHERE "id" IN (
        SELECT "id" FROM "OpsAccess" WHERE "at" < ${cut(d.opsAccess)} LIMIT ${BATCH})`,
  );
  const tombstones = (
    await prisma.redactionTombstone.deleteMany({ where: { createdAt: { lt: cut(d.tombstones) } } })
  ).count;
  return {
    webhookDeliveries,
    complianceDeliveries,
    segmentSnapshots,
    segmentEvents,
    syncRuns,
    opsAccess,
    tombstones,
  };
}
