import prisma from "~/db.server";
import type { SnapshotModels } from "~/segmentation/snapshot";
import { segmentSettingsFrom } from "~/segmentation/settings";

/** The model report of the latest recompute: what ran, what it learnt, and how it held up. */
export async function loadModelReport(shopId: number) {
  const [shop, snapshot] = await Promise.all([
    prisma.shop.findUniqueOrThrow({
      where: { id: shopId },
      select: { modelFittedAt: true, segmentSettings: true, currencyCode: true },
    }),
    prisma.segmentSnapshot.findFirst({
      where: { shopId },
      orderBy: { takenAt: "desc" },
      select: { takenAt: true, kind: true, models: true },
    }),
  ]);
  const settings = segmentSettingsFrom(shop.segmentSettings);
  return {
    fittedAt: shop.modelFittedAt?.toISOString() ?? null,
    takenAt: snapshot?.takenAt.toISOString() ?? null,
    currency: shop.currencyCode,
    settings: {
      forecastDays: settings.forecastDays,
      clvMonths: settings.clvMonths,
      monthlyDiscountRate: settings.monthlyDiscountRate,
      churnThresholds: settings.churnThresholds,
    },
    // An empty object until the first recompute writes a report.
    models:
      snapshot && "gates" in (snapshot.models as object)
        ? (snapshot.models as unknown as SnapshotModels)
        : null,
  };
}

export type ModelReport = Awaited<ReturnType<typeof loadModelReport>>;
