/**
 * An order's money as Shopify's own reports count net sales: the line items after discounts
 * (merchandise), minus the merchandise refunded. Shipping, taxes, duties and tips are kept
 * apart, never added into what the customer is worth. Refunds keep their own dates so that a
 * model scored as of an earlier day does not see refunds from its future (docs/money.md).
 *
 * Pure: reads the GraphQL order (backfill, reconcile, webhook re-read) or a REST-shaped webhook
 * payload and returns integer minor units of the shop currency.
 */
import { toMinorUnits } from "./money";

/** A refund's merchandise part on the day it was made. */
export interface DatedRefund {
  /** ISO 8601 instant the refund was created. */
  at: string;
  /** Refunded merchandise (line items after discounts, no shipping or tax), minor units. */
  merchandiseMinor: number;
}

export interface OrderMoney {
  /** Line items after discounts, before refunds, without tax. */
  merchandiseMinor: bigint;
  shippingMinor: bigint;
  taxMinor: bigint;
  /** Sum of `refunds[].merchandiseMinor`, capped at the merchandise. */
  refundedMerchandiseMinor: bigint;
  refunds: DatedRefund[];
}

type MoneySet = { shopMoney: { amount: string } } | null | undefined;

/** The order fields `orderMoney` reads (see ORDER_FIELDS in documents.ts). */
export interface OrderMoneyNode {
  currencyCode: string;
  taxesIncluded?: boolean | null;
  subtotalPriceSet?: MoneySet;
  currentSubtotalPriceSet?: MoneySet;
  totalShippingPriceSet?: MoneySet;
  totalTaxSet?: MoneySet;
  refunds?:
    | {
        createdAt: string;
        totalRefundedSet?: MoneySet;
        refundLineItems?: { nodes: { subtotalSet: MoneySet }[] } | null;
      }[]
    | null;
}

const minorOf = (set: MoneySet, currency: string): bigint =>
  set ? toMinorUnits(set.shopMoney.amount, currency) : 0n;

const clamp = (value: bigint, low: bigint, high: bigint) =>
  value < low ? low : value > high ? high : value;

/**
 * From the GraphQL order. `subtotalPriceSet` is after discounts and before returns; where the
 * shop's prices include tax it includes tax too, which is taken out (net sales exclude tax).
 * A refund's merchandise is the sum of its refund line items' subtotals. Bulk operations cannot
 * read a connection inside the `refunds` list (and a page of orders cannot afford it), so there
 * the merchandise refunded is subtotal − current subtotal, shared between the refunds in
 * proportion to their amounts where given, equally otherwise.
 */
export function orderMoney(node: OrderMoneyNode): OrderMoney {
  const currency = node.currencyCode;
  const tax = minorOf(node.totalTaxSet, currency);
  const subtotal = minorOf(node.subtotalPriceSet, currency);
  const merchandise = clamp(node.taxesIncluded ? subtotal - tax : subtotal, 0n, subtotal);
  const shipping = minorOf(node.totalShippingPriceSet, currency);
  const list = node.refunds ?? [];
  const itemized = list.every((refund) => refund.refundLineItems != null);
  let amounts: bigint[];
  if (itemized) {
    amounts = list.map((refund) =>
      (refund.refundLineItems?.nodes ?? []).reduce(
        (sum, item) => sum + minorOf(item.subtotalSet, currency),
        0n,
      ),
    );
    if (node.taxesIncluded && subtotal > 0n) {
      // Tax-inclusive line subtotals: remove the order's tax share from each refund.
      amounts = amounts.map((amount) => (amount * merchandise) / subtotal);
    }
  } else {
    const current =
      node.currentSubtotalPriceSet == null
        ? subtotal
        : minorOf(node.currentSubtotalPriceSet, currency);
    let refunded = clamp(subtotal - current, 0n, subtotal);
    if (node.taxesIncluded && subtotal > 0n) refunded = (refunded * merchandise) / subtotal;
    amounts = shareOut(
      refunded,
      list.map((refund) => minorOf(refund.totalRefundedSet, currency)),
    );
  }
  return assemble(
    merchandise,
    shipping,
    tax,
    list.map((refund, i) => ({ at: refund.createdAt, amount: amounts[i] })),
  );
}

/** A REST-shaped order as webhooks deliver it (orders/create, orders/updated …). */
export interface OrderPayload {
  currency?: string;
  subtotal_price?: string | number | null;
  total_tax?: string | number | null;
  taxes_included?: boolean | null;
  total_shipping_price_set?: { shop_money?: { amount: string } } | null;
  refunds?: RefundPayload[] | null;
}

/** A refund as refunds/create delivers it, and as it appears in an order payload's `refunds`. */
export interface RefundPayload {
  created_at: string;
  refund_line_items?: { subtotal_set?: { shop_money?: { amount: string } } | null }[] | null;
}

/** From a webhook order payload: the same rules as `orderMoney`. */
export function orderMoneyFromPayload(payload: OrderPayload): OrderMoney {
  const currency = payload.currency ?? "USD";
  const amount = (value: string | number | null | undefined) =>
    value === null || value === undefined ? 0n : toMinorUnits(value, currency);
  const tax = amount(payload.total_tax);
  const subtotal = amount(payload.subtotal_price);
  const merchandise = clamp(payload.taxes_included ? subtotal - tax : subtotal, 0n, subtotal);
  const shipping = amount(payload.total_shipping_price_set?.shop_money?.amount);
  const refunds = (payload.refunds ?? []).map((refund) => {
    let refunded = refundMerchandiseFromPayload(refund, currency);
    if (payload.taxes_included && subtotal > 0n) refunded = (refunded * merchandise) / subtotal;
    return { at: refund.created_at, amount: refunded };
  });
  return assemble(merchandise, shipping, tax, refunds);
}

/** A refunds/create payload's merchandise: its line items' subtotals. */
export function refundMerchandiseFromPayload(refund: RefundPayload, currency: string): bigint {
  return (refund.refund_line_items ?? []).reduce(
    (sum, item) =>
      sum +
      (item.subtotal_set?.shop_money
        ? toMinorUnits(item.subtotal_set.shop_money.amount, currency)
        : 0n),
    0n,
  );
}

/** Net merchandise sales of an order: merchandise minus refunded merchandise, never below 0. */
export function netMerchandiseMinor(money: OrderMoney): bigint {
  const net = money.merchandiseMinor - money.refundedMerchandiseMinor;
  return net > 0n ? net : 0n;
}

function assemble(
  merchandise: bigint,
  shipping: bigint,
  tax: bigint,
  refunds: { at: string; amount: bigint }[],
): OrderMoney {
  // Refunds in date order; the merchandise refunded never exceeds what was sold.
  const sorted = [...refunds].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  let left = merchandise;
  const dated: DatedRefund[] = [];
  for (const refund of sorted) {
    const amount = clamp(refund.amount, 0n, left);
    left -= amount;
    if (amount > 0n)
      dated.push({ at: new Date(refund.at).toISOString(), merchandiseMinor: Number(amount) });
  }
  return {
    merchandiseMinor: merchandise,
    shippingMinor: shipping,
    taxMinor: tax,
    refundedMerchandiseMinor: merchandise - left,
    refunds: dated,
  };
}

/** Splits `total` in proportion to `weights` (equal shares when they are all 0), exactly. */
function shareOut(total: bigint, weights: bigint[]): bigint[] {
  if (weights.length === 0) return [];
  const sum = weights.reduce((a, b) => a + b, 0n);
  const shares =
    sum > 0n
      ? weights.map((w) => (total * w) / sum)
      : weights.map(() => total / BigInt(weights.length));
  const given = shares.reduce((a, b) => a + b, 0n);
  shares[shares.length - 1] += total - given;
  return shares;
}
