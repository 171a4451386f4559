/** Small statistics helpers shared by the rule-based families and the propensity backtest. */

/**
 * Scores 1…`buckets` by rank within the included customers, ties sharing a score: a customer
 * scores 1 + ⌊buckets × (share of included customers with a strictly smaller value)⌋. Higher
 * values score higher. Excluded customers get 0. With five buckets these are quintile scores,
 * and a value shared by many customers (one order, say) gets the score its lowest-ranked
 * holder would get — "how many customers do you beat", never inflated by the tie.
 */
export function rankScores(
  values: ArrayLike<number>,
  include: (i: number) => boolean,
  buckets = 5,
): Uint8Array {
  const n = values.length;
  const scores = new Uint8Array(n);
  let m = 0;
  const included = new Float64Array(n);
  for (let i = 0; i < n; i++) if (include(i)) included[m++] = values[i];
  const sorted = included.subarray(0, m).sort();
  for (let i = 0; i < n; i++) {
    if (!include(i)) continue;
    const below = lowerBound(sorted, values[i]);
    scores[i] = 1 + Math.min(buckets - 1, Math.floor((buckets * below) / m));
  }
  return scores;
}

/** Index of the first element ≥ value in an ascending array. */
export function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Median of the values at the included positions; NaN when none are. */
export function median(
  values: ArrayLike<number>,
  include: (i: number) => boolean = () => true,
): number {
  const picked: number[] = [];
  for (let i = 0; i < values.length; i++)
    if (include(i) && !Number.isNaN(values[i])) picked.push(values[i]);
  if (picked.length === 0) return NaN;
  const sorted = Float64Array.from(picked).sort();
  const mid = sorted.length >>> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Area under the ROC curve as the Mann–Whitney probability that a random positive scores
 * above a random negative (ties count one half). NaN without both classes.
 */
export function areaUnderRoc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => scores[i] - scores[j]);
  let positives = 0;
  let rankSumPositives = 0;
  for (let k = 0; k < n;) {
    let end = k;
    while (end + 1 < n && scores[order[end + 1]] === scores[order[k]]) end++;
    const midRank = (k + end) / 2 + 1;
    for (let j = k; j <= end; j++) {
      if (labels[order[j]] === 1) {
        positives++;
        rankSumPositives += midRank;
      }
    }
    k = end + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface CalibrationBin {
  /** Customers in this bin (bins are deciles of the predicted probability). */
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** Reliability table: customers sorted by prediction, cut into `bins` equal-sized groups. */
export function calibrationTable(
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): CalibrationBin[] {
  const n = predicted.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => predicted[i] - predicted[j]);
  const table: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const from = Math.floor((b * n) / bins);
    const to = Math.floor(((b + 1) * n) / bins);
    if (to <= from) continue;
    let p = 0;
    let y = 0;
    for (let k = from; k < to; k++) {
      p += predicted[order[k]];
      y += labels[order[k]];
    }
    table.push({ count: to - from, meanPredicted: p / (to - from), observedRate: y / (to - from) });
  }
  return table;
}

/** Deterministic 32-bit hash of a string (FNV-1a), for reproducible customer splits. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
