/**
 * Compression of customer histories. The BG/NBD likelihood of a customer depends on nothing but
 * (x, t_x, T), and Gamma-Gamma's on (x, z̄); many customers share the same triple (every
 * one-time buyer of the same day, for a start). Fitting on the distinct triples with a weight
 * = how many customers share them gives the same likelihood at a fraction of the cost: with
 * times in whole days a million customers collapse to at most a few hundred thousand triples.
 */
import { SegmentationInputError } from "./errors";

export interface CompressedHistories {
  /** Distinct (x, t_x, T), sorted by x then t_x then T. */
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** Number of customers sharing each triple. */
  weight: Float64Array;
  /** Customer → index of its triple; lets per-triple predictions be scattered back. */
  inverse: Int32Array;
}

const X_LIMIT = 2 ** 19;
const DAY_LIMIT = 2 ** 17;

/**
 * Checks the triples make sense as BG/NBD data: x a non-negative integer, 0 ≤ t_x ≤ T, t_x = 0
 * when x = 0 and t_x > 0 when x > 0 (repeat purchases fall on later days). Throws with the
 * offending customer's position otherwise.
 */
export function validateHistories(
  x: ArrayLike<number>,
  tx: ArrayLike<number>,
  T: ArrayLike<number>,
): void {
  if (x.length !== tx.length || x.length !== T.length) {
    throw new SegmentationInputError(
      "INCONSISTENT_SUMMARY",
      "x, t_x and T must have the same length",
    );
  }
  for (let i = 0; i < x.length; i++) {
    const problem =
      !Number.isFinite(x[i]) || !Number.isFinite(tx[i]) || !Number.isFinite(T[i])
        ? "is not a finite number"
        : x[i] < 0 || !Number.isInteger(x[i])
          ? "has a frequency that is not a non-negative integer"
          : tx[i] < 0 || T[i] < 0
            ? "has a negative time"
            : tx[i] > T[i]
              ? "has its last purchase after the as-of date (t_x > T)"
              : x[i] === 0 && tx[i] !== 0
                ? "has recency > 0 but no repeat purchases"
                : x[i] > 0 && tx[i] === 0
                  ? "has repeat purchases but recency 0"
                  : undefined;
    if (problem !== undefined) {
      throw new SegmentationInputError(
        "INCONSISTENT_SUMMARY",
        `customer #${i} (x=${x[i]}, t_x=${tx[i]}, T=${T[i]}) ${problem}`,
      );
    }
  }
}

/**
 * Groups identical (x, t_x, T). When all values are integers in range (times in whole days) the
 * triple is packed into one exact double and the keys are sorted as a typed array; otherwise an
 * index sort with a comparator is used. `timeScale` divides t_x and T of the output (days → weeks).
 */
export function compressHistories(
  x: ArrayLike<number>,
  tx: ArrayLike<number>,
  T: ArrayLike<number>,
  timeScale = 1,
): CompressedHistories {
  validateHistories(x, tx, T);
  const n = x.length;
  let packable = true;
  for (let i = 0; i < n && packable; i++) {
    packable =
      x[i] < X_LIMIT &&
      tx[i] < DAY_LIMIT &&
      T[i] < DAY_LIMIT &&
      Number.isInteger(tx[i]) &&
      Number.isInteger(T[i]);
  }
  return packable ? compressPacked(x, tx, T, timeScale) : compressBySorting(x, tx, T, timeScale);
}

function compressPacked(
  x: ArrayLike<number>,
  tx: ArrayLike<number>,
  T: ArrayLike<number>,
  timeScale: number,
): CompressedHistories {
  const n = x.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (x[i] * DAY_LIMIT + tx[i]) * DAY_LIMIT + T[i];
  const sorted = keys.slice().sort();
  let distinct = 0;
  for (let i = 0; i < n; i++)
    if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[distinct++] = sorted[i];
  const unique = sorted.subarray(0, distinct);
  const out = emptyHistories(distinct, n);
  for (let u = 0; u < distinct; u++) {
    const key = unique[u];
    const t = key % DAY_LIMIT;
    const rest = (key - t) / DAY_LIMIT;
    const r = rest % DAY_LIMIT;
    out.x[u] = (rest - r) / DAY_LIMIT;
    out.tx[u] = r / timeScale;
    out.T[u] = t / timeScale;
  }
  for (let i = 0; i < n; i++) {
    let lo = 0;
    let hi = distinct - 1;
    const key = keys[i];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (unique[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    out.inverse[i] = lo;
    out.weight[lo]++;
  }
  return out;
}

function compressBySorting(
  x: ArrayLike<number>,
  tx: ArrayLike<number>,
  T: ArrayLike<number>,
  timeScale: number,
): CompressedHistories {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((i, j) => x[i] - x[j] || tx[i] - tx[j] || T[i] - T[j]);
  const groupOf = new Int32Array(n);
  let distinct = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const previous = order[k - 1];
    if (k === 0 || x[i] !== x[previous] || tx[i] !== tx[previous] || T[i] !== T[previous])
      distinct++;
    groupOf[i] = distinct - 1;
  }
  const out = emptyHistories(distinct, n);
  for (let i = 0; i < n; i++) {
    const g = groupOf[i];
    out.x[g] = x[i];
    out.tx[g] = tx[i] / timeScale;
    out.T[g] = T[i] / timeScale;
    out.weight[g]++;
    out.inverse[i] = g;
  }
  return out;
}

function emptyHistories(distinct: number, n: number): CompressedHistories {
  return {
    x: new Float64Array(distinct),
    tx: new Float64Array(distinct),
    T: new Float64Array(distinct),
    weight: new Float64Array(distinct),
    inverse: new Int32Array(n),
  };
}

/** Every customer as its own "triple" with weight 1 — the uncompressed reference layout. */
export function uncompressedHistories(
  x: ArrayLike<number>,
  tx: ArrayLike<number>,
  T: ArrayLike<number>,
  timeScale = 1,
): CompressedHistories {
  validateHistories(x, tx, T);
  const n = x.length;
  const out = emptyHistories(n, n);
  for (let i = 0; i < n; i++) {
    out.x[i] = x[i];
    out.tx[i] = tx[i] / timeScale;
    out.T[i] = T[i] / timeScale;
    out.weight[i] = 1;
    out.inverse[i] = i;
  }
  return out;
}
