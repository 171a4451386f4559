import type { Prisma, PrismaClient } from "@prisma/client";
import { segmentDefinition } from "~/segmentation/catalog";
import { monthLabel } from "~/segmentation/retention";
import { parseLosslessJson } from "~/shopify/lossless-json";
import { idOf, isObject } from "./gid";
import { currencyDigits } from "./money";

/**
 * Shopify's customers/data_request (GDPR access request): the merchant must hand the customer
 * everything the app holds about them. Propel answers from its own tables at the moment support
 * downloads the export, so the file reflects what is held then, not a copy frozen at the
 * request (a copy would itself be more personal data to keep and erase).
 */

export interface DataRequest {
  customerId: bigint | null;
  /** Orders Shopify names in the request; a guest order may not be linked to the customer. */
  ordersRequested: bigint[];
  /** Shopify's id of the request, quoted back so the merchant can match the file to it. */
  dataRequestId: string | null;
}

/** Reads a payload shaped { customer: { id }, orders_requested: [ids], data_request: { id } }. */
export function parseDataRequest(payload: unknown): DataRequest {
  const body = isObject(payload) ? payload : {};
  const customer = isObject(body.customer) ? body.customer : {};
  const orders = Array.isArray(body.orders_requested) ? body.orders_requested : [];
  const request = isObject(body.data_request) ? body.data_request : {};
  const requestId = idOf(request.id);
  return {
    customerId: idOf(customer.admin_graphql_api_id) ?? idOf(customer.id),
    ordersRequested: orders.map(idOf).filter((id): id is bigint => id !== null),
    dataRequestId: requestId === null ? null : requestId.toString(),
  };
}

export interface Money {
  /** Decimal string in the currency's own minor digits: "19.99" EUR, "1999" JPY. */
  amount: string;
  currency: string;
}

/** Integer minor units to a decimal string, on the digits (never through a float). */
export function decimalAmount(minor: bigint, currency: string): string {
  const digits = currencyDigits(currency);
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, "0");
  const whole = text.slice(0, text.length - digits);
  const fraction = text.slice(text.length - digits);
  return `${negative ? "-" : ""}${whole}${digits > 0 ? `.${fraction}` : ""}`;
}

function money(minor: bigint, currency: string): Money;
function money(minor: bigint | null, currency: string): Money | null;
function money(minor: bigint | null, currency: string): Money | null {
  return minor === null ? null : { amount: decimalAmount(minor, currency), currency };
}

const iso = (date: Date | null) => date?.toISOString() ?? null;
const ids = (values: bigint[]) => values.map(String);

/**
 * The computed details keep amounts as `<name>Minor` numbers; in the export they become money
 * like every other amount, so the customer never has to know about minor units.
 */
function readableDetails(details: Prisma.JsonValue, currency: string): Prisma.JsonValue {
  if (!isObject(details)) return details;
  return Object.fromEntries(
    Object.entries(details).map(([key, value]) => {
      if (key.endsWith("Minor") && typeof value === "number" && Number.isSafeInteger(value)) {
        return [key.slice(0, -"Minor".length), money(BigInt(value), currency)];
      }
      return [key, value as Prisma.JsonValue];
    }),
  );
}

/**
 * Everything Propel holds about one customer of one shop: the synced customer and orders, the
 * computed metrics, segments and segment history, the tags it pushes, the promotions that
 * targeted (or held out) the customer. Every query is scoped by the shop id, so a customer of
 * another shop with the same id can never appear.
 */
export async function customerDataExport(
  prisma: PrismaClient,
  shopId: number,
  customerId: bigint,
  options: { ordersRequested?: bigint[] } = {},
) {
  const requested = options.ordersRequested ?? [];
  const [customer, orders, metrics, months, memberships, tagSync, events, assignments] =
    await Promise.all([
      prisma.customer.findUnique({ where: { shopId_id: { shopId, id: customerId } } }),
      prisma.order.findMany({
        where: {
          shopId,
          OR: [{ customerId }, ...(requested.length > 0 ? [{ id: { in: requested } }] : [])],
        },
        orderBy: [{ processedAt: "asc" }, { id: "asc" }],
        include: { lineItems: { orderBy: { id: "asc" } } },
      }),
      prisma.customerMetrics.findUnique({ where: { shopId_customerId: { shopId, customerId } } }),
      prisma.customerMonth.findMany({ where: { shopId, customerId }, orderBy: { month: "asc" } }),
      prisma.segmentMembership.findMany({
        where: { shopId, customerId },
        orderBy: { segmentKey: "asc" },
      }),
      prisma.tagSyncState.findUnique({ where: { shopId_customerId: { shopId, customerId } } }),
      prisma.segmentEvent.findMany({
        where: { shopId, customerId },
        orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
      }),
      prisma.promotionAssignment.findMany({
        where: { shopId, customerId },
        include: { promotion: true },
        orderBy: { promotionId: "asc" },
      }),
    ]);
  const held = new Set(orders.map((order) => order.id));
  const label = (key: string) => segmentDefinition(key)?.label ?? key;

  return {
    customerId: customerId.toString(),
    customer: customer && {
      id: customer.id.toString(),
      email: customer.email,
      firstName: customer.firstName,
      lastName: customer.lastName,
      tags: customer.tags,
      emailMarketingState: customer.emailMarketingState,
      metafields: customer.metafields,
      shopifyRfmGroup: customer.shopifyRfmGroup,
      shopifyPredictedSpendTier: customer.shopifyPredictedSpendTier,
      createdAt: iso(customer.shopifyCreatedAt),
      updatedAt: iso(customer.shopifyUpdatedAt),
      deletedAt: iso(customer.deletedAt),
      redactedAt: iso(customer.redactedAt),
      syncedAt: iso(customer.syncedAt),
    },
    orders: orders.map((order) => ({
      id: order.id.toString(),
      name: order.name,
      customerId: order.customerId?.toString() ?? null,
      processedAt: iso(order.processedAt),
      createdAt: iso(order.shopifyCreatedAt),
      updatedAt: iso(order.shopifyUpdatedAt),
      cancelledAt: iso(order.cancelledAt),
      deletedAt: iso(order.deletedAt),
      test: order.test,
      financialStatus: order.financialStatus,
      sourceName: order.sourceName,
      discountCodes: order.discountCodes,
      total: money(order.totalMinor, order.currency),
      subtotal: money(order.subtotalMinor, order.currency),
      discount: money(order.discountMinor, order.currency),
      refunded: money(order.refundedMinor, order.currency),
      lineItems: order.lineItems.map((item) => ({
        id: item.id.toString(),
        productId: item.productId?.toString() ?? null,
        variantId: item.variantId?.toString() ?? null,
        title: item.title,
        productType: item.productType,
        vendor: item.vendor,
        quantity: item.quantity,
        unitPrice: money(item.unitPriceMinor, order.currency),
        discount: money(item.discountMinor, order.currency),
      })),
    })),
    ordersRequestedNotHeld: ids(requested.filter((id) => !held.has(id))),
    metrics: metrics && {
      computedAt: iso(metrics.computedAt),
      orders: metrics.orders,
      repeatPurchaseDays: metrics.frequency,
      recencyDays: metrics.recencyDays,
      ageDays: metrics.ageDays,
      totalSpent: money(metrics.totalSpentMinor, metrics.currency),
      averageOrderValue: money(metrics.aovMinor, metrics.currency),
      rfmScores: { r: metrics.rScore, f: metrics.fScore, m: metrics.mScore },
      rfmGroup: metrics.rfmGroup,
      frequencyValueCell: metrics.fxvCell,
      valueType: metrics.valueType,
      probabilityAlive: metrics.pAlive,
      expectedPurchases: metrics.expectedPurchases,
      churnRisk: metrics.churnRisk,
      predictedValue12Months: money(metrics.clv12mMinor, metrics.currency),
      predictedSpendTier: metrics.spendTier,
      propensityToGrow: metrics.propensity,
      expectedNextOrderAt: iso(metrics.nextOrderAt),
      details: readableDetails(metrics.details, metrics.currency),
    },
    // The cohort retention report's tallies: counted orders' net value per calendar month.
    monthlyPurchases: months.map((month) => ({
      month: monthLabel(month.month),
      firstOrderMonth: monthLabel(month.cohort),
      firstOrderDiscounted: month.firstDiscounted,
      netValue: money(month.revenueMinor, orders[0]?.currency ?? metrics?.currency ?? ""),
    })),
    segments: memberships.map((membership) => ({
      key: membership.segmentKey,
      label: label(membership.segmentKey),
      description: segmentDefinition(membership.segmentKey)?.description ?? null,
      since: iso(membership.since),
    })),
    tagSync: tagSync && {
      status: tagSync.status,
      desiredTags: tagSync.desiredTags,
      appliedTags: tagSync.appliedTags,
      desiredScores: tagSync.desiredScores,
      appliedScores: tagSync.appliedScores,
      attempts: tagSync.attempts,
      lastError: tagSync.lastError,
      updatedAt: iso(tagSync.updatedAt),
      syncedAt: iso(tagSync.syncedAt),
    },
    segmentEvents: events.map((event) => ({
      segmentKey: event.segmentKey,
      label: label(event.segmentKey),
      change: event.change,
      occurredAt: iso(event.occurredAt),
      flowSentAt: iso(event.flowSentAt),
      flowSkipped: event.flowSkipped,
    })),
    promotions: assignments.map(({ promotion, holdout }) => ({
      promotionId: promotion.id,
      title: promotion.title,
      code: promotion.code,
      segmentKey: promotion.segmentKey,
      discountPercent: promotion.discountPercent,
      status: promotion.status,
      startsAt: iso(promotion.startsAt),
      endsAt: iso(promotion.endsAt),
      // Held out: deliberately not offered the discount, to measure the promotion's lift.
      heldOut: holdout,
    })),
  };
}

/**
 * The export for one recorded customers/data_request delivery of a shop, with the request it
 * answers. Null when the shop has no such delivery (or it is another topic or another shop's).
 */
export async function dataRequestExport(prisma: PrismaClient, domain: string, deliveryId: bigint) {
  const delivery = await prisma.webhookDelivery.findFirst({
    where: { id: deliveryId, shopDomain: domain, topic: "customers/data_request" },
  });
  if (!delivery) return null;
  const [stored] = await prisma.$queryRaw<{ payload: string | null }[]>`
    SELECT "payload"::text AS "payload" FROM "WebhookDelivery" WHERE "id" = ${delivery.id}`;
  const request = parseDataRequest(stored?.payload ? parseLosslessJson(stored.payload) : null);
  const shop = await prisma.shop.findUnique({ where: { domain }, select: { id: true } });
  const answer = {
    generatedAt: new Date().toISOString(),
    shop: domain,
    request: {
      deliveryId: delivery.id.toString(),
      webhookId: delivery.webhookId,
      dataRequestId: request.dataRequestId,
      receivedAt: iso(delivery.receivedAt),
      customerId: request.customerId?.toString() ?? null,
      ordersRequested: ids(request.ordersRequested),
    },
  };
  if (request.customerId === null) {
    return { ...answer, error: "The request names no customer id: there is nothing to export." };
  }
  if (!shop) {
    // shop/redact already erased the shop: Propel holds nothing about anyone in it.
    return { ...answer, data: null, note: "Propel holds no data for this shop any more." };
  }
  return {
    ...answer,
    data: {
      ...(await customerDataExport(prisma, shop.id, request.customerId, {
        ordersRequested: request.ordersRequested,
      })),
      webhookBodies: await bodiesMentioning(prisma, domain, [
        request.customerId,
        ...request.ordersRequested,
      ]),
    },
  };
}

/**
 * Webhook bodies still held that mention the customer or the requested orders: deliveries not
 * applied yet keep their body until they are (docs/privacy.md), and a processed data request
 * keeps the ids it names. Listed with their content, since they are data Propel holds.
 */
async function bodiesMentioning(prisma: PrismaClient, domain: string, subjects: bigint[]) {
  const pattern = `(^|[^0-9])(${subjects.join("|")})([^0-9]|$)`;
  const rows = await prisma.$queryRaw<
    { id: bigint; topic: string; status: string; receivedAt: Date; payload: string }[]
  >`
    SELECT "id", "topic", "status"::text AS "status", "receivedAt", "payload"::text AS "payload"
      FROM "WebhookDelivery"
     WHERE "shopDomain" = ${domain} AND "payload" IS NOT NULL AND "payload"::text ~ ${pattern}
     ORDER BY "id"`;
  return rows.map((row) => ({
    deliveryId: row.id.toString(),
    topic: row.topic,
    status: row.status,
    receivedAt: iso(row.receivedAt),
    body: parseLosslessJson(row.payload),
  }));
}
