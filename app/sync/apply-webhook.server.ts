import { Prisma, type PrismaClient, type WebhookDelivery } from "@prisma/client";
import { parseLosslessJson } from "~/shopify/lossless-json";
import { pool } from "~/db.server";
import { stopShopJobs } from "~/jobs/schedules.server";
import { shopGraphql } from "~/shopify/admin-graphql.server";
import { parseDataRequest } from "./data-request.server";
import { parseCustomerRedaction, redactCustomer, redactShop } from "./redaction.server";
import { NODES_BY_ID, type CustomerNode, type OrderNode } from "./documents";
import { idOf, isObject, toGid } from "./gid";
import { customerRow, orderRow } from "./mapping";
import { applyOwnTagEcho } from "./own-tag-echo.server";
import { upsertCustomers, upsertOrders } from "./store.server";

type Payload = Record<string, unknown>;

/**
 * A delivery whose body cannot name what it is about: no retry can apply it, so its job fails
 * at once with this reason instead of retrying for hours (an ops "Retry" can still replay it).
 */
export class UnusablePayload extends Error {}

const ORDER_TOPICS = new Set([
  "orders/create",
  "orders/updated",
  "orders/edited",
  "orders/cancelled",
  "orders/paid",
]);

/** The object a payload is about; the GraphQL id string is exact where the JSON number is not. */
function subjectId(payload: Payload): bigint | null {
  return idOf(payload.admin_graphql_api_id) ?? idOf(payload.id);
}

/**
 * The delivery's body, read as text and parsed without rounding: Prisma's Json value is a plain
 * JSON.parse, which turns an 18-digit id into a neighbouring float.
 */
export async function storedPayload(prisma: PrismaClient, id: bigint): Promise<Payload> {
  const [row] = await prisma.$queryRaw<{ payload: string | null }[]>`
    SELECT "payload"::text AS "payload" FROM "WebhookDelivery" WHERE "id" = ${id}`;
  const value = row?.payload ? parseLosslessJson(row.payload) : null;
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Payload)
    : {};
}

/** The order an order or refund delivery is about. */
export function orderIdOf(topic: string, payload: Payload): bigint | null {
  if (topic === "refunds/create") return idOf(payload.order_id);
  // An order edit's body is the edit: { "order_edit": { "id", "order_id", … } }.
  if (topic === "orders/edited")
    return isObject(payload.order_edit) ? idOf(payload.order_edit.order_id) : null;
  return subjectId(payload);
}

async function shopIdOf(prisma: PrismaClient, domain: string) {
  const shop = await prisma.shop.findUnique({
    where: { domain },
    select: { id: true, installState: true, tagPrefix: true },
  });
  return shop;
}

/**
 * Applies one webhook delivery to the database. Webhook bodies are notifications, not the
 * truth: orders and customers are re-read from the Admin API, which completes fields webhooks
 * lack (product types) and always returns the current version, so duplicates and reordering
 * converge on the same state.
 */
export async function applyWebhook(
  prisma: PrismaClient,
  delivery: WebhookDelivery,
  options: { jobId?: string } = {},
): Promise<string> {
  const payload = await storedPayload(prisma, delivery.id);
  const topic = delivery.topic;
  const shop = await shopIdOf(prisma, delivery.shopDomain);

  if (topic === "shop/redact") {
    // 48 hours after uninstall: erase everything Propel holds for the shop.
    const { jobsRemoved } = await redactShop(prisma, delivery.shopDomain, {
      exceptJobId: options.jobId,
    });
    return `shop data erased (${jobsRemoved} jobs removed)`;
  }
  if (!shop) return "unknown shop: skipped";

  if (topic === "app/uninstalled") {
    await prisma.$transaction([
      prisma.session.deleteMany({ where: { shop: delivery.shopDomain } }),
      prisma.shop.update({
        where: { id: shop.id },
        data: { installState: "UNINSTALLED", uninstalledAt: new Date() },
      }),
    ]);
    await stopShopJobs(delivery.shopDomain);
    return "uninstalled";
  }

  if (topic === "customers/redact") {
    const request = parseCustomerRedaction(payload);
    if (request.customerId === null && request.ordersToRedact.length === 0)
      throw new UnusablePayload("customers/redact payload names no customer or order id");
    const outcome = await redactCustomer(
      prisma,
      { id: shop.id, domain: delivery.shopDomain },
      request,
      { keepDeliveryId: delivery.id },
    );
    await markDirty(prisma, shop.id);
    // The job's result is kept in Redis: it names no id.
    return `customer redacted: ${outcome.ordersDeleted} orders, ${outcome.deliveriesCleared} delivery bodies, ${outcome.jobsRemoved} jobs erased`;
  }

  if (topic === "customers/data_request") {
    // Nothing is copied here: support downloads the export from the ops shop page, built from
    // the data held at that moment (app/sync/data-request.server.ts). The delivery row is the
    // record that the request arrived and what the download reads.
    const request = parseDataRequest(payload);
    if (request.customerId === null) return "data request recorded: it names no customer id";
    const count = request.ordersRequested.length;
    const orders = count === 1 ? "1 order" : `${count} orders`;
    return `data request for customer ${request.customerId} (${orders} requested): export ready`;
  }

  if (shop.installState !== "INSTALLED") return "shop not installed: skipped";

  if (topic === "customers/delete") {
    const id = subjectId(payload);
    if (id === null) throw new UnusablePayload("customers/delete payload has no id");
    await forgetDeletedCustomer(prisma, shop.id, id);
    return `customer ${id} deleted`;
  }

  if (topic === "orders/delete") {
    const id = subjectId(payload);
    if (id === null) throw new UnusablePayload("orders/delete payload has no id");
    await prisma.order.updateMany({
      where: { shopId: shop.id, id },
      data: { deletedAt: new Date() },
    });
    await markDirty(prisma, shop.id);
    return `order ${id} deleted`;
  }

  if (topic === "customers/create" || topic === "customers/update") {
    const id = subjectId(payload);
    if (id === null) throw new UnusablePayload(`${topic} payload has no id`);
    if (topic === "customers/update" && (await applyOwnTagEcho(prisma, shop, id, payload)))
      return `customer ${id}: only Propel's tags changed`;
    const node = await readNode<CustomerNode>(delivery.shopDomain, toGid("Customer", id));
    if (node) await upsertCustomers(pool, shop.id, [customerRow(node)]);
    await markDirty(prisma, shop.id);
    return node ? `customer ${id} synced` : `customer ${id} no longer exists`;
  }

  if (ORDER_TOPICS.has(topic) || topic === "refunds/create") {
    const id = orderIdOf(topic, payload);
    if (id === null) throw new UnusablePayload(`${topic} payload has no order id`);
    const node = await readNode<OrderNode>(delivery.shopDomain, toGid("Order", id));
    if (node) await upsertOrders(pool, shop.id, [orderRow(node)]);
    await markDirty(prisma, shop.id);
    return node ? `order ${id} synced` : `order ${id} no longer exists`;
  }

  if (topic === "bulk_operations/finish") {
    // Its record is the signal: the backfill waiting on the operation reads it (bulk-finish).
    return `bulk operation ${String(payload.admin_graphql_api_id)} ${String(payload.status)}`;
  }

  return `topic ${topic} not handled: skipped`;
}

async function readNode<Node>(shopDomain: string, gid: string): Promise<Node | null> {
  const data = await shopGraphql<{ nodes: (Node | null)[] }>(shopDomain, NODES_BY_ID, {
    ids: [gid],
  });
  return data.nodes[0] ?? null;
}

async function markDirty(prisma: PrismaClient, shopId: number) {
  await prisma.shop.updateMany({
    where: { id: shopId, dirtySince: null },
    data: { dirtySince: new Date() },
  });
}

/**
 * A customer deleted in the store: their personal data goes, their orders stay, anonymous, for
 * the shop's totals. (customers/redact, which follows when Shopify erases them, removes the
 * rest: app/sync/redaction.server.ts.)
 */
async function forgetDeletedCustomer(prisma: PrismaClient, shopId: number, id: bigint) {
  const now = new Date();
  await prisma.$transaction([
    prisma.customer.updateMany({
      where: { shopId, id },
      data: {
        email: null,
        firstName: null,
        lastName: null,
        tags: [],
        metafields: Prisma.DbNull,
        emailMarketingState: null,
        shopifyRfmGroup: null,
        shopifyPredictedSpendTier: null,
        deletedAt: now,
      },
    }),
    prisma.segmentMembership.deleteMany({ where: { shopId, customerId: id } }),
    prisma.customerMetrics.deleteMany({ where: { shopId, customerId: id } }),
  ]);
}
