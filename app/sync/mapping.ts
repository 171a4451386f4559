import type { CustomerNode, OrderNode } from "./documents";
import { legacyId } from "./gid";
import { toMinorUnits } from "./money";
import { orderMoney, type DatedRefund } from "./order-money";

/** A customer as Propel stores it. */
export interface CustomerRow {
  id: bigint;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  tags: string[];
  emailMarketingState: string | null;
  shopifyCreatedAt: Date;
  shopifyUpdatedAt: Date;
  /**
   * Shopify's statistics (documents.ts). Every row read from Shopify carries them; a row built
   * without them (a test, a placeholder) stores null.
   */
  shopifyRfmGroup?: string | null;
  shopifyPredictedSpendTier?: string | null;
}

export interface LineItemRow {
  id: bigint;
  productId: bigint | null;
  variantId: bigint | null;
  title: string | null;
  productType: string | null;
  vendor: string | null;
  quantity: number;
  unitPriceMinor: bigint;
  discountMinor: bigint;
}

/** An order as Propel stores it: money in minor units of the shop currency. */
export interface OrderRow {
  id: bigint;
  customerId: bigint | null;
  name: string;
  processedAt: Date;
  shopifyCreatedAt: Date;
  shopifyUpdatedAt: Date;
  cancelledAt: Date | null;
  test: boolean;
  financialStatus: string | null;
  currency: string;
  totalMinor: bigint;
  subtotalMinor: bigint;
  discountMinor: bigint;
  refundedMinor: bigint;
  /** Net sales parts (app/sync/order-money.ts): merchandise after discounts, before refunds. */
  merchandiseMinor: bigint;
  shippingMinor: bigint;
  taxMinor: bigint;
  refundedMerchandiseMinor: bigint;
  refunds: DatedRefund[];
  discountCodes: string[];
  sourceName: string | null;
  lineItems: LineItemRow[];
}

function date(value: string, field: string): Date {
  const parsed = new Date(value);
  if (Number.isNaN(parsed.valueOf())) throw new Error(`${field} is not a date: ${value}`);
  return parsed;
}

export function customerRow(node: CustomerNode): CustomerRow {
  return {
    id: legacyId(node.id),
    email: node.email,
    firstName: node.firstName,
    lastName: node.lastName,
    tags: node.tags,
    emailMarketingState: node.emailMarketingConsent?.marketingState ?? null,
    shopifyCreatedAt: date(node.createdAt, "customer.createdAt"),
    shopifyUpdatedAt: date(node.updatedAt, "customer.updatedAt"),
    shopifyRfmGroup: node.statistics?.rfmGroup ?? null,
    shopifyPredictedSpendTier: node.statistics?.predictedSpendTier ?? null,
  };
}

type MoneySet = { shopMoney: { amount: string } } | null;

const money = (set: MoneySet, currency: string) =>
  set ? toMinorUnits(set.shopMoney.amount, currency) : 0n;

export function lineItemRow(
  item: OrderNode["lineItems"]["nodes"][number],
  currency: string,
): LineItemRow {
  return {
    id: legacyId(item.id),
    productId: item.product ? legacyId(item.product.id) : null,
    variantId: item.variant ? legacyId(item.variant.id) : null,
    title: item.name,
    productType: item.product?.productType || null,
    vendor: item.vendor,
    quantity: item.quantity,
    unitPriceMinor: money(item.originalUnitPriceSet, currency),
    discountMinor: money(item.totalDiscountSet, currency),
  };
}

export function orderRow(node: OrderNode): OrderRow {
  const currency = node.currencyCode;
  const parts = orderMoney(node);
  return {
    id: legacyId(node.id),
    customerId: node.customer ? legacyId(node.customer.id) : null,
    name: node.name,
    processedAt: date(node.processedAt, "order.processedAt"),
    shopifyCreatedAt: date(node.createdAt, "order.createdAt"),
    shopifyUpdatedAt: date(node.updatedAt, "order.updatedAt"),
    cancelledAt: node.cancelledAt ? date(node.cancelledAt, "order.cancelledAt") : null,
    test: node.test,
    financialStatus: node.displayFinancialStatus,
    currency,
    totalMinor: money(node.totalPriceSet, currency),
    subtotalMinor: money(node.subtotalPriceSet, currency),
    discountMinor: money(node.totalDiscountsSet, currency),
    refundedMinor: money(node.totalRefundedSet, currency),
    merchandiseMinor: parts.merchandiseMinor,
    shippingMinor: parts.shippingMinor,
    taxMinor: parts.taxMinor,
    refundedMerchandiseMinor: parts.refundedMerchandiseMinor,
    refunds: parts.refunds,
    discountCodes: node.discountCodes,
    sourceName: node.sourceName,
    lineItems: node.lineItems.nodes.map((item) => lineItemRow(item, currency)),
  };
}
