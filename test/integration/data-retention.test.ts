import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";
import { DEFAULT_JOB_OPTIONS } from "~/jobs/queues";
import { pruneExpired, RETENTION_DAYS } from "~/jobs/retention.server";
import { RETENTION_PATTERN, scheduleRetention } from "../../workers/processors/maintenance";

const shop = "retention.myshopify.com";
const now = new Date("2027-06-01T04:23:00Z");
const daysBefore = (days: number) => new Date(now.getTime() - days * 86_400_000);

describe("retention", () => {
  it("prunes deliveries, snapshots, events, sync runs and the ops audit by their documented ages", async () => {
    const { id: shopId } = await prisma.shop.create({ data: { domain: shop } });
    const old = daysBefore(RETENTION_DAYS.webhookDeliveries + 1);
    const recent = daysBefore(1);
    const delivery = (webhookId: string, topic: string, receivedAt: Date) => ({
      shopId,
      shopDomain: shop,
      webhookId,
      topic,
      receivedAt,
      status: "PROCESSED" as const,
    });
    await prisma.webhookDelivery.createMany({
      data: [
        delivery("old", "orders/create", old),
        delivery("recent", "orders/create", recent),
        // The record of a compliance request is kept a year.
        delivery("old-redact", "customers/redact", old),
        delivery("ancient-redact", "customers/redact", daysBefore(400)),
      ],
    });
    await prisma.segmentSnapshot.createMany({
      data: [
        { shopId, kind: "full", counts: {}, takenAt: daysBefore(401) },
        { shopId, kind: "full", counts: {}, takenAt: daysBefore(399) },
      ],
    });
    await prisma.segmentEvent.createMany({
      data: [
        {
          shopId,
          customerId: 1n,
          segmentKey: "rfm:NEW",
          change: "ENTERED",
          occurredAt: daysBefore(91),
        },
        { shopId, customerId: 1n, segmentKey: "rfm:NEW", change: "LEFT", occurredAt: recent },
      ],
    });
    // Two old runs: the older goes, the latest of the shop stays however old.
    await prisma.syncRun.create({
      data: { shopId, kind: "BACKFILL", status: "SUCCEEDED", startedAt: daysBefore(200) },
    });
    const latest = await prisma.syncRun.create({
      data: { shopId, kind: "RECONCILE", status: "SUCCEEDED", startedAt: daysBefore(100) },
    });
    await prisma.opsAccess.createMany({
      data: [
        { user: "a", action: "view-shop", shopDomain: shop, path: "/ops", at: daysBefore(366) },
        { user: "b", action: "view-shop", shopDomain: shop, path: "/ops", at: recent },
      ],
    });

    const pruned = await pruneExpired(prisma, now);
    expect(pruned.webhookDeliveries).toBeGreaterThanOrEqual(1);

    const kept = await prisma.webhookDelivery.findMany({ where: { shopDomain: shop } });
    expect(kept.map((row) => row.webhookId).sort()).toEqual(["old-redact", "recent"]);
    const snapshots = await prisma.segmentSnapshot.findMany({ where: { shopId } });
    expect(snapshots.map((row) => row.takenAt)).toEqual([daysBefore(399)]);
    const events = await prisma.segmentEvent.findMany({ where: { shopId } });
    expect(events.map((row) => row.change)).toEqual(["LEFT"]);
    const runs = await prisma.syncRun.findMany({ where: { shopId } });
    expect(runs.map((row) => row.id)).toEqual([latest.id]);
    const audit = await prisma.opsAccess.findMany({ where: { shopDomain: shop } });
    expect(audit.map((row) => row.user)).toEqual(["b"]);
  });

  it("keeps failed jobs by count as well as age, and schedules itself daily", async () => {
    expect(DEFAULT_JOB_OPTIONS.removeOnFail).toMatchObject({
      age: expect.any(Number),
      count: expect.any(Number),
    });
    await scheduleRetention(queues().maintenance);
    await scheduleRetention(queues().maintenance);
    const schedulers = await queues().maintenance.getJobSchedulers();
    expect(schedulers).toEqual([
      expect.objectContaining({ key: "retention", pattern: RETENTION_PATTERN }),
    ]);
  });
});
