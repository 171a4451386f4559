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
}

export interface OrderInput {
  customerId: string;
  orderId: string;
  /** When the order was processed: a Date or an ISO 8601 string. */
  processedAt: Date | string;
  /** ISO 4217 code of the shop currency the amounts are in. */
  currency: string;
  /** What the customer paid (after discounts), in minor units. */
  totalMinor: MinorAmount;
  /** Total discounts applied to the order, in minor units (default 0). */
  discountMinor?: MinorAmount;
  /** Total refunded so far, in minor units (default 0); refunds reduce the order's value. */
  refundedMinor?: MinorAmount;
  cancelled?: boolean;
  test?: boolean;
  lineItems?: readonly LineItemInput[];
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
