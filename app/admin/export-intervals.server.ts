import prisma from "~/db.server";
import { clvInterval, deltaIntervalScorer, type Interval } from "~/segmentation/intervals";
import type { PurchaseModel } from "~/segmentation/purchaseModel";
import { segmentSettingsFrom } from "~/segmentation/settings";

/** What a row of an export needs to place a customer under the shop's purchase model. */
export interface IntervalHistory {
  orders: number;
  frequency: number;
  recencyDays: number;
  ageDays: number;
  /** Expected spend per future order (Gamma-Gamma or the average), minor units. */
  expectedSpendMinor: number | null;
}

export interface RowIntervals {
  churnScore: Interval;
  clvMinor: Interval | null;
}

interface PurchaseRow {
  basis: string | null;
  fit: PurchaseModel | null;
  covariance: number[][] | null;
  unitDays: number | null;
  horizonDays: number | null;
  segmentSettings: unknown;
}

/**
 * 80 % intervals (10th–90th percentile) of the churn score and CLV for the rows of a bulk
 * export, from the latest run's purchase model and its fit uncertainty. The delta method
 * (intervals.ts) keeps this to a handful of model evaluations per distinct history, so a
 * million-row export stays streaming; the customer page samples instead, and the two agree
 * while the scores are near linear over the parameters' spread. Null when the shop's churn
 * scores come from Kaplan–Meier or the fit has no usable covariance: no interval is better
 * than an invented one.
 */
export async function exportIntervals(
  shopId: number,
): Promise<((row: IntervalHistory) => RowIntervals | null) | null> {
  const [row] = await prisma.$queryRaw<PurchaseRow[]>`
    SELECT s."models"->'purchase'->>'basis' AS "basis",
           s."models"->'purchase'->'model' AS "fit",
           s."models"->'purchase'->'covariance' AS "covariance",
           (s."models"->'purchase'->>'unitDays')::float8 AS "unitDays",
           (s."models"->'purchase'->>'horizonDays')::int AS "horizonDays",
           sh."segmentSettings" AS "segmentSettings"
      FROM "SegmentSnapshot" s JOIN "Shop" sh ON sh."id" = s."shopId"
     WHERE s."shopId" = ${shopId}
     ORDER BY s."takenAt" DESC LIMIT 1`;
  if (!row || row.basis !== "model" || !row.fit || !row.covariance || row.horizonDays === null)
    return null;
  const settings = segmentSettingsFrom(row.segmentSettings);
  const unitDays = row.unitDays ?? 1;
  const scorer = deltaIntervalScorer(row.fit, row.covariance, {
    horizonDays: row.horizonDays,
    unitDays,
    clvMonths: settings.clvMonths,
    monthlyDiscountRate: settings.monthlyDiscountRate,
  });
  if (!scorer) return null;
  return (history) => {
    if (history.orders === 0) return null;
    const found = scorer({
      x: history.frequency,
      tx: history.recencyDays / unitDays,
      T: history.ageDays / unitDays,
    });
    if (!found) return null;
    return {
      churnScore: found.churnScore,
      clvMinor: clvInterval(history.expectedSpendMinor, found.discountedPurchases),
    };
  };
}
