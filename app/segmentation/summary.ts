/**
 * Per-customer summary of purchase history as of a date — the sufficient statistics of the
 * probability models plus the descriptive measures the rule-based families use.
 *
 * Conventions of the buy-till-you-die literature (Fader, Hardie & Lee 2005, §2; the `lifetimes`
 * library's `summary_data_from_transaction_data`):
 *  - purchases on the same day are one transaction (their values are summed);
 *  - frequency x = number of *repeat* purchase days = distinct purchase days − 1;
 *  - recency t_x = time from the first to the last purchase day;
 *  - age T = time from the first purchase day to the as-of date, both taken as calendar days
 *    (so a customer whose first order is on the as-of day has T = 0). CDNOW: first purchase
 *    1997-01-01, as-of 1997-09-30 → T = 272 days = 38.86 weeks, as in the lifetimes summary.
 *
 * Columnar layout: one typed array per measure, indexed by customer, so summarising a million
 * customers allocates a few dozen arrays rather than a million objects.
 */
import { SegmentationInputError } from "./errors";
import type { OrderTable } from "./orders";
import { DAYS_PER_UNIT, dayToIsoDate, type TimeUnit } from "./time";

export interface SummaryOptions {
  /** Last day (inclusive) of the observation window; later orders are ignored. */
  asOfDay: number;
  timeUnit?: TimeUnit;
}

export interface CustomerSummaries {
  readonly count: number;
  readonly customerIds: readonly string[];
  readonly currency: string;
  readonly asOfDay: number;
  readonly timeUnit: TimeUnit;
  /** Counted orders up to the as-of date (cancelled, test, fully refunded excluded). */
  readonly orders: Int32Array;
  /** Distinct purchase days. */
  readonly purchaseDays: Int32Array;
  /** First and last purchase day numbers; NaN for customers without orders. */
  readonly firstDay: Float64Array;
  readonly lastDay: Float64Array;
  /** BG/NBD x: repeat purchase days. */
  readonly frequency: Float64Array;
  /** BG/NBD t_x and T in `timeUnit`s. */
  readonly recency: Float64Array;
  readonly age: Float64Array;
  /** t_x and T in whole days (exact integers, used to compress identical histories). */
  readonly recencyDays: Int32Array;
  readonly ageDays: Int32Array;
  /** Sum of net order values, integer minor units. */
  readonly totalSpendMinor: Float64Array;
  /** Mean value of the repeat purchase days (Gamma-Gamma's z̄), minor units; 0 when x = 0. */
  readonly meanRepeatValueMinor: Float64Array;
  /** Average order value, minor units. */
  readonly aovMinor: Float64Array;
  /** Fraction of orders with a discount. */
  readonly discountShare: Float64Array;
  /** Total discount / total price before discount. */
  readonly discountDepth: Float64Array;
  /** Fraction of placed orders with any refund (fully refunded orders included). */
  readonly refundShare: Float64Array;
  /** OLS slope of order value over order sequence, relative to the mean order value. */
  readonly valueTrend: Float64Array;
  /** ln(unit price of the last order / mean unit price of earlier orders); 0 if undefined. */
  readonly priceShift: Float64Array;
  /** Mean unit price of items bought (order value when line items are absent), minor units. */
  readonly meanUnitPriceMinor: Float64Array;
  /** Mean days between distinct purchase days; NaN for single-day customers. */
  readonly meanGapDays: Float64Array;
  /** Days from the last purchase to the as-of date; NaN without orders. */
  readonly daysSinceLast: Float64Array;
}

export function summarizeCustomers(table: OrderTable, options: SummaryOptions): CustomerSummaries {
  const { asOfDay } = options;
  const timeUnit = options.timeUnit ?? "day";
  if (!Number.isInteger(asOfDay)) {
    throw new SegmentationInputError("INVALID_DATE", `as-of day must be a whole day number`);
  }
  if (table.day.length > 0 && asOfDay < table.firstDay) {
    throw new SegmentationInputError(
      "AS_OF_BEFORE_FIRST_PURCHASE",
      `as-of date ${dayToIsoDate(asOfDay)} is before the first purchase (${dayToIsoDate(table.firstDay)})`,
    );
  }
  const unitDays = DAYS_PER_UNIT[timeUnit];
  const n = table.customerIds.length;
  const s = {
    orders: new Int32Array(n),
    purchaseDays: new Int32Array(n),
    firstDay: new Float64Array(n).fill(NaN),
    lastDay: new Float64Array(n).fill(NaN),
    frequency: new Float64Array(n),
    recency: new Float64Array(n),
    age: new Float64Array(n),
    recencyDays: new Int32Array(n),
    ageDays: new Int32Array(n),
    totalSpendMinor: new Float64Array(n),
    meanRepeatValueMinor: new Float64Array(n),
    aovMinor: new Float64Array(n),
    discountShare: new Float64Array(n),
    discountDepth: new Float64Array(n),
    refundShare: new Float64Array(n),
    valueTrend: new Float64Array(n),
    priceShift: new Float64Array(n),
    meanUnitPriceMinor: new Float64Array(n),
    meanGapDays: new Float64Array(n).fill(NaN),
    daysSinceLast: new Float64Array(n).fill(NaN),
  };
  const { customerStart, day, valueMinor, discountMinor, refundedMinor, unitPriceMinor } = table;

  for (let c = 0; c < n; c++) {
    const start = customerStart[c];
    let end = customerStart[c + 1];
    while (end > start && day[end - 1] > asOfDay) end--;
    const orders = end - start;
    const placed = orders + table.fullyRefundedOrders[c];
    if (placed > 0) {
      let refunded = table.fullyRefundedOrders[c];
      for (let i = start; i < end; i++) if (refundedMinor[i] > 0) refunded++;
      s.refundShare[c] = refunded / placed;
    }
    if (orders === 0) continue;

    const first = day[start];
    const last = day[end - 1];
    let spend = 0;
    let gross = 0;
    let discount = 0;
    let discounted = 0;
    let days = 0;
    let repeatDaysValue = 0;
    let dayValue = 0;
    let unitPriceSum = 0;
    // Σ i·v for the trend slope; Σ i and Σ i² have closed forms.
    let indexValueSum = 0;
    for (let i = start; i < end; i++) {
      const v = valueMinor[i];
      spend += v;
      gross += v + refundedMinor[i] + discountMinor[i];
      discount += discountMinor[i];
      if (discountMinor[i] > 0) discounted++;
      indexValueSum += (i - start) * v;
      unitPriceSum += Number.isNaN(unitPriceMinor[i]) ? v : unitPriceMinor[i];
      if (i === start || day[i] !== day[i - 1]) {
        if (days > 1) repeatDaysValue += dayValue;
        days++;
        dayValue = 0;
      }
      dayValue += v;
    }
    if (days > 1) repeatDaysValue += dayValue;
    if (!Number.isSafeInteger(spend)) {
      throw new SegmentationInputError(
        "INVALID_AMOUNT",
        `customer ${table.customerIds[c]}: total spend exceeds the exact integer range`,
      );
    }

    s.orders[c] = orders;
    s.purchaseDays[c] = days;
    s.firstDay[c] = first;
    s.lastDay[c] = last;
    s.frequency[c] = days - 1;
    s.recencyDays[c] = last - first;
    s.ageDays[c] = asOfDay - first;
    s.recency[c] = (last - first) / unitDays;
    s.age[c] = (asOfDay - first) / unitDays;
    s.totalSpendMinor[c] = spend;
    s.meanRepeatValueMinor[c] = days > 1 ? repeatDaysValue / (days - 1) : 0;
    const mean = spend / orders;
    s.aovMinor[c] = mean;
    s.discountShare[c] = discounted / orders;
    s.discountDepth[c] = gross > 0 ? discount / gross : 0;
    s.meanUnitPriceMinor[c] = unitPriceSum / orders;
    s.daysSinceLast[c] = asOfDay - last;
    if (days > 1) s.meanGapDays[c] = (last - first) / (days - 1);
    if (orders > 1 && mean > 0) {
      // slope = Σ(i − ī)(v − v̄) / Σ(i − ī)² with ī = (n−1)/2 and Σ(i − ī)² = n(n²−1)/12.
      const centredCross = indexValueSum - ((orders - 1) / 2) * spend;
      const slope = centredCross / ((orders * (orders * orders - 1)) / 12);
      s.valueTrend[c] = slope / mean;
      s.priceShift[c] = priceShift(unitPriceMinor, valueMinor, start, end);
    }
  }
  return {
    count: n,
    customerIds: table.customerIds,
    currency: table.currency,
    asOfDay,
    timeUnit,
    ...s,
  };
}

/** ln(last order's unit price / mean unit price of the earlier orders). */
function priceShift(
  unitPrice: Float64Array,
  value: Float64Array,
  start: number,
  end: number,
): number {
  let earlier = 0;
  for (let i = start; i < end - 1; i++) earlier += priceOf(unitPrice, value, i);
  earlier /= end - 1 - start;
  const latest = priceOf(unitPrice, value, end - 1);
  return earlier > 0 && latest > 0 ? Math.log(latest / earlier) : 0;
}

/** An order's mean unit price, or its value when it has no line items. */
function priceOf(unitPrice: Float64Array, value: Float64Array, i: number): number {
  return Number.isNaN(unitPrice[i]) ? value[i] : unitPrice[i];
}

/** Spend per customer on days in (fromDay, toDay], integer minor units. */
export function spendBetween(
  table: OrderTable,
  fromDayExclusive: number,
  toDayInclusive: number,
): Float64Array {
  const n = table.customerIds.length;
  const spend = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    for (let i = table.customerStart[c]; i < table.customerStart[c + 1]; i++) {
      const d = table.day[i];
      if (d > toDayInclusive) break;
      if (d > fromDayExclusive) spend[c] += table.valueMinor[i];
    }
  }
  return spend;
}

/** Distinct purchase days per customer in (fromDay, toDay] — the holdout "actual" count. */
export function purchaseDaysBetween(
  table: OrderTable,
  fromDayExclusive: number,
  toDayInclusive: number,
): Int32Array {
  const n = table.customerIds.length;
  const count = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    let previous = NaN;
    for (let i = table.customerStart[c]; i < table.customerStart[c + 1]; i++) {
      const d = table.day[i];
      if (d > toDayInclusive) break;
      if (d > fromDayExclusive && d !== previous) count[c]++;
      previous = d;
    }
  }
  return count;
}
