/**
 * Frequency × value: a 2 × 2 matrix around shop-relative thresholds. By default the thresholds
 * are the median order count and the median spend *of repeat buyers* — the medians over all
 * customers would usually be "one order", which splits nothing. At or above a threshold counts
 * as high.
 */
import { median } from "./stats";
import type { CustomerSummaries } from "./summary";

export type FrequencyValueCell =
  "FREQUENT_HIGH_SPEND" | "FREQUENT_LOW_SPEND" | "INFREQUENT_HIGH_SPEND" | "INFREQUENT_LOW_SPEND";

export interface FrequencyValueThresholds {
  orders: number;
  spendMinor: number;
}

export function defaultFrequencyValueThresholds(s: CustomerSummaries): FrequencyValueThresholds {
  let repeat = (i: number) => s.orders[i] >= 2;
  if (!Array.from(s.orders).some((o) => o >= 2)) repeat = (i: number) => s.orders[i] >= 1;
  return { orders: median(s.orders, repeat), spendMinor: median(s.totalSpendMinor, repeat) };
}

export function frequencyValueCells(
  s: CustomerSummaries,
  thresholds: FrequencyValueThresholds = defaultFrequencyValueThresholds(s),
): (FrequencyValueCell | null)[] {
  const cells = new Array<FrequencyValueCell | null>(s.count);
  for (let i = 0; i < s.count; i++) {
    if (s.orders[i] === 0) {
      cells[i] = null;
      continue;
    }
    const frequent = s.orders[i] >= thresholds.orders;
    const high = s.totalSpendMinor[i] >= thresholds.spendMinor;
    cells[i] = frequent
      ? high
        ? "FREQUENT_HIGH_SPEND"
        : "FREQUENT_LOW_SPEND"
      : high
        ? "INFREQUENT_HIGH_SPEND"
        : "INFREQUENT_LOW_SPEND";
  }
  return cells;
}
