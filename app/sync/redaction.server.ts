/**
 * Erasure: Shopify's customers/redact and shop/redact (docs/privacy.md).
 *
 * customers/redact erases every trace of one customer of one shop: the customer row (with its
 * metrics, segment memberships and tag sync state, by cascade), the orders it names and the
 * customer's own orders (with their line items), segment events (so no Flow trigger is sent
 * for them), promotion assignments, webhook payloads that mention them, the ops audit's
 * reference to them, and kept BullMQ jobs whose data or result mention them. A tombstone (a
 * keyed hash, app/sync/tombstones.server.ts) keeps a backfill or reconcile already under way
 * from importing them again, also when the customer was not imported yet.
 *
 * shop/redact erases the shop: every row (by the shop's cascade, and by domain for what has no
 * shop id: sessions, deliveries recorded before the install, the ops audit) and every job and
 * job scheduler of the shop in Redis.
 */
import type { PrismaClient } from "@prisma/client";
import type { Job, Queue } from "bullmq";
import { queues, redis } from "~/jobs/producer.server";
import { QUEUE_NAMES } from "~/jobs/queues";
import { idOf, isObject } from "./gid";
import { tombstoneHash } from "./tombstones.server";

export interface CustomerRedaction {
  customerId: bigint | null;
  ordersToRedact: bigint[];
  /** Strings that identify the customer in kept payloads and jobs besides the ids. */
  identifiers: string[];
}

/**
 * Reads { customer: { id, email, phone }, orders_to_redact: [ids] }. Parse the body with
 * parseLosslessJson: the ids are JSON numbers beyond 2^53 in Shopify's own examples.
 */
export function parseCustomerRedaction(payload: unknown): CustomerRedaction {
  const body = isObject(payload) ? payload : {};
  const customer = isObject(body.customer) ? body.customer : {};
  const orders = Array.isArray(body.orders_to_redact) ? body.orders_to_redact : [];
  const identifiers = [customer.email, customer.phone].filter(
    (value): value is string => typeof value === "string" && value.trim().length >= 3,
  );
  return {
    customerId: idOf(customer.admin_graphql_api_id) ?? idOf(customer.id),
    ordersToRedact: orders.map(idOf).filter((id): id is bigint => id !== null),
    identifiers,
  };
}

// The id matched by idPattern, replaced with the word, its neighbours kept.
const REDACTED_ID = "\\1redacted\\3";

// Ids are digits only, so they need no escaping in the pattern.
const idPattern = (ids: bigint[]) => `(^|[^0-9])(${ids.join("|")})([^0-9]|$)`;

export interface RedactionOutcome {
  ordersDeleted: number;
  customerDeleted: boolean;
  deliveriesCleared: number;
  jobsRemoved: number;
}

/**
 * Erases a customer of a shop. `keepDeliveryId` is the customers/redact delivery being
 * processed: its own payload is dropped by the worker once it succeeds.
 */
export async function redactCustomer(
  prisma: PrismaClient,
  shop: { id: number; domain: string },
  request: CustomerRedaction,
  options: { keepDeliveryId?: bigint; jobQueues?: Record<string, Queue> } = {},
): Promise<RedactionOutcome> {
  const shopId = shop.id;
  const customerId = request.customerId;
  const ownOrders = customerId
    ? await prisma.order.findMany({ where: { shopId, customerId }, select: { id: true } })
    : [];
  const orderIds = [...new Set([...request.ordersToRedact, ...ownOrders.map((o) => o.id)])];
  const ids = customerId ? [customerId, ...orderIds] : orderIds;
  const tombstones = [
    ...(customerId
      ? [{ shopId, kind: "customer", subjectHash: tombstoneHash(shopId, "customer", customerId) }]
      : []),
    ...orderIds.map((id) => ({
      shopId,
      kind: "order",
      subjectHash: tombstoneHash(shopId, "order", id),
    })),
  ];
  const matchesCustomer = ids.length > 0 ? idPattern(ids) : "^$";
  const lowered = request.identifiers.map((value) => value.toLowerCase());

  const [, orders, , , customers, , deliveries] = await prisma.$transaction([
    // Another customer's redacted order changes their history: the next recompute rescores
    // them and rewrites their retention tallies.
    prisma.customer.updateMany({
      where: { shopId, orders: { some: { id: { in: orderIds } } } },
      data: { syncedAt: new Date() },
    }),
    prisma.order.deleteMany({ where: { shopId, id: { in: orderIds } } }),
    prisma.segmentEvent.deleteMany({ where: { shopId, customerId: customerId ?? -1n } }),
    prisma.promotionAssignment.deleteMany({ where: { shopId, customerId: customerId ?? -1n } }),
    // Metrics, memberships and the tag sync state go with the row (cascade): no tag push or
    // Flow trigger is left to send for the customer.
    prisma.customer.deleteMany({ where: { shopId, id: customerId ?? -1n } }),
    prisma.redactionTombstone.createMany({ data: tombstones, skipDuplicates: true }),
    // Payloads that mention the customer: a delivery not yet applied is skipped (applying it
    // would read the customer back from the store), every other one loses its body.
    prisma.$executeRaw`
      UPDATE "WebhookDelivery"
         SET "payload" = NULL,
             "status" = CASE WHEN "status" IN ('RECEIVED', 'FAILED') THEN 'SKIPPED'::"DeliveryStatus"
                             ELSE "status" END,
             "error" = CASE WHEN "status" IN ('RECEIVED', 'FAILED') THEN 'customer redacted'
                            ELSE "error" END
       WHERE "shopDomain" = ${shop.domain} AND "payload" IS NOT NULL
         AND "id" <> ${options.keepDeliveryId ?? -1n}
         AND ("payload"::text ~ ${matchesCustomer}
              OR EXISTS (SELECT 1 FROM unnest(${lowered}::text[]) AS needle
                          WHERE strpos(lower("payload"::text), needle) > 0))`,
    // Who looked at them stays on record; which customer it was does not.
    prisma.$executeRaw`
      UPDATE "OpsAccess"
         SET "subject" = CASE WHEN "subject" ~ ${matchesCustomer} THEN 'redacted' ELSE "subject" END,
             "path" = regexp_replace("path", ${matchesCustomer}, ${REDACTED_ID}, 'g')
       WHERE "shopDomain" = ${shop.domain}
         AND ("subject" ~ ${matchesCustomer} OR "path" ~ ${matchesCustomer})`,
  ]);
  const jobsRemoved = await removeJobsMentioning(options.jobQueues ?? queues(), shop.domain, [
    ...ids.map(String),
    ...lowered,
  ]);
  return {
    ordersDeleted: orders.count,
    customerDeleted: customers.count > 0,
    deliveriesCleared: Number(deliveries),
    jobsRemoved,
  };
}

// Every state a kept job can be in but active: an active job is locked by its worker (the
// redaction's own job among them) and leaves that state by itself.
const KEPT_STATES = ["completed", "failed", "waiting", "delayed", "prioritized"] as const;

const jobText = (job: Job) =>
  JSON.stringify([
    job.data,
    job.returnvalue ?? null,
    job.failedReason ?? null,
    job.stacktrace ?? [],
  ]);

/**
 * Deletes the entries of a queue's event stream that mention any of `needles`: BullMQ records
 * each job's result there ("completed" events) and the ids of removed jobs, which for a
 * scheduler's jobs hold the shop's domain.
 */
async function scrubEvents(queue: Queue, needles: string[]): Promise<void> {
  const client = redis();
  const key = queue.toKey("events");
  const entries = await client.xrange(key, "-", "+");
  const lowered = needles.map((needle) => needle.toLowerCase());
  const matching = entries
    .filter(([, fields]) => {
      const text = fields.join(" ").toLowerCase();
      return lowered.some((needle) => text.includes(needle));
    })
    .map(([id]) => id);
  if (matching.length > 0) await client.xdel(key, ...matching);
}

/** Removes the shop's kept jobs whose data, result or error mention any of `needles`. */
async function removeJobsMentioning(
  jobQueues: Record<string, Queue>,
  shopDomain: string,
  needles: string[],
): Promise<number> {
  if (needles.length === 0) return 0;
  let removed = 0;
  for (const name of QUEUE_NAMES) {
    const queue = jobQueues[name];
    if (!queue) continue;
    const jobs = await queue.getJobs([...KEPT_STATES]);
    for (const job of jobs) {
      if (!job || (job.data as { shopDomain?: string } | undefined)?.shopDomain !== shopDomain)
        continue;
      const text = jobText(job).toLowerCase();
      if (!needles.some((needle) => text.includes(needle.toLowerCase()))) continue;
      await job.remove().then(
        () => (removed += 1),
        () => undefined, // taken by a worker meanwhile: it no longer holds a body to erase
      );
    }
    await scrubEvents(queue, needles);
  }
  return removed;
}

/**
 * Erases everything of a shop: rows (the shop's cascade reaches every table with a shop id),
 * what is kept by domain, and every job and job scheduler of the shop in Redis but `exceptJobId`
 * (the shop/redact job itself, which is running).
 */
export async function redactShop(
  prisma: PrismaClient,
  domain: string,
  options: { jobQueues?: Record<string, Queue>; exceptJobId?: string } = {},
): Promise<{ jobsRemoved: number }> {
  await prisma.$transaction([
    prisma.session.deleteMany({ where: { shop: domain } }),
    prisma.webhookDelivery.deleteMany({ where: { shopDomain: domain } }),
    prisma.opsAccess.deleteMany({ where: { shopDomain: domain } }),
    prisma.shop.deleteMany({ where: { domain } }),
  ]);
  const jobQueues = options.jobQueues ?? queues();
  let jobsRemoved = 0;
  for (const name of QUEUE_NAMES) {
    const queue = jobQueues[name];
    if (!queue) continue;
    const schedulers = await queue.getJobSchedulers();
    for (const scheduler of schedulers) {
      const data = (scheduler.template?.data ?? {}) as { shopDomain?: string };
      if (data.shopDomain === domain || scheduler.key.endsWith(`:${domain}`))
        await queue.removeJobScheduler(scheduler.key);
    }
    const jobs = await queue.getJobs([...KEPT_STATES]);
    for (const job of jobs) {
      if (!job || job.id === options.exceptJobId) continue;
      if ((job.data as { shopDomain?: string } | undefined)?.shopDomain !== domain) continue;
      await job.remove().then(
        () => (jobsRemoved += 1),
        () => undefined,
      );
    }
    await scrubEvents(queue, [domain]);
  }
  return { jobsRemoved };
}
