/**
 * The simulator's answer to `Customer.statistics { rfmGroup predictedSpendTier }`: Shopify's own
 * view of each customer, computed for the whole shop once a day. Shopify does not publish its
 * method; what it does say (the `CustomerRfmGroup` descriptions, and that the groups come from
 * recency, frequency and monetary quintiles of the shop's customers, refreshed daily) is
 * followed here, and the details it leaves open are settled the way a plain warehouse job would
 * settle them. They are deliberately not Propel's choices (app/segmentation/rfm.ts), so that the
 * app's comparison of the two (the model trust page) sees the differences a real shop shows:
 *
 *  - Window: only orders of the last two years count. A customer whose orders are all older is
 *    DORMANT. Propel scores every order it has imported.
 *  - Money: Shopify's amount spent, what the customer paid (shipping and tax included) net of
 *    refunds. Propel uses net merchandise (docs/money.md). Every non-test order counts, $0 and
 *    cancelled ones too (they then add nothing to M but one to F); Propel ignores $0 orders.
 *  - Frequency: the plain order count in quintiles over all buyers. Propel gives one-time buyers
 *    F = 1 and ranks only repeat buyers.
 *  - Ties: split by position (an NTILE over the values, ties ordered by customer id, oldest
 *    first), so of many customers with one order some score F = 1 and some F = 2 or 3. Propel's
 *    ties share the score of their lowest-ranked holder.
 *  - Updated daily: the figures are as of the start of the current UTC day. Orders placed since
 *    do not count, customers created since have no statistics (null) until the next day's run,
 *    and the day's result is kept: a change made later that day shows the next day. Propel
 *    recomputes whenever its data changes.
 *
 * The grid of R against FM = round((F + M) / 2) is read from the enum descriptions ("very recent
 * purchases, many orders, the most spend" …); it is close to Propel's default grid but need not
 * match it (a merchant can edit Propel's).
 *
 * predictedSpendTier: a next-year spend forecast as simple as Shopify's documentation implies —
 * the spend of the last 365 days, damped by how long the customer has been quiet
 * (× e^(−days since last order / 180)). Zero (no orders, or none in the window) is LOW; of the
 * customers with a forecast above zero, the top 10 % are HIGH, the bottom 40 % LOW, the rest
 * MEDIUM.
 */
import type { Store } from "./store.js";

/** A `CustomerRfmGroup` value (the schema validates what is answered). */
export type ShopifyRfmGroup = string;
export type PredictedSpendTier = "HIGH" | "MEDIUM" | "LOW";

export interface CustomerStatistics {
  rfmGroup: ShopifyRfmGroup;
  predictedSpendTier: PredictedSpendTier;
}

const DAY_MS = 86_400_000;
const WINDOW_DAYS = 730;
const FORECAST_DAYS = 365;
const QUIET_DECAY_DAYS = 180;

/** grid[R − 1][FM − 1]. */
const GRID: readonly (readonly ShopifyRfmGroup[])[] = [
  /* R 1 */ ["DORMANT", "DORMANT", "AT_RISK", "AT_RISK", "PREVIOUSLY_LOYAL"],
  /* R 2 */ ["ALMOST_LOST", "ALMOST_LOST", "AT_RISK", "AT_RISK", "PREVIOUSLY_LOYAL"],
  /* R 3 */ ["ALMOST_LOST", "NEEDS_ATTENTION", "NEEDS_ATTENTION", "LOYAL", "LOYAL"],
  /* R 4 */ ["PROMISING", "PROMISING", "ACTIVE", "LOYAL", "LOYAL"],
  /* R 5 */ ["NEW", "PROMISING", "ACTIVE", "LOYAL", "CHAMPIONS"],
];

export interface StatisticsSnapshot {
  /** The instant the figures are as of: the start of a UTC day. */
  asOf: number;
  /** By customer row; null for customers created after `asOf` (or deleted by then). */
  byCustomer: (CustomerStatistics | null)[];
}

/**
 * Scores 1…5 by position: the included customers sorted by value (ties by row, i.e. by
 * customer id), the first fifth scoring 1 and the last fifth 5.
 */
function ntile(values: Float64Array, included: number[]): Uint8Array {
  const order = included.slice().sort((a, b) => values[a] - values[b] || a - b);
  const scores = new Uint8Array(values.length);
  const m = order.length;
  order.forEach((row, position) => {
    scores[row] = 1 + Math.floor((5 * position) / m);
  });
  return scores;
}

/** Statistics of every customer of the store as of `asOf`. Pure: the same store, the same answer. */
export function computeStatistics(store: Store, asOf: number): StatisticsSnapshot {
  const n = store.customerRows;
  const windowStart = asOf - WINDOW_DAYS * DAY_MS;
  const forecastStart = asOf - FORECAST_DAYS * DAY_MS;
  const last = new Float64Array(n);
  const orders = new Float64Array(n);
  const spent = new Float64Array(n);
  const recentSpend = new Float64Array(n);
  const known = new Uint8Array(n); // 1: exists as of asOf; 2: and ordered before it
  const inWindow: number[] = [];
  for (let c = 0; c < n; c++) {
    if (!store.customerExists(c) || store.cCreated.get(c) >= asOf) continue;
    known[c] = 1;
    let lastAt = Number.NEGATIVE_INFINITY;
    for (const o of store.customerOrders(c)) {
      const at = store.oProcessed.get(o);
      if (store.isTest(o) || at >= asOf) continue;
      known[c] = 2;
      if (at < windowStart) continue;
      const paid = store.currentTotalCents(o);
      orders[c]++;
      spent[c] += paid;
      if (at >= forecastStart) recentSpend[c] += paid;
      if (at > lastAt) lastAt = at;
    }
    last[c] = lastAt;
    if (orders[c] > 0) inWindow.push(c);
  }

  const r = ntile(last, inWindow);
  const f = ntile(orders, inWindow);
  const m = ntile(spent, inWindow);

  const forecast = new Float64Array(n);
  const forecasting: number[] = [];
  for (const c of inWindow) {
    const quietDays = (asOf - last[c]) / DAY_MS;
    forecast[c] = recentSpend[c] * Math.exp(-quietDays / QUIET_DECAY_DAYS);
    if (forecast[c] > 0) forecasting.push(c);
  }
  const tierOrder = forecasting.slice().sort((a, b) => forecast[a] - forecast[b] || a - b);
  const tier = new Map<number, PredictedSpendTier>();
  tierOrder.forEach((c, position) => {
    // The share of forecasting customers at or below this one: the top one is at 1.
    const share = (position + 1) / tierOrder.length;
    tier.set(c, share > 0.9 ? "HIGH" : share > 0.4 ? "MEDIUM" : "LOW");
  });

  const byCustomer: (CustomerStatistics | null)[] = new Array<CustomerStatistics | null>(n).fill(
    null,
  );
  for (let c = 0; c < n; c++) {
    if (known[c] === 0) continue;
    let rfmGroup: ShopifyRfmGroup;
    if (known[c] === 1) rfmGroup = "PROSPECTS";
    else if (orders[c] === 0) rfmGroup = "DORMANT";
    else {
      const fm = Math.round((f[c] + m[c]) / 2);
      rfmGroup = GRID[r[c] - 1][fm - 1];
    }
    byCustomer[c] = { rfmGroup, predictedSpendTier: tier.get(c) ?? "LOW" };
  }
  return { asOf, byCustomer };
}

const daily = new WeakMap<Store, StatisticsSnapshot>();

/** The start of the UTC day `now` falls in. */
export function statisticsDay(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS;
}

/**
 * A customer's statistics as Shopify would answer today: the day's run is made the first time
 * the shop is asked that day, and kept until the next day.
 */
export function customerStatistics(
  store: Store,
  customerRow: number,
  now: number,
): CustomerStatistics | null {
  const day = statisticsDay(now);
  let snapshot = daily.get(store);
  if (!snapshot || snapshot.asOf !== day) {
    snapshot = computeStatistics(store, day);
    daily.set(store, snapshot);
  }
  return snapshot.byCustomer[customerRow] ?? null;
}
