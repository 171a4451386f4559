/**
 * Cohort retention from per-(cohort, month offset) tallies: the cohort triangle, the retention
 * curve, cumulative net revenue per customer and the repeat-purchase rate by calendar month.
 * The tallies come from SQL over the orders (app/admin/retention.server.ts); this module only
 * shapes them, so it is pure and unit-tested.
 *
 * Definitions (those of loyalty.ts and of the usual cohort report, e.g. Fader & Hardie,
 * "Customer-base analysis with discrete-time transaction data", 2010, for the triangle):
 *  - a customer's cohort is the calendar month (shop time) of their first counted order;
 *  - retained[k] is the share of the cohort who ordered in the k-th month after the cohort
 *    month (k = 0 is 1 by construction);
 *  - revenuePerCustomer[k] is the cohort's net revenue in months 0..k divided by its size;
 *  - the curve averages cohorts weighted by size, over the cohorts for which month k is over
 *    (the current month is still running and would pull the tail down);
 *  - the repeat-purchase rate of a month is the share of that month's buyers who had ordered in
 *    an earlier month.
 */

export interface RetentionTally {
  /** A group of customers: "all", "discount"/"full-price", or a segment key. */
  group: string;
  /** First-order month, "YYYY-MM". */
  cohort: string;
  /** Months since the cohort month. */
  offset: number;
  /** Customers of the cohort who ordered in that month. */
  active: number;
  /** Their net revenue in that month, minor units. */
  revenueMinor: number;
}

export interface CohortRow {
  cohort: string;
  customers: number;
  retained: number[];
  revenuePerCustomerMinor: number[];
}

export interface CurvePoint {
  offset: number;
  /** Cohorts over which this point is averaged, and their customers. */
  cohorts: number;
  customers: number;
  retained: number;
  revenuePerCustomerMinor: number;
}

export interface RepeatPoint {
  month: string;
  buyers: number;
  returning: number;
  rate: number;
}

export interface GroupRetention {
  group: string;
  /** Customers with a counted order in the group. */
  customers: number;
  cohorts: CohortRow[];
  curve: CurvePoint[];
  repeat: RepeatPoint[];
}

/** "YYYY-MM" → months since year 0, and back. */
export const monthNumber = (label: string): number => {
  const [year, month] = label.split("-").map(Number);
  return year * 12 + (month - 1);
};
export const monthLabel = (n: number): string =>
  `${String(Math.floor(n / 12)).padStart(4, "0")}-${String((n % 12) + 1).padStart(2, "0")}`;

export function shapeRetention(
  tallies: readonly RetentionTally[],
  currentMonth: string,
): GroupRetention[] {
  const current = monthNumber(currentMonth);
  const byGroup = new Map<string, Map<string, RetentionTally[]>>();
  for (const t of tallies) {
    const cohorts = byGroup.get(t.group) ?? new Map<string, RetentionTally[]>();
    const list = cohorts.get(t.cohort) ?? [];
    list.push(t);
    cohorts.set(t.cohort, list);
    byGroup.set(t.group, cohorts);
  }
  const groups: GroupRetention[] = [];
  for (const [group, cohortMap] of byGroup) {
    const cohorts: CohortRow[] = [];
    const buyers = new Map<number, { buyers: number; returning: number }>();
    for (const cohort of [...cohortMap.keys()].sort()) {
      const start = monthNumber(cohort);
      const span = Math.max(0, current - start) + 1;
      const active = new Array<number>(span).fill(0);
      const revenue = new Array<number>(span).fill(0);
      for (const t of cohortMap.get(cohort)!) {
        if (t.offset < 0 || t.offset >= span) continue;
        active[t.offset] += t.active;
        revenue[t.offset] += t.revenueMinor;
        const month = start + t.offset;
        const b = buyers.get(month) ?? { buyers: 0, returning: 0 };
        b.buyers += t.active;
        if (t.offset > 0) b.returning += t.active;
        buyers.set(month, b);
      }
      const size = active[0];
      if (size === 0) continue;
      let cumulative = 0;
      cohorts.push({
        cohort,
        customers: size,
        retained: active.map((a) => a / size),
        revenuePerCustomerMinor: revenue.map((r) => (cumulative += r) / size),
      });
    }
    const curve: CurvePoint[] = [];
    for (let k = 0; ; k++) {
      const complete = cohorts.filter((c) => monthNumber(c.cohort) + k < current);
      if (complete.length === 0) break;
      const customers = complete.reduce((sum, c) => sum + c.customers, 0);
      const weighted = (pick: (c: CohortRow) => number) =>
        complete.reduce((sum, c) => sum + pick(c) * c.customers, 0) / customers;
      curve.push({
        offset: k,
        cohorts: complete.length,
        customers,
        retained: weighted((c) => c.retained[k]),
        revenuePerCustomerMinor: weighted((c) => c.revenuePerCustomerMinor[k]),
      });
    }
    const repeat = [...buyers.entries()]
      .sort(([a], [b]) => a - b)
      .map(([month, b]) => ({
        month: monthLabel(month),
        buyers: b.buyers,
        returning: b.returning,
        rate: b.buyers > 0 ? b.returning / b.buyers : 0,
      }));
    groups.push({
      group,
      customers: cohorts.reduce((sum, c) => sum + c.customers, 0),
      cohorts,
      curve,
      repeat,
    });
  }
  return groups;
}
