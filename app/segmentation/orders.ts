/**
 * From order objects to a columnar order table. This is the only place that looks at individual
 * `OrderInput`s: it validates them, applies the counting rules of the domain (cancelled, test
 * and $0 orders are not purchases; a refund lowers the order's value from its own day on, and an
 * order refunded in full by a day is no purchase as of that day), interns customer ids, and lays
 * the surviving orders out in typed arrays sorted by customer and day, so that every later pass
 * is a linear scan over contiguous memory.
 *
 * The table `buildOrderTable` returns sees every refund it was given; `orderTableAsOf` gives the
 * view as of an earlier day (a backtest's calibration end), where later refunds have not
 * happened yet (docs/money.md).
 */
import { SegmentationInputError } from "./errors";
import { toMinorNumber, type MinorAmount } from "./money";
import { toDayNumber } from "./time";
import type { CustomerInput, OrderInput } from "./types";

export interface OrderTable {
  currency: string;
  /** Customer index → customer id. Customers from `CustomerInput` without orders included. */
  customerIds: string[];
  /** Orders of customer c are rows customerStart[c] … customerStart[c+1]−1, sorted by day. */
  customerStart: Int32Array;
  customer: Int32Array;
  day: Int32Array;
  /** Net value: total paid minus refunds, minor units. */
  valueMinor: Float64Array;
  discountMinor: Float64Array;
  /** Partial refunds, minor units. */
  refundedMinor: Float64Array;
  /** Quantity-weighted mean unit price of the line items, minor units; NaN without line items. */
  unitPriceMinor: Float64Array;
  /** Line items of row i are lines lineStart[i] … lineStart[i] + lineCount[i] − 1. */
  lineStart: Int32Array;
  lineCount: Int32Array;
  lines: LineItemTable;
  /** Row → position of the order among the counted input orders (for error messages). */
  rowOrigin: Int32Array;
  /** Per customer: orders placed that were fully refunded (excluded from the rows above). */
  fullyRefundedOrders: Int32Array;
  /** Per customer: orders with no merchandise value, which are not purchases (not in the rows). */
  zeroValueOrders: Int32Array;
  /** Every purchase before refunds and the dated refunds; null when no order has a refund. */
  ledger: RefundLedger | null;
  firstDay: number;
  lastDay: number;
}

export interface RefundLedger {
  /** All purchases at their value before refunds, fully refunded ones included. */
  base: OrderTable;
  /** Refunds of base row i are refundStart[i] … refundStart[i+1]−1. */
  refundStart: Int32Array;
  refundDay: Int32Array;
  refundMinor: Float64Array;
}

export interface LineItemTable {
  /** Interned strings; index −1 means "not given". */
  productTypes: string[];
  vendors: string[];
  productType: Int32Array;
  vendor: Int32Array;
  valueMinor: Float64Array;
  quantity: Float64Array;
  /** Cost of one unit (Shopify's InventoryItem.unitCost), minor units; NaN where unknown. */
  unitCostMinor: Float64Array;
}

export interface OrderTableOptions {
  /** Shop clock as minutes ahead of UTC, deciding which calendar day an order falls on. */
  utcOffsetMinutes?: number;
  /** Customers known from elsewhere (tags, consent, no orders yet). */
  customers?: readonly CustomerInput[];
}

export function buildOrderTable(
  orders: Iterable<OrderInput>,
  options: OrderTableOptions = {},
): OrderTable {
  const offset = options.utcOffsetMinutes ?? 0;
  const customerIndex = new Map<string, number>();
  const customerIds: string[] = [];
  const intern = (id: string): number => {
    let index = customerIndex.get(id);
    if (index === undefined) {
      index = customerIds.length;
      customerIndex.set(id, index);
      customerIds.push(id);
    }
    return index;
  };
  for (const c of options.customers ?? []) intern(c.id);

  const rows = new ColumnBuilder();
  const lines = new LineBuilder();
  const zeroValue: number[] = [];
  const refundRow: number[] = [];
  const refundDay: number[] = [];
  const refundAmount: number[] = [];
  const orderIds: string[] = [];
  let currency: string | undefined;

  for (const order of orders) {
    if (order.cancelled === true || order.test === true) continue;
    // Error labels are built only when needed: this loop runs millions of times.
    const label = labelOf;
    if (typeof order.orderId !== "string" || order.orderId === "") {
      throw new SegmentationInputError("INVALID_FIELD", `an order has no orderId`);
    }
    if (typeof order.customerId !== "string" || order.customerId === "") {
      throw new SegmentationInputError("INVALID_FIELD", `${label(order)} has no customerId`);
    }
    if (order.currency !== currency) {
      if (typeof order.currency !== "string" || order.currency === "") {
        throw new SegmentationInputError("INVALID_FIELD", `${label(order)} has no currency`);
      }
      if (currency !== undefined) {
        throw new SegmentationInputError(
          "MIXED_CURRENCIES",
          `${label(order)} is in ${order.currency} but earlier orders are in ${currency}; pass amounts in the shop currency`,
        );
      }
      currency = order.currency;
    }
    const total = minorAmount(order.totalMinor, order, "totalMinor");
    const discount =
      order.discountMinor === undefined
        ? 0
        : minorAmount(order.discountMinor, order, "discountMinor");
    const refunded =
      order.refundedMinor === undefined
        ? 0
        : minorAmount(order.refundedMinor, order, "refundedMinor");
    if (refunded > total) {
      throw new SegmentationInputError(
        "INVALID_AMOUNT",
        `${label(order)} refundedMinor (${refunded}) exceeds totalMinor (${total})`,
      );
    }
    let day: number;
    try {
      day = toDayNumber(order.processedAt, offset);
    } catch {
      throw new SegmentationInputError(
        "INVALID_DATE",
        `${label(order)} processedAt is not a valid date: ${String(order.processedAt)}`,
      );
    }
    const customer = intern(order.customerId);
    if (total === 0 && order.zeroValuePurchase !== true) {
      zeroValue[customer] = (zeroValue[customer] ?? 0) + 1;
      continue;
    }
    const row = rows.length;
    if (order.refunds !== undefined && order.refunds.length > 0) {
      let sum = 0;
      for (const refund of order.refunds) {
        const amount = minorAmount(refund.amountMinor, order, "refund amountMinor");
        let at: number;
        try {
          at = toDayNumber(refund.processedAt, offset);
        } catch {
          throw new SegmentationInputError(
            "INVALID_DATE",
            `${label(order)} has a refund whose processedAt is not a valid date`,
          );
        }
        sum += amount;
        if (amount > 0) {
          refundRow.push(row);
          // A refund cannot predate its order (clock skew between systems).
          refundDay.push(Math.max(at, day));
          refundAmount.push(amount);
        }
      }
      if (sum > total) {
        throw new SegmentationInputError(
          "INVALID_AMOUNT",
          `${label(order)} refunds (${sum}) exceed totalMinor (${total})`,
        );
      }
    } else if (refunded > 0) {
      refundRow.push(row);
      refundDay.push(day);
      refundAmount.push(refunded);
    }

    const lineStart = lines.length;
    let itemsValue = 0;
    let itemsQuantity = 0;
    const items = order.lineItems;
    if (items !== undefined) {
      for (const item of items) {
        const price = minorAmount(item.unitPriceMinor, order, "line item unitPriceMinor");
        const quantity = item.quantity;
        if (!Number.isFinite(quantity) || quantity < 0) {
          throw new SegmentationInputError(
            "INVALID_FIELD",
            `${label(order)} has a line item with quantity ${quantity}`,
          );
        }
        lines.push(
          item.productType,
          item.vendor,
          price * quantity,
          quantity,
          item.unitCostMinor === undefined
            ? NaN
            : minorAmount(item.unitCostMinor, order, "line item unitCostMinor"),
        );
        itemsValue += price * quantity;
        itemsQuantity += quantity;
      }
    }
    orderIds.push(order.orderId);
    rows.push(
      customer,
      day,
      total,
      discount,
      0,
      itemsQuantity > 0 ? itemsValue / itemsQuantity : NaN,
      lineStart,
      lines.length - lineStart,
    );
  }

  if (currency === undefined) currency = "XXX";
  const nCustomers = customerIds.length;
  const zeroValueOrders = new Int32Array(nCustomers);
  zeroValue.forEach((count, c) => (zeroValueOrders[c] = count));
  const table = sortedTable(
    rows,
    lines.build(),
    customerIds,
    new Int32Array(nCustomers),
    zeroValueOrders,
    currency,
  );
  rejectDuplicateOrders(table, orderIds);
  if (refundRow.length === 0) return table;
  // Refunds by sorted row (CSR), in day order within a row.
  const n = table.day.length;
  const position = new Int32Array(n);
  for (let i = 0; i < n; i++) position[table.rowOrigin[i]] = i;
  const refundStart = new Int32Array(n + 1);
  for (const r of refundRow) refundStart[position[r] + 1]++;
  for (let i = 0; i < n; i++) refundStart[i + 1] += refundStart[i];
  const next = refundStart.slice(0, n);
  const byRow = Array.from({ length: refundRow.length }, (_, k) => k).sort(
    (a, b) => refundDay[a] - refundDay[b] || a - b,
  );
  const ledgerDay = new Int32Array(refundRow.length);
  const ledgerMinor = new Float64Array(refundRow.length);
  for (const k of byRow) {
    const at = next[position[refundRow[k]]]++;
    ledgerDay[at] = refundDay[k];
    ledgerMinor[at] = refundAmount[k];
  }
  table.ledger = {
    base: table,
    refundStart,
    refundDay: ledgerDay,
    refundMinor: ledgerMinor,
  };
  return orderTableAsOf(table, Infinity);
}

/**
 * The table as of `asOfDay`: refunds made by then lower their order's value; an order refunded
 * in full by then is no purchase (counted in `fullyRefundedOrders`); later refunds are ignored.
 * Orders after `asOfDay` stay (later passes cut them off by day).
 */
export function orderTableAsOf(table: OrderTable, asOfDay: number): OrderTable {
  const ledger = table.ledger;
  if (ledger === null) return table;
  const base = ledger.base;
  const { refundStart, refundDay, refundMinor } = ledger;
  const n = base.day.length;
  const nCustomers = base.customerIds.length;
  const keep = new Uint8Array(n);
  const refunded = new Float64Array(n);
  const fullyRefundedOrders = base.fullyRefundedOrders.slice();
  const customerStart = new Int32Array(nCustomers + 1);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let k = refundStart[i]; k < refundStart[i + 1] && refundDay[k] <= asOfDay; k++) {
      r += refundMinor[k];
    }
    refunded[i] = r;
    if (r > 0 && r >= base.valueMinor[i]) {
      fullyRefundedOrders[base.customer[i]]++;
    } else {
      keep[i] = 1;
      kept++;
      customerStart[base.customer[i] + 1]++;
    }
  }
  for (let c = 0; c < nCustomers; c++) customerStart[c + 1] += customerStart[c];
  const pick = <T extends Int32Array | Float64Array>(column: T, out: T): T => {
    let j = 0;
    for (let i = 0; i < n; i++) if (keep[i] === 1) out[j++] = column[i];
    return out;
  };
  const value = new Float64Array(kept);
  const refundedKept = new Float64Array(kept);
  let j = 0;
  for (let i = 0; i < n; i++) {
    if (keep[i] === 0) continue;
    value[j] = base.valueMinor[i] - refunded[i];
    refundedKept[j++] = refunded[i];
  }
  const day = pick(base.day, new Int32Array(kept));
  let firstDay = Infinity;
  let lastDay = -Infinity;
  for (let i = 0; i < kept; i++) {
    if (day[i] < firstDay) firstDay = day[i];
    if (day[i] > lastDay) lastDay = day[i];
  }
  return {
    currency: base.currency,
    customerIds: base.customerIds,
    customerStart,
    customer: pick(base.customer, new Int32Array(kept)),
    day,
    valueMinor: value,
    discountMinor: pick(base.discountMinor, new Float64Array(kept)),
    refundedMinor: refundedKept,
    unitPriceMinor: pick(base.unitPriceMinor, new Float64Array(kept)),
    lineStart: pick(base.lineStart, new Int32Array(kept)),
    lineCount: pick(base.lineCount, new Int32Array(kept)),
    lines: base.lines,
    rowOrigin: pick(base.rowOrigin, new Int32Array(kept)),
    fullyRefundedOrders,
    zeroValueOrders: base.zeroValueOrders,
    ledger,
    firstDay,
    lastDay,
  };
}

/**
 * One order's value as of a date: its merchandise less the refunds made by then; 0 for an order
 * that is no purchase as of then (cancelled, test, $0, or refunded in full). The rule
 * `buildOrderTable` and `orderTableAsOf` apply in columns, for one order.
 */
export function orderValueAsOf(
  order: OrderInput,
  asOf: Date | string,
  utcOffsetMinutes = 0,
): number {
  if (order.cancelled === true || order.test === true) return 0;
  const total = toMinorNumber(order.totalMinor, labelOf(order));
  const asOfDay = toDayNumber(asOf, utcOffsetMinutes);
  const day = toDayNumber(order.processedAt, utcOffsetMinutes);
  if ((total === 0 && order.zeroValuePurchase !== true) || day > asOfDay) return 0;
  let refunded = 0;
  if (order.refunds !== undefined && order.refunds.length > 0) {
    for (const refund of order.refunds) {
      if (Math.max(day, toDayNumber(refund.processedAt, utcOffsetMinutes)) <= asOfDay) {
        refunded += toMinorNumber(refund.amountMinor, labelOf(order));
      }
    }
  } else if (order.refundedMinor !== undefined) {
    refunded = toMinorNumber(order.refundedMinor, labelOf(order));
  }
  return Math.max(0, total - refunded);
}

/**
 * An order delivered twice (webhooks are at-least-once) must not count twice. Duplicates share
 * a customer, so after sorting it is enough to compare order ids within each customer — far
 * cheaper than one set of millions of ids.
 */
function rejectDuplicateOrders(table: OrderTable, orderIds: readonly string[]): void {
  const { customerStart, rowOrigin } = table;
  for (let c = 0; c < table.customerIds.length; c++) {
    const start = customerStart[c];
    const end = customerStart[c + 1];
    if (end - start < 2) continue;
    const seen = new Set<string>();
    for (let i = start; i < end; i++) {
      const id = orderIds[rowOrigin[i]];
      if (seen.has(id)) {
        throw new SegmentationInputError("INVALID_FIELD", `order ${id} appears twice`);
      }
      seen.add(id);
    }
  }
}

/** Fast path for the common case (a safe non-negative integer); full checks otherwise. */
function minorAmount(value: MinorAmount, order: OrderInput, field: string): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  return toMinorNumber(value, `${labelOf(order)} ${field}`);
}

function labelOf(order: OrderInput): string {
  return `order ${String(order.orderId)}`;
}

/**
 * Counting sort by customer (O(n)), then an insertion sort by day inside each customer's
 * handful of orders — much faster than a comparison sort over millions of rows.
 */
function sortedTable(
  rows: ColumnBuilder,
  lines: LineItemTable,
  customerIds: string[],
  fullyRefundedOrders: Int32Array,
  zeroValueOrders: Int32Array,
  currency: string,
): OrderTable {
  const n = rows.length;
  const nCustomers = customerIds.length;
  const customer = rows.customer.subarray(0, n);
  const day = rows.day.subarray(0, n);
  const customerStart = new Int32Array(nCustomers + 1);
  for (let i = 0; i < n; i++) customerStart[customer[i] + 1]++;
  for (let c = 0; c < nCustomers; c++) customerStart[c + 1] += customerStart[c];
  const next = customerStart.slice(0, nCustomers);
  const permutation = new Int32Array(n);
  for (let i = 0; i < n; i++) permutation[next[customer[i]]++] = i;
  for (let c = 0; c < nCustomers; c++) {
    for (let i = customerStart[c] + 1; i < customerStart[c + 1]; i++) {
      const row = permutation[i];
      let j = i - 1;
      while (j >= customerStart[c] && day[permutation[j]] > day[row]) {
        permutation[j + 1] = permutation[j];
        j--;
      }
      permutation[j + 1] = row;
    }
  }
  const take = <T extends Int32Array | Float64Array>(column: T, empty: T): T => {
    for (let i = 0; i < n; i++) empty[i] = column[permutation[i]];
    return empty;
  };
  const sortedDay = take(day, new Int32Array(n));
  let firstDay = Infinity;
  let lastDay = -Infinity;
  for (let i = 0; i < n; i++) {
    if (sortedDay[i] < firstDay) firstDay = sortedDay[i];
    if (sortedDay[i] > lastDay) lastDay = sortedDay[i];
  }
  return {
    currency,
    customerIds,
    customerStart,
    customer: take(customer, new Int32Array(n)),
    day: sortedDay,
    valueMinor: take(rows.value, new Float64Array(n)),
    discountMinor: take(rows.discount, new Float64Array(n)),
    refundedMinor: take(rows.refunded, new Float64Array(n)),
    unitPriceMinor: take(rows.unitPrice, new Float64Array(n)),
    lineStart: take(rows.lineStart, new Int32Array(n)),
    lineCount: take(rows.lineCount, new Int32Array(n)),
    lines,
    rowOrigin: permutation,
    fullyRefundedOrders,
    zeroValueOrders,
    ledger: null,
    firstDay,
    lastDay,
  };
}

/** Append-only typed columns that double their capacity as they fill. */
class ColumnBuilder {
  length = 0;
  customer = new Int32Array(1024);
  day = new Int32Array(1024);
  value = new Float64Array(1024);
  discount = new Float64Array(1024);
  refunded = new Float64Array(1024);
  unitPrice = new Float64Array(1024);
  lineStart = new Int32Array(1024);
  lineCount = new Int32Array(1024);

  push(
    customer: number,
    day: number,
    value: number,
    discount: number,
    refunded: number,
    unitPrice: number,
    lineStart: number,
    lineCount: number,
  ): void {
    if (this.length === this.customer.length) this.grow();
    const i = this.length++;
    this.customer[i] = customer;
    this.day[i] = day;
    this.value[i] = value;
    this.discount[i] = discount;
    this.refunded[i] = refunded;
    this.unitPrice[i] = unitPrice;
    this.lineStart[i] = lineStart;
    this.lineCount[i] = lineCount;
  }

  private grow(): void {
    const size = this.customer.length * 2;
    this.customer = resized(this.customer, new Int32Array(size));
    this.day = resized(this.day, new Int32Array(size));
    this.value = resized(this.value, new Float64Array(size));
    this.discount = resized(this.discount, new Float64Array(size));
    this.refunded = resized(this.refunded, new Float64Array(size));
    this.unitPrice = resized(this.unitPrice, new Float64Array(size));
    this.lineStart = resized(this.lineStart, new Int32Array(size));
    this.lineCount = resized(this.lineCount, new Int32Array(size));
  }
}

class LineBuilder {
  length = 0;
  private productTypeIndex = new Map<string, number>();
  private vendorIndex = new Map<string, number>();
  private productTypes: string[] = [];
  private vendors: string[] = [];
  private productType = new Int32Array(1024);
  private vendor = new Int32Array(1024);
  private value = new Float64Array(1024);
  private quantity = new Float64Array(1024);
  private unitCost = new Float64Array(1024);

  push(
    productType: string | undefined,
    vendor: string | undefined,
    value: number,
    quantity: number,
    unitCost: number,
  ): void {
    if (this.length === this.value.length) {
      const size = this.value.length * 2;
      this.productType = resized(this.productType, new Int32Array(size));
      this.vendor = resized(this.vendor, new Int32Array(size));
      this.value = resized(this.value, new Float64Array(size));
      this.quantity = resized(this.quantity, new Float64Array(size));
      this.unitCost = resized(this.unitCost, new Float64Array(size));
    }
    const i = this.length++;
    this.productType[i] = internString(productType, this.productTypeIndex, this.productTypes);
    this.vendor[i] = internString(vendor, this.vendorIndex, this.vendors);
    this.value[i] = value;
    this.quantity[i] = quantity;
    this.unitCost[i] = unitCost;
  }

  build(): LineItemTable {
    return {
      productTypes: this.productTypes,
      vendors: this.vendors,
      productType: this.productType.slice(0, this.length),
      vendor: this.vendor.slice(0, this.length),
      valueMinor: this.value.slice(0, this.length),
      quantity: this.quantity.slice(0, this.length),
      unitCostMinor: this.unitCost.slice(0, this.length),
    };
  }
}

function internString(
  value: string | undefined,
  index: Map<string, number>,
  values: string[],
): number {
  if (value === undefined || value === "") return -1;
  let i = index.get(value);
  if (i === undefined) {
    i = values.length;
    index.set(value, i);
    values.push(value);
  }
  return i;
}

function resized<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
