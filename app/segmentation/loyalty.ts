/**
 * Shop-level loyalty and retention: the repeat rate and a retention table by first-order
 * month (the classic cohort triangle). Retention in month k of a cohort is the share of its
 * customers who bought in the k-th calendar month after their first order's month.
 */
import type { OrderTable } from "./orders";
import { monthIndexOfDay, monthIndexToLabel } from "./time";

export interface CohortRetention {
  /** First-order month, "YYYY-MM". */
  cohort: string;
  customers: number;
  /** retained[k] = share of the cohort buying in month k after the cohort month (k = 0 is 1). */
  retained: number[];
}

export interface LoyaltyMetrics {
  customersWithOrders: number;
  repeatCustomers: number;
  /** Customers with at least two orders / customers with at least one. */
  repeatRate: number;
  cohorts: CohortRetention[];
}

export function loyaltyMetrics(table: OrderTable, asOfDay: number): LoyaltyMetrics {
  const n = table.customerIds.length;
  const firstDay = table.day.length > 0 ? table.firstDay : asOfDay;
  // Month index per day, computed once for the whole date range rather than once per order.
  const span = Math.max(0, asOfDay - firstDay + 1);
  const monthOfDay = new Int32Array(span);
  for (let d = 0; d < span; d++) monthOfDay[d] = monthIndexOfDay(firstDay + d);
  const firstMonth = span > 0 ? monthOfDay[0] : 0;
  const months = span > 0 ? monthOfDay[span - 1] - firstMonth + 1 : 0;

  const cohortSize = new Float64Array(months);
  const active = Array.from({ length: months }, () => new Float64Array(months));
  let customersWithOrders = 0;
  let repeatCustomers = 0;
  for (let c = 0; c < n; c++) {
    const start = table.customerStart[c];
    let end = table.customerStart[c + 1];
    while (end > start && table.day[end - 1] > asOfDay) end--;
    if (end === start) continue;
    customersWithOrders++;
    if (end - start >= 2) repeatCustomers++;
    const cohort = monthOfDay[table.day[start] - firstDay] - firstMonth;
    cohortSize[cohort]++;
    let previousOffset = -1;
    for (let i = start; i < end; i++) {
      const offset = monthOfDay[table.day[i] - firstDay] - firstMonth - cohort;
      if (offset !== previousOffset) active[cohort][offset]++;
      previousOffset = offset;
    }
  }
  const cohorts: CohortRetention[] = [];
  for (let m = 0; m < months; m++) {
    if (cohortSize[m] === 0) continue;
    const retained: number[] = [];
    for (let k = 0; m + k < months; k++) retained.push(active[m][k] / cohortSize[m]);
    cohorts.push({ cohort: monthIndexToLabel(firstMonth + m), customers: cohortSize[m], retained });
  }
  return {
    customersWithOrders,
    repeatCustomers,
    repeatRate: customersWithOrders > 0 ? repeatCustomers / customersWithOrders : 0,
    cohorts,
  };
}
