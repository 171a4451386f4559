/**
 * Gross margin per customer, for CLV on margin rather than revenue (what Lifetimely sells).
 * Where the shop records product costs (Shopify's per-variant `InventoryItem.unitCost`), a
 * customer's margin rate is 1 − cost / net merchandise over her line items with a known cost,
 * the order's discounts and refunds spread over its lines in proportion to their list value;
 * customers without any costed line take the shop's margin % from Settings (default 50 %).
 * Margin CLV = revenue CLV × margin rate: CLV's spend forecast scaled by what the customer's
 * purchases have left the shop so far.
 */
import type { OrderTable } from "./orders";

export const DEFAULT_MARGIN_RATE = 0.5;

export function marginRates(
  table: OrderTable,
  asOfDay: number,
  defaultRate = DEFAULT_MARGIN_RATE,
): Float64Array {
  const n = table.customerIds.length;
  const rates = new Float64Array(n).fill(defaultRate);
  const { lines } = table;
  for (let c = 0; c < n; c++) {
    let costed = 0;
    let cost = 0;
    for (let i = table.customerStart[c]; i < table.customerStart[c + 1]; i++) {
      if (table.day[i] > asOfDay) break;
      const start = table.lineStart[i];
      const end = start + table.lineCount[i];
      let listValue = 0;
      for (let l = start; l < end; l++) listValue += lines.valueMinor[l];
      if (!(listValue > 0)) continue;
      const netShare = table.valueMinor[i] / listValue;
      for (let l = start; l < end; l++) {
        const unitCost = lines.unitCostMinor[l];
        if (Number.isNaN(unitCost)) continue;
        costed += lines.valueMinor[l] * netShare;
        cost += unitCost * lines.quantity[l];
      }
    }
    if (costed > 0) rates[c] = Math.max(-1, Math.min(1, 1 - cost / costed));
  }
  return rates;
}

/** Margin CLV: revenue CLV × margin rate (NaN where CLV is). */
export function marginClv(clv: Float64Array, rates: Float64Array): Float64Array {
  return clv.map((value, c) => value * rates[c]);
}
