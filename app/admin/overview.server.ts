import prisma from "~/db.server";
import { BUILT_IN_SEGMENTS, segmentDefinition, type SegmentFamily } from "~/segmentation/catalog";
import { segmentSettingsFrom } from "~/segmentation/settings";
import {
  OUTSIDE,
  type SegmentTotals,
  type SnapshotCounts,
  type SnapshotMovements,
} from "~/segmentation/snapshot";

/**
 * The overview reads what the last recomputes recorded (SegmentSnapshot) and never counts
 * memberships live, so it costs the same for ten customers or a million.
 */

/** Snapshots in the trend chart. */
export const TREND_SNAPSHOTS = 30;
/** Movements are summed over the snapshots of this many days. */
export const MOVEMENT_DAYS = 7;
/** A busy shop recomputes often; the movement window reads at most this many snapshots. */
const MOVEMENT_SNAPSHOT_LIMIT = 500;

export interface SegmentRow extends SegmentTotals {
  key: string;
  family: SegmentFamily;
  label: string;
  description: string;
}

export interface Movement {
  family: SegmentFamily;
  from: string | null;
  to: string | null;
  fromLabel: string;
  toLabel: string;
  customers: number;
}

export interface BackfillProgress {
  kind: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  customersSynced: number;
  customersTotal: number | null;
  ordersSynced: number;
  ordersTotal: number | null;
  error: string | null;
}

export async function loadOverview(shopId: number) {
  const [shop, lastSync, snapshots] = await Promise.all([
    prisma.shop.findUniqueOrThrow({
      where: { id: shopId },
      select: {
        domain: true,
        currencyCode: true,
        lastWebhookAt: true,
        lastReconciledAt: true,
        lastRecomputeAt: true,
        modelFittedAt: true,
        segmentSettings: true,
      },
    }),
    prisma.syncRun.findFirst({ where: { shopId }, orderBy: { startedAt: "desc" } }),
    prisma.segmentSnapshot.findMany({
      where: { shopId },
      orderBy: { takenAt: "desc" },
      take: TREND_SNAPSHOTS,
      select: { id: true, takenAt: true, kind: true, counts: true },
    }),
  ]);
  const latest = snapshots[0];
  const weekAgo = new Date((latest?.takenAt ?? new Date()).getTime() - MOVEMENT_DAYS * 86_400_000);
  const recent = latest
    ? await prisma.segmentSnapshot.findMany({
        where: { shopId, takenAt: { gt: weekAgo } },
        orderBy: { takenAt: "desc" },
        take: MOVEMENT_SNAPSHOT_LIMIT,
        select: { movements: true },
      })
    : [];

  const counts = (latest?.counts ?? {}) as unknown as SnapshotCounts;
  return {
    shop: {
      domain: shop.domain,
      currency: shop.currencyCode,
      lastWebhookAt: iso(shop.lastWebhookAt),
      lastReconciledAt: iso(shop.lastReconciledAt),
      lastRecomputeAt: iso(shop.lastRecomputeAt),
      modelFittedAt: iso(shop.modelFittedAt),
    },
    backfill: lastSync ? syncProgress(lastSync) : null,
    snapshot: latest
      ? { id: latest.id, takenAt: latest.takenAt.toISOString(), kind: latest.kind }
      : null,
    segments: segmentRows(counts),
    trend: [...snapshots].reverse().map((s) => ({
      takenAt: s.takenAt.toISOString(),
      counts: customersByKey(s.counts as unknown as SnapshotCounts),
    })),
    movements: topMovements(recent.map((s) => s.movements as unknown as SnapshotMovements)),
    movementDays: MOVEMENT_DAYS,
    rfmGrid: segmentSettingsFrom(shop.segmentSettings).rfmGrid,
  };
}

export type Overview = Awaited<ReturnType<typeof loadOverview>>;

const iso = (date: Date | null) => date?.toISOString() ?? null;

function syncProgress(run: {
  kind: string;
  status: string;
  startedAt: Date;
  finishedAt: Date | null;
  customersSynced: number;
  customersTotal: number | null;
  ordersSynced: number;
  ordersTotal: number | null;
  error: string | null;
}): BackfillProgress {
  return {
    kind: run.kind,
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    finishedAt: iso(run.finishedAt),
    customersSynced: run.customersSynced,
    customersTotal: run.customersTotal,
    ordersSynced: run.ordersSynced,
    ordersTotal: run.ordersTotal,
    error: run.error,
  };
}

/** Built-in segments in catalog order (with zero rows kept, so the charts stay stable), then custom ones. */
export function segmentRows(counts: SnapshotCounts): SegmentRow[] {
  const zero = { customers: 0, revenueMinor: 0, clvMinor: 0 };
  const builtIn = BUILT_IN_SEGMENTS.map((d) => ({
    key: d.key,
    family: d.family,
    label: d.label,
    description: d.description,
    ...zero,
    ...counts[d.key],
  }));
  const custom = Object.keys(counts)
    .filter((key) => key.startsWith("custom:"))
    .sort()
    .map((key) => {
      const d = segmentDefinition(key)!;
      return {
        key,
        family: d.family,
        label: d.label,
        description: d.description,
        ...counts[key],
      };
    });
  return [...builtIn, ...custom];
}

function customersByKey(counts: SnapshotCounts): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([key, t]) => [key, t.customers]));
}

/** Movements between segments of one family, summed and largest first. */
export function topMovements(snapshots: SnapshotMovements[], limit = 12): Movement[] {
  const sums = new Map<string, number>();
  for (const movements of snapshots)
    for (const [key, n] of Object.entries(movements)) sums.set(key, (sums.get(key) ?? 0) + n);
  const result: Movement[] = [];
  for (const [key, customers] of sums) {
    const [fromKey, toKey] = key.split("->");
    const from = fromKey === OUTSIDE ? null : fromKey;
    const to = toKey === OUTSIDE ? null : toKey;
    // Entering and leaving a family (first orders, deletions) is growth, not movement.
    if (from === null || to === null || customers <= 0) continue;
    const fromDef = segmentDefinition(from);
    const toDef = segmentDefinition(to);
    if (!fromDef || !toDef) continue;
    result.push({
      family: fromDef.family,
      from,
      to,
      fromLabel: fromDef.label,
      toLabel: toDef.label,
      customers,
    });
  }
  return result.sort((a, b) => b.customers - a.customers).slice(0, limit);
}
