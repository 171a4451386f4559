/**
 * Holdout validation of BG/NBD, as in Fader, Hardie & Lee (2005), Figure 4: fit on a
 * calibration period, then compare, for customers grouped by their calibration frequency x,
 * the average number of repeat purchases predicted for the holdout period (eq. 10) with the
 * average number actually made (distinct purchase days after the calibration end).
 */
import { conditionalExpectedPurchases, type BgNbdParams } from "./bgnbd";
import type { OrderTable } from "./orders";
import { purchaseDaysBetween, type CustomerSummaries } from "./summary";
import { DAYS_PER_UNIT } from "./time";

export interface HoldoutBucket {
  /** Calibration frequency x; the last bucket is "x or more". */
  frequency: number;
  label: string;
  customers: number;
  meanActual: number;
  meanPredicted: number;
}

export interface HoldoutComparison {
  holdoutDays: number;
  buckets: HoldoutBucket[];
  totalActual: number;
  totalPredicted: number;
}

/**
 * `summaries` must be the calibration summaries (as of the calibration end); only customers
 * with a calibration purchase are compared.
 */
export function compareHoldout(
  table: OrderTable,
  summaries: CustomerSummaries,
  params: BgNbdParams,
  holdoutEndDay: number,
  maxBucket = 7,
): HoldoutComparison {
  const holdoutDays = holdoutEndDay - summaries.asOfDay;
  if (holdoutDays <= 0) throw new RangeError("holdout end must be after the calibration end");
  const t = holdoutDays / DAYS_PER_UNIT[summaries.timeUnit];
  const actual = purchaseDaysBetween(table, summaries.asOfDay, holdoutEndDay);
  const count = new Float64Array(maxBucket + 1);
  const sumActual = new Float64Array(maxBucket + 1);
  const sumPredicted = new Float64Array(maxBucket + 1);
  let totalActual = 0;
  let totalPredicted = 0;
  for (let c = 0; c < summaries.count; c++) {
    if (summaries.orders[c] === 0) continue;
    const x = summaries.frequency[c];
    const predicted = conditionalExpectedPurchases(
      params,
      t,
      x,
      summaries.recency[c],
      summaries.age[c],
    );
    const bucket = Math.min(x, maxBucket);
    count[bucket]++;
    sumActual[bucket] += actual[c];
    sumPredicted[bucket] += predicted;
    totalActual += actual[c];
    totalPredicted += predicted;
  }
  const buckets: HoldoutBucket[] = [];
  for (let k = 0; k <= maxBucket; k++) {
    buckets.push({
      frequency: k,
      label: k === maxBucket ? `${k}+` : String(k),
      customers: count[k],
      meanActual: count[k] > 0 ? sumActual[k] / count[k] : NaN,
      meanPredicted: count[k] > 0 ? sumPredicted[k] / count[k] : NaN,
    });
  }
  return { holdoutDays, buckets, totalActual, totalPredicted };
}
