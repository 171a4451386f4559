/**
 * What the engine is given. These shapes are deliberately close to Shopify's Admin API order
 * (amounts in the shop currency, as integer minor units) but carry only what the models read.
 */
import type { MinorAmount } from "./money";

export type { MinorAmount } from "./money";

export interface LineItemInput {
  productId?: string;
  productType?: string;
  vendor?: string;
  /** Price of one unit before order-level discounts, in minor units. */
  unitPriceMinor: MinorAmount;
  quantity: number;
  /** Cost of one unit where the shop records it (InventoryItem.unitCost), minor units. */
  unitCostMinor?: MinorAmount;
}

export interface OrderInput {
  customerId: string;
  orderId: string;
  /** When the order was processed: a Date or an ISO 8601 string. */
  processedAt: Date | string;
  /** ISO 4217 code of the shop currency the amounts are in. */
  currency: string;
  /**
   * The order's value before refunds: its net merchandise sales, i.e. line items after
   * discounts, without shipping, taxes, duties or tips (docs/money.md). An order of 0 is not a
   * purchase (exchanges, replacements, 100 % discounts).
   */
  totalMinor: MinorAmount;
  /** Total discounts applied to the order, in minor units (default 0). */
  discountMinor?: MinorAmount;
  /**
   * Merchandise refunded so far, in minor units (default 0). Without `refunds` it is taken as
   * refunded on the order's own day.
   */
  refundedMinor?: MinorAmount;
  /** Dated refunds of merchandise: each lowers the order's value from its own day on. */
  refunds?: readonly RefundInput[];
  /**
   * Counts an order of 0 as a purchase anyway: for data sets of transactions (CDNOW) rather than
   * shop orders, where $0 means exchanges and replacements.
   */
  zeroValuePurchase?: boolean;
  cancelled?: boolean;
  test?: boolean;
  lineItems?: readonly LineItemInput[];
}

export interface RefundInput {
  /** When the refund was made: a Date or an ISO 8601 string. */
  processedAt: Date | string;
  /** Merchandise refunded, minor units. */
  amountMinor: MinorAmount;
}

export type MetafieldValue = string | number | boolean;

/** Optional per-customer facts that do not come from orders (customers with no orders included). */
export interface CustomerInput {
  id: string;
  tags?: readonly string[];
  /** Keyed "namespace.key"; usable in custom rules as `metafield.namespace.key`. */
  metafields?: Readonly<Record<string, MetafieldValue>>;
  emailMarketingConsent?: boolean;
}
