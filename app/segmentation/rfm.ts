/**
 * RFM segmentation. Recency, frequency and monetary value are each scored 1–5 by rank within
 * the shop (stats.rankScores: quintiles, ties share a score), F and M are combined into
 * FM = round((F + M) / 2), and the group is read off a 5 × 5 grid of R against FM. Group names
 * are the values of Shopify's `CustomerRfmGroup` enum, so a shop's segments line up with what
 * Shopify itself shows. Customers without orders are PROSPECTS and get no scores.
 *
 *  - R: the last purchase day (more recent → higher score);
 *  - F: one-time buyers score 1; repeat buyers score 2–5 by quartiles of their order count
 *    among repeat buyers only (ties share a score). Ranked among everyone, the mass of
 *    one-order customers pushed every 2- or 3-order customer to F = 4–5 (docs/money.md);
 *  - M: total net merchandise spend (docs/money.md).
 *
 * CHAMPIONS is the top cell only (R 5 × FM 5), so it holds the shop's best few: on CDNOW
 * (23,570 customers, as of 1997-09-30) 21 % were CHAMPIONS before, 9 % now.
 */
import { rankScores } from "./stats";
import type { CustomerSummaries } from "./summary";

export const RFM_GROUPS = [
  "CHAMPIONS",
  "LOYAL",
  "ACTIVE",
  "NEW",
  "PROMISING",
  "NEEDS_ATTENTION",
  "AT_RISK",
  "PREVIOUSLY_LOYAL",
  "ALMOST_LOST",
  "DORMANT",
  "PROSPECTS",
] as const;
export type RfmGroup = (typeof RFM_GROUPS)[number];
/** Groups a grid cell may hold (PROSPECTS is reserved for customers without orders). */
export type RfmGridGroup = Exclude<RfmGroup, "PROSPECTS">;

/** grid[R][FM − 1]: for each R score 1–5, the groups for FM = 1…5. */
export type RfmGrid = Readonly<Record<1 | 2 | 3 | 4 | 5, readonly RfmGridGroup[]>>;

/**
 * The default grid. Reading it row by row:
 *  - R 5 (bought very recently): one modest order → NEW; a little more → PROMISING; middling
 *    → ACTIVE; high FM → LOYAL; the top FM → CHAMPIONS.
 *  - R 4: still recent; low FM → PROMISING, middling → ACTIVE, high → LOYAL.
 *  - R 3: drifting; low FM → ALMOST_LOST … NEEDS_ATTENTION, high FM → LOYAL (still worth it).
 *  - R 2: lapsing; low FM → ALMOST_LOST, middling/high → AT_RISK, best → PREVIOUSLY_LOYAL.
 *  - R 1 (longest ago): low FM → DORMANT, mid → ALMOST_LOST / AT_RISK, high → PREVIOUSLY_LOYAL.
 */
export const DEFAULT_RFM_GRID: RfmGrid = {
  //   FM = 1           FM = 2              FM = 3              FM = 4              FM = 5
  5: ["NEW", "PROMISING", "ACTIVE", "LOYAL", "CHAMPIONS"],
  4: ["PROMISING", "PROMISING", "ACTIVE", "LOYAL", "LOYAL"],
  3: ["ALMOST_LOST", "NEEDS_ATTENTION", "NEEDS_ATTENTION", "LOYAL", "LOYAL"],
  2: ["ALMOST_LOST", "ALMOST_LOST", "AT_RISK", "AT_RISK", "PREVIOUSLY_LOYAL"],
  1: ["DORMANT", "DORMANT", "ALMOST_LOST", "AT_RISK", "PREVIOUSLY_LOYAL"],
};

export type GridValidation = { ok: true; grid: RfmGrid } | { ok: false; errors: string[] };

/** Checks a custom grid (e.g. edited by a merchant, parsed from JSON) before it is used. */
export function validateRfmGrid(candidate: unknown): GridValidation {
  const errors: string[] = [];
  if (typeof candidate !== "object" || candidate === null || Array.isArray(candidate)) {
    return { ok: false, errors: ["the grid must be an object with keys 1 to 5 (R scores)"] };
  }
  const record = candidate as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!["1", "2", "3", "4", "5"].includes(key))
      errors.push(`unexpected key "${key}" (R scores are 1 to 5)`);
  }
  const allowed: readonly string[] = RFM_GROUPS.filter((g) => g !== "PROSPECTS");
  for (const r of ["1", "2", "3", "4", "5"]) {
    const row = record[r];
    if (!Array.isArray(row) || row.length !== 5) {
      errors.push(`row R=${r} must be a list of 5 groups (for FM = 1 to 5)`);
      continue;
    }
    row.forEach((cell: unknown, i) => {
      if (typeof cell !== "string" || !allowed.includes(cell)) {
        errors.push(`R=${r}, FM=${i + 1}: "${String(cell)}" is not one of ${allowed.join(", ")}`);
      }
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, grid: candidate as RfmGrid };
}

export interface RfmScores {
  /** 1–5; 0 for prospects. */
  recency: Uint8Array;
  frequency: Uint8Array;
  monetary: Uint8Array;
  /** round((F + M) / 2), halves rounded up; 0 for prospects. */
  frequencyMonetary: Uint8Array;
  group: RfmGroup[];
}

/** F: 1 for one order; 2–5 by quartile of the order count among repeat buyers. */
export function frequencyScores(orders: ArrayLike<number>): Uint8Array {
  const repeat = rankScores(orders, (i) => orders[i] > 1, 4);
  const scores = new Uint8Array(orders.length);
  for (let i = 0; i < orders.length; i++) {
    if (orders[i] === 1) scores[i] = 1;
    else if (orders[i] > 1) scores[i] = 1 + repeat[i];
  }
  return scores;
}

export function scoreRfm(
  summaries: CustomerSummaries,
  grid: RfmGrid = DEFAULT_RFM_GRID,
): RfmScores {
  const checked = validateRfmGrid(grid);
  if (!checked.ok) throw new RangeError(`invalid RFM grid: ${checked.errors.join("; ")}`);
  const hasOrders = (i: number) => summaries.orders[i] > 0;
  const recency = rankScores(summaries.lastDay, hasOrders);
  const frequency = frequencyScores(summaries.orders);
  const monetary = rankScores(summaries.totalSpendMinor, hasOrders);
  const n = summaries.count;
  const frequencyMonetary = new Uint8Array(n);
  const group = new Array<RfmGroup>(n);
  for (let i = 0; i < n; i++) {
    if (!hasOrders(i)) {
      group[i] = "PROSPECTS";
      continue;
    }
    const fm = Math.round((frequency[i] + monetary[i]) / 2);
    frequencyMonetary[i] = fm;
    group[i] = grid[recency[i] as 1 | 2 | 3 | 4 | 5][fm - 1];
  }
  return { recency, frequency, monetary, frequencyMonetary, group };
}
