/**
 * Behaviour and affinity: each customer's leading product type and vendor, by spend and by
 * item count, from the line items of the counted orders up to the as-of date. Ties go to the
 * name that sorts first, so the answer does not depend on input order.
 */
import type { OrderTable } from "./orders";

export interface Affinities {
  productTypeBySpend: (string | null)[];
  productTypeByCount: (string | null)[];
  vendorBySpend: (string | null)[];
  vendorByCount: (string | null)[];
}

export function customerAffinities(table: OrderTable, asOfDay: number): Affinities {
  const byType = leaders(table, asOfDay, table.lines.productType, table.lines.productTypes);
  const byVendor = leaders(table, asOfDay, table.lines.vendor, table.lines.vendors);
  return {
    productTypeBySpend: byType.bySpend,
    productTypeByCount: byType.byCount,
    vendorBySpend: byVendor.bySpend,
    vendorByCount: byVendor.byCount,
  };
}

function leaders(
  table: OrderTable,
  asOfDay: number,
  category: Int32Array,
  names: readonly string[],
): { bySpend: (string | null)[]; byCount: (string | null)[] } {
  const n = table.customerIds.length;
  const bySpend = new Array<string | null>(n).fill(null);
  const byCount = new Array<string | null>(n).fill(null);
  if (names.length === 0) return { bySpend, byCount };
  // Scratch accumulators indexed by category, reset through the list of touched entries.
  const spend = new Float64Array(names.length);
  const count = new Float64Array(names.length);
  const touched: number[] = [];
  const better = (a: number, b: number, totals: Float64Array) =>
    totals[a] > totals[b] || (totals[a] === totals[b] && names[a] < names[b]);
  for (let c = 0; c < n; c++) {
    for (let i = table.customerStart[c]; i < table.customerStart[c + 1]; i++) {
      if (table.day[i] > asOfDay) break;
      for (let l = table.lineStart[i]; l < table.lineStart[i] + table.lineCount[i]; l++) {
        const k = category[l];
        if (k < 0) continue;
        if (spend[k] === 0 && count[k] === 0) touched.push(k);
        spend[k] += table.lines.valueMinor[l];
        count[k] += table.lines.quantity[l];
      }
    }
    if (touched.length === 0) continue;
    let topSpend = touched[0];
    let topCount = touched[0];
    for (const k of touched) {
      if (better(k, topSpend, spend)) topSpend = k;
      if (better(k, topCount, count)) topCount = k;
    }
    bySpend[c] = names[topSpend];
    byCount[c] = names[topCount];
    for (const k of touched) spend[k] = count[k] = 0;
    touched.length = 0;
  }
  return { bySpend, byCount };
}
