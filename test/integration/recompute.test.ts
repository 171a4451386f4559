import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";
import { loader as appLoader } from "~/routes/app";
import { WATERMARK_OVERLAP_MS } from "~/segments/load.server";
import { recomputeShop } from "~/segments/recompute.server";
import { requestRecompute } from "~/segments/requests.server";
import type { SnapshotCounts } from "~/segmentation/snapshot";
import { eventually, startStoreHarness } from "../support/store-harness";
import { BROWSER } from "../support/session-token";

const shop = "recompute-e2e.myshopify.com";

let harness: Awaited<ReturnType<typeof startStoreHarness>>;
let shopId: number;

/** Segment sizes counted from the memberships themselves, to check the snapshot's arithmetic. */
async function countedMemberships(): Promise<Record<string, number>> {
  const rows = await prisma.segmentMembership.groupBy({
    by: ["segmentKey"],
    where: { shopId },
    _count: { _all: true },
  });
  return Object.fromEntries(rows.map((row) => [row.segmentKey, row._count._all]));
}

async function latestSnapshot() {
  return prisma.segmentSnapshot.findFirstOrThrow({
    where: { shopId },
    orderBy: { takenAt: "desc" },
  });
}

/** Waits until no recompute is waiting or running (follow-ups of the backfill included). */
async function recomputeIdle() {
  await eventually(async () => {
    const jobs = await queues().recompute.getJobs(["waiting", "active", "delayed", "prioritized"]);
    return jobs.some((job) => job.name !== "scheduled-full") ? undefined : true;
  }, "the recompute queue to drain");
}

const sizes = (counts: SnapshotCounts) =>
  Object.fromEntries(Object.entries(counts).map(([key, totals]) => [key, totals.customers]));

describe("segments recomputed by the workers as the store changes", () => {
  beforeAll(async () => {
    harness = await startStoreHarness(shop, 400);
    const request = new Request(await harness.frameUrl(), { headers: { "User-Agent": BROWSER } });
    await appLoader({ request, params: {}, context: {} });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("runs a full recompute after the backfill: metrics, memberships, snapshot, desired tags", async () => {
    const snapshot = await eventually(
      async () =>
        (await prisma.segmentSnapshot.findFirst({ where: { shop: { domain: shop } } })) ??
        undefined,
      "the first recompute",
      60_000,
    );
    const shopRow = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
    shopId = shopRow.id;
    expect(snapshot.kind).toBe("full");
    expect(shopRow.modelReference).not.toBeNull();
    expect(shopRow.lastRecomputeAt).not.toBeNull();

    const customers = await prisma.customer.count({ where: { shopId } });
    expect(await prisma.customerMetrics.count({ where: { shopId } })).toBe(customers);
    // Every customer is in exactly one RFM group.
    const rfm = await prisma.segmentMembership.count({
      where: { shopId, segmentKey: { startsWith: "rfm:" } },
    });
    expect(rfm).toBe(customers);
    expect(sizes(snapshot.counts as unknown as SnapshotCounts)).toEqual(await countedMemberships());

    // The first run is the baseline: no Flow events for it.
    expect(await prisma.segmentEvent.count({ where: { shopId } })).toBe(0);

    const models = snapshot.models as { gates: { model: string; used: boolean }[] };
    expect(models.gates.map((gate) => gate.model)).toEqual([
      "rfm",
      "bgnbd",
      "gammaGamma",
      "propensity",
    ]);

    // Desired tags follow the shop's tagged families: an RFM tag for everyone with orders.
    const champion = await prisma.segmentMembership.findFirstOrThrow({
      where: { shopId, segmentKey: "rfm:CHAMPIONS" },
    });
    const state = await prisma.tagSyncState.findUniqueOrThrow({
      where: { shopId_customerId: { shopId, customerId: champion.customerId } },
    });
    expect(state.desiredTags).toContain("propel:champions");
    // Marked for the tags worker, which runs beside this test and may already have pushed it.
    if (state.status === "SYNCED") expect(state.appliedTags).toEqual(state.desiredTags);
    else expect(["PENDING", "IN_FLIGHT"]).toContain(state.status);
  });

  it("rescores only the customer who ordered, and the snapshot's totals stay exact", async () => {
    await recomputeIdle();
    // The follow-up runs after the backfill look again at what it wrote (the overlap) but do
    // not count it as change: no second refit.
    expect(await prisma.segmentSnapshot.count({ where: { shopId, kind: "full" } })).toBe(1);
    // Each run looks again at what was synced shortly before the previous one (the watermark's
    // overlap); one settling run after the backfill leaves exactly the new order in scope.
    await new Promise((resolve) => setTimeout(resolve, WATERMARK_OVERLAP_MS + 500));
    await recomputeShop(prisma, shop);
    const lapsed = await prisma.segmentMembership.findFirstOrThrow({
      where: { shopId, segmentKey: { in: ["rfm:DORMANT", "rfm:ALMOST_LOST", "rfm:AT_RISK"] } },
      orderBy: { customerId: "asc" },
    });
    const before = await latestSnapshot();
    const metricsBefore = await prisma.customerMetrics.findUniqueOrThrow({
      where: { shopId_customerId: { shopId, customerId: lapsed.customerId } },
    });

    await harness.control(`/shops/${shop}/orders`, {
      customerId: lapsed.customerId.toString(),
      value: 250,
    });
    const after = await eventually(
      async () => {
        const latest = await latestSnapshot();
        return latest.id !== before.id ? latest : undefined;
      },
      "an incremental recompute",
      // Generous: webhook, debounce and worker share the two cores with the rest of the suite.
      90_000,
    );

    expect(after.kind).toBe("incremental");
    const metrics = await prisma.customerMetrics.findUniqueOrThrow({
      where: { shopId_customerId: { shopId, customerId: lapsed.customerId } },
    });
    expect(metrics.orders).toBe(metricsBefore.orders + 1);
    expect(metrics.rScore).toBe(5);
    // Customers who did not change keep the metrics of the full run.
    expect(
      await prisma.customerMetrics.count({
        where: { shopId, computedAt: { gt: metricsBefore.computedAt } },
      }),
    ).toBe(1);

    const events = await prisma.segmentEvent.findMany({
      where: { shopId, customerId: lapsed.customerId },
    });
    expect(events).toContainEqual(
      expect.objectContaining({ segmentKey: lapsed.segmentKey, change: "LEFT" }),
    );
    expect(events.some((event) => event.change === "ENTERED")).toBe(true);
    const movements = after.movements as Record<string, number>;
    expect(Object.keys(movements).some((key) => key.startsWith(`${lapsed.segmentKey}->`))).toBe(
      true,
    );
    expect(sizes(after.counts as unknown as SnapshotCounts)).toEqual(await countedMemberships());
  }, 150_000);

  it("an identical recompute changes nothing and leaves no tag work", async () => {
    const pendingBefore = await prisma.tagSyncState.findMany({
      where: { shopId },
      select: { customerId: true, status: true, updatedAt: true },
      orderBy: { customerId: "asc" },
    });
    // Whatever the overlap makes it look at again, nothing has really changed.
    const latest = await latestSnapshot();
    const snapshots = await prisma.segmentSnapshot.count({ where: { shopId } });
    const outcome = await recomputeShop(prisma, shop);
    expect(outcome).toMatchObject({ entered: 0, left: 0, tagsPending: 0 });
    // It adds no snapshot: the over-time charts would only repeat their last point.
    expect(outcome).toMatchObject({ kind: "incremental", snapshotId: latest.id });
    expect(await prisma.segmentSnapshot.count({ where: { shopId } })).toBe(snapshots);

    // A refit re-ranks everyone once; a second one on the same data moves nobody.
    await recomputeShop(prisma, shop, { full: true });
    const before = await prisma.tagSyncState.findMany({
      where: { shopId },
      select: { customerId: true, status: true, updatedAt: true },
      orderBy: { customerId: "asc" },
    });
    const forced = await recomputeShop(prisma, shop, { full: true });
    expect(forced).toMatchObject({ kind: "full", entered: 0, left: 0, tagsPending: 0 });
    const pendingAfter = await prisma.tagSyncState.findMany({
      where: { shopId },
      select: { customerId: true, status: true, updatedAt: true },
      orderBy: { customerId: "asc" },
    });
    expect(pendingAfter).toEqual(before);
    expect(pendingBefore.length).toBe(before.length);
  });

  it("runs two recomputes of the shop started together one after the other, both complete", async () => {
    await recomputeIdle();
    const snapshots = await prisma.segmentSnapshot.count({ where: { shopId } });
    // Two workers' runs (the nightly full run, an ops request) overlapping on one shop.
    const outcomes = await Promise.all([
      recomputeShop(prisma, shop, { full: true }),
      recomputeShop(prisma, shop, { full: true }),
    ]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(["full", "full"]);
    const customers = await prisma.customer.count({ where: { shopId } });
    expect(await prisma.customerMetrics.count({ where: { shopId } })).toBe(customers);
    expect(
      await prisma.segmentMembership.count({
        where: { shopId, segmentKey: { startsWith: "rfm:" } },
      }),
    ).toBe(customers);
    expect(await prisma.segmentSnapshot.count({ where: { shopId } })).toBe(snapshots + 2);
    const latest = await latestSnapshot();
    expect(sizes(latest.counts as unknown as SnapshotCounts)).toEqual(await countedMemberships());
  });

  it("makes the first run under the purchase-model churn bands a new baseline, without Flow events", async () => {
    await recomputeIdle();
    const row = await prisma.shop.findUniqueOrThrow({ where: { id: shopId } });
    const { purchase, ...older } = row.modelReference as Record<string, unknown>;
    expect(purchase).toBeDefined();
    // A reference stored before the purchase-model stage, with its memberships scrambled as if
    // the old bands had put everyone elsewhere.
    await prisma.shop.update({ where: { id: shopId }, data: { modelReference: older as object } });
    await prisma.segmentMembership.updateMany({
      where: { shopId, segmentKey: "churn:HIGH" },
      data: { segmentKey: "churn:LOW-old" },
    });
    const events = await prisma.segmentEvent.count({ where: { shopId } });
    const outcome = await recomputeShop(prisma, shop);
    expect(outcome).toMatchObject({ kind: "full", reason: "new purchase models" });
    expect(outcome.entered).toBeGreaterThan(0);
    expect(await prisma.segmentEvent.count({ where: { shopId } })).toBe(events);
    const after = await prisma.shop.findUniqueOrThrow({ where: { id: shopId } });
    expect((after.modelReference as Record<string, unknown>).purchase).toBeDefined();
  });

  it("records the churn score and expected next order among the scores to write as metafields", async () => {
    await recomputeIdle();
    await prisma.shop.update({ where: { id: shopId }, data: { writeMetafields: true } });
    try {
      await recomputeShop(prisma, shop, { full: true });
      const metrics = await prisma.customerMetrics.findFirstOrThrow({
        where: { shopId, nextOrderAt: { not: null } },
        orderBy: { customerId: "asc" },
      });
      const state = await prisma.tagSyncState.findUniqueOrThrow({
        where: { shopId_customerId: { shopId, customerId: metrics.customerId } },
      });
      const churnScore = (metrics.details as { churnScore: number }).churnScore;
      expect(churnScore).toBeGreaterThan(0);
      expect(state.desiredScores).toMatchObject({
        churnRisk: metrics.churnRisk,
        churnScore: Math.round(churnScore * 100) / 100,
        nextOrderDate: metrics.nextOrderAt!.toISOString().slice(0, 10),
      });
    } finally {
      await prisma.shop.update({ where: { id: shopId }, data: { writeMetafields: false } });
    }
  });

  it("coalesces a burst of requests into one job per shop", async () => {
    const { recompute } = queues();
    const burst = "burst.myshopify.com";
    for (let i = 0; i < 5; i++) await requestRecompute(prisma, recompute, burst, { full: false });
    const waiting = await recompute.getJobs(["waiting", "delayed", "prioritized"]);
    expect(waiting.filter((job) => job.data.shopDomain === burst)).toHaveLength(1);
  });
});
