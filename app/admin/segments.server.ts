import prisma from "~/db.server";
import { segmentDefinition } from "~/segmentation/catalog";
import type { SegmentTotals, SnapshotCounts } from "~/segmentation/snapshot";
import { segmentRows, TREND_SNAPSHOTS } from "./overview.server";

/** Every segment with its size and value at the latest recompute. */
export async function loadSegmentList(shopId: number) {
  const latest = await prisma.segmentSnapshot.findFirst({
    where: { shopId },
    orderBy: { takenAt: "desc" },
    select: { takenAt: true, counts: true },
  });
  const counts = (latest?.counts ?? {}) as unknown as SnapshotCounts;
  return {
    takenAt: latest?.takenAt.toISOString() ?? null,
    segments: segmentRows(counts),
  };
}

/**
 * One segment's definition and its totals over the last recomputes; only that segment's entry
 * of each snapshot's counts leaves the database.
 */
export async function loadSegmentSummary(shopId: number, segmentKey: string) {
  const definition = segmentDefinition(segmentKey);
  if (!definition) return null;
  const history = await prisma.$queryRaw<{ takenAt: Date; totals: SegmentTotals | null }[]>`
    SELECT "takenAt", "counts"->${segmentKey} AS "totals"
      FROM "SegmentSnapshot" WHERE "shopId" = ${shopId}
     ORDER BY "takenAt" DESC LIMIT ${TREND_SNAPSHOTS}`;
  const zero: SegmentTotals = { customers: 0, orders: 0, revenueMinor: 0, clvMinor: 0 };
  const points = history.reverse().map((row) => ({
    takenAt: row.takenAt.toISOString(),
    ...zero,
    ...row.totals,
  }));
  return {
    definition,
    current: points.length > 0 ? points[points.length - 1] : null,
    history: points,
  };
}
