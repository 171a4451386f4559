/**
 * Each segment's playbook, with the discount depth bounded by what its members are worth: the
 * member count, average predicted CLV and average order value come from the latest recompute's
 * snapshot.
 */
import prisma from "~/db.server";
import { BUILT_IN_SEGMENTS, segmentDefinition } from "~/segmentation/catalog";
import {
  clvDiscountCeiling,
  playbookFor,
  type SegmentPromotionStats,
  type SuggestedPromotion,
} from "~/segmentation/promotions";
import { segmentAverages, type SnapshotCounts } from "~/segmentation/snapshot";

export interface SegmentSuggestions {
  key: string;
  label: string;
  description: string;
  stats: SegmentPromotionStats;
  /** The CLV rule's ceiling before any playbook cap, rounded down; null when unknown. */
  ceilingPercent: number | null;
  suggestions: SuggestedPromotion[];
}

/**
 * Member statistics of the shop's segments (all of them, or just `segmentKey`), from the latest
 * snapshot — the same totals the overview and segment pages show, read without counting a
 * million memberships on every page view.
 */
export async function segmentPromotionStats(
  shopId: number,
  currency: string,
  segmentKey?: string,
): Promise<Map<string, SegmentPromotionStats>> {
  const latest = await prisma.segmentSnapshot.findFirst({
    where: { shopId },
    orderBy: { takenAt: "desc" },
    select: { counts: true },
  });
  const counts = (latest?.counts ?? {}) as unknown as SnapshotCounts;
  return new Map(
    Object.entries(counts)
      .filter(([key]) => segmentKey === undefined || key === segmentKey)
      .map(([key, totals]) => [
        key,
        { customers: totals.customers, ...segmentAverages(totals), currency },
      ]),
  );
}

function suggestionsFor(key: string, stats: SegmentPromotionStats): SegmentSuggestions | null {
  const definition = segmentDefinition(key);
  if (!definition) return null;
  const ceiling = clvDiscountCeiling(stats);
  return {
    key,
    label: definition.label,
    description: definition.description,
    stats,
    ceilingPercent: ceiling === null ? null : Math.floor(ceiling),
    suggestions: playbookFor(key, stats),
  };
}

/** Playbooks of every segment that has members now, in catalog order (custom ones last). */
export async function loadSuggestions(
  shopId: number,
  currency: string,
): Promise<SegmentSuggestions[]> {
  const stats = await segmentPromotionStats(shopId, currency);
  const order = new Map(BUILT_IN_SEGMENTS.map((s, i) => [s.key, i]));
  return [...stats.entries()]
    .filter(([, s]) => s.customers > 0)
    .sort(
      ([a], [b]) =>
        (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0),
    )
    .flatMap(([key, s]) => suggestionsFor(key, s) ?? []);
}

/** One segment's playbook; an empty segment still gets one (the merchant may plan ahead). */
export async function loadSegmentSuggestions(
  shopId: number,
  currency: string,
  segmentKey: string,
): Promise<SegmentSuggestions | null> {
  const stats = (await segmentPromotionStats(shopId, currency, segmentKey)).get(segmentKey) ?? {
    customers: 0,
    avgClvMinor: null,
    avgAovMinor: null,
    currency,
  };
  return suggestionsFor(segmentKey, stats);
}
