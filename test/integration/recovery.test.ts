import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import type { Queue } from "bullmq";
import { Redis } from "ioredis";
import { pino, type Logger } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import prisma from "~/db.server";
import { createRedisConnection } from "~/jobs/connection.server";
import { deliveryJobId } from "~/jobs/delivery-job";
import { reconcilePattern } from "~/jobs/nightly-slot";
import { queues } from "~/jobs/producer.server";
import { recoverOwedWork } from "~/jobs/recovery.server";
import { reconcileSchedulerId, recomputeSchedulerId } from "~/jobs/schedules.server";
import { runJobAction } from "~/ops/jobs.server";
import { loader as appLoader } from "~/routes/app";
import { shopGraphql } from "~/shopify/admin-graphql.server";
import { routeShopifyTrafficToSimulator, simulatorUrlFor } from "~/shopify/simulator-fetch.server";
import { toMinorUnits } from "~/sync/money";
import { syncShop } from "~/sync/backfill.server";
import { startWorkers } from "../../workers/start";
import { eventually, startStoreHarness } from "../support/store-harness";
import { BROWSER } from "../support/session-token";

// The sweep reads and rebuilds whole queues (obliterated here on purpose), so this file's
// queues live under a prefix of their own, as in ops-jobs.test.ts. Hoisted above the imports
// because importing the database module already reads (and caches) the configuration.
const prefix = vi.hoisted(() => {
  const own = `${process.env.QUEUE_PREFIX}_recovery`;
  process.env.QUEUE_PREFIX = own;
  return own;
});

const shop = "recovery-sweep.myshopify.com";
const GRACE_MS = 60_000;
const longAgo = () => new Date(Date.now() - 10 * 60_000);

let harness: Awaited<ReturnType<typeof startStoreHarness>>;

const sweep = () => recoverOwedWork(prisma, queues(), { deliveryGraceMs: GRACE_MS });

/**
 * The workers, started and stopped by the tests themselves (as a deploy or a crash would):
 * without the periodic sweep while the tests call it by hand, with it where the tests check
 * that the workers heal a Redis loss on their own.
 */
let running: { workers: ReturnType<typeof startWorkers>; connection: Redis } | undefined;

function runWorkers(recovery?: { intervalMs: number; deliveryGraceMs: number }) {
  const connection = createRedisConnection(process.env.REDIS_URL!, "worker");
  const workers = startWorkers({
    prisma,
    connection,
    prefix,
    concurrency: 4,
    logger: pino({ level: "silent" }),
    recovery,
  });
  running = { workers, connection };
  return running;
}

async function stopWorkers() {
  if (!running) return;
  await running.workers.close();
  running.connection.disconnect();
  running = undefined;
}

/** Everything this file's queues hold in Redis: what a Redis restarted without its data loses. */
async function wipeRedis() {
  const redis = new Redis(process.env.REDIS_URL!);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  } finally {
    redis.disconnect();
  }
}

/** The shop's nightly schedulers and the sweep's own, as present or absent. */
async function schedulers() {
  const { backfill, recompute, recovery } = queues();
  return {
    reconcile: Boolean(await backfill.getJobScheduler(reconcileSchedulerId(shop))),
    recompute: Boolean(await recompute.getJobScheduler(recomputeSchedulerId(shop))),
    sweep: Boolean(await recovery.getJobScheduler("recovery-sweep")),
  };
}

/** The shop's deliveries not yet settled (RECEIVED or FAILED). */
const unsettled = () =>
  prisma.webhookDelivery.count({
    where: { shopDomain: shop, status: { in: ["RECEIVED", "FAILED"] } },
  });

/** An order the store placed, as PostgreSQL holds it (null while missing). */
async function storedOrder(id: bigint) {
  const shopRow = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
  return prisma.order.findUnique({ where: { shopId_id: { shopId: shopRow.id, id } } });
}

/** Places an order in the store; its id and total in minor units. */
async function placeOrder(value: number) {
  const placed = await harness.control(`/shops/${shop}/orders`, { value });
  return { id: BigInt(String(placed.id)), totalMinor: toMinorUnits(String(placed.total), "USD") };
}

/** The orders/create delivery of an order, once the intake has recorded it and queued its job. */
async function queuedDeliveryOf(orderId: bigint) {
  const { webhooks } = queues();
  return eventually(async () => {
    const rows = await prisma.webhookDelivery.findMany({
      where: { shopDomain: shop, topic: "orders/create", status: "RECEIVED" },
    });
    const row = rows.find(
      (candidate) =>
        String((candidate.payload as { id?: unknown } | null)?.id) === orderId.toString(),
    );
    return row && (await webhooks.getJob(deliveryJobId(row))) ? row : undefined;
  }, "the order's delivery to be recorded and queued");
}

/**
 * The end state of a clean run: no delivery of the shop left RECEIVED or FAILED, every order
 * placed in PostgreSQL with its total, and as many orders in PostgreSQL as in the store.
 */
async function convergedOn(placed: { id: bigint; totalMinor: bigint }[], timeoutMs = 120_000) {
  await eventually(
    async () => {
      if ((await unsettled()) > 0) return undefined;
      for (const order of placed) if (!(await storedOrder(order.id))) return undefined;
      return true;
    },
    "every delivery processed and every order stored",
    timeoutMs,
  );
  for (const order of placed)
    expect((await storedOrder(order.id))?.totalMinor).toBe(order.totalMinor);
  const store = await harness.control(`/shops/${shop}`);
  const shopRow = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
  expect(await prisma.order.count({ where: { shopId: shopRow.id } })).toBe(Number(store.orders));
}

/** The shop's jobs waiting or delayed in a queue. */
async function queuedFor<Data extends { shopDomain: string }>(queue: Queue<Data>) {
  const jobs = await queue.getJobs(["waiting", "delayed", "prioritized"]);
  // A job scheduler's next run is a delayed job too; only requests count here.
  return jobs.filter((job) => job.data.shopDomain === shop && !job.repeatJobKey);
}

/** Waits until no job runs or waits anywhere, so nothing still running races what a test sets. */
async function idle() {
  await eventually(
    async () => {
      for (const queue of Object.values(queues())) {
        const counts = await queue.getJobCounts("active", "waiting", "prioritized");
        if (Object.values(counts).some((count) => count > 0)) return undefined;
        // A job scheduler always holds its next run as a delayed job; any other is owed work
        // (a debounced recompute).
        const delayed = await queue.getJobs(["delayed"]);
        if (delayed.some((job) => !job.repeatJobKey)) return undefined;
      }
      return true;
    },
    "the queues to be idle",
    120_000,
  );
}

/** Empties a queue as a Redis that lost its data would (jobs, schedulers, deduplication keys). */
async function lose(queue: Queue) {
  await queue.obliterate({ force: true });
}

describe("the recovery sweep rebuilds from PostgreSQL the work Redis lost", () => {
  beforeAll(async () => {
    expect(queues().webhooks.opts.prefix).toBe(prefix);
    // A small store: two pages of customers for the reconcile's checkpoint, little else.
    harness = await startStoreHarness(shop, 110, { workers: false });
    runWorkers();
    const request = new Request(await harness.frameUrl(), { headers: { "User-Agent": BROWSER } });
    await appLoader({ request, params: {}, context: {} });
    await eventually(
      async () =>
        (await prisma.shop.findUnique({ where: { domain: shop } }))?.lastReconciledAt ?? undefined,
      "the install's backfill",
      240_000,
    );
    await idle();
  }, 300_000);

  // A test that failed half-way must not leave the next one with paused queues or no workers.
  afterEach(async () => {
    await Promise.all(Object.values(queues()).map((queue) => queue.resume()));
    if (!running) runWorkers();
  });

  afterAll(async () => {
    await stopWorkers();
    routeShopifyTrafficToSimulator(harness.simulator.url);
    await harness?.close();
    const all = queues();
    await Promise.all(Object.values(all).map((queue) => queue.obliterate({ force: true })));
    await Promise.all(Object.values(all).map((queue) => queue.close()));
    const redis = new Redis(process.env.REDIS_URL!);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    globalThis.__propelQueues?.connection.disconnect();
    globalThis.__propelQueues = undefined;
  });

  it("re-queues a delivery left RECEIVED after its job was lost, and never a processed one", async () => {
    const { webhooks } = queues();
    // The intake records and queues; the queue is paused so that no worker takes the job
    // before it is lost.
    await webhooks.pause();
    const placed = await harness.control(`/shops/${shop}/orders`, { value: 61.5 });
    const orderId = BigInt(String(placed.id));
    const delivery = await queuedDeliveryOf(orderId);
    await lose(webhooks);
    await webhooks.resume();
    expect(await webhooks.getJob(deliveryJobId(delivery))).toBeUndefined();

    // Inside the grace period the intake may still be queueing it: the sweep leaves it.
    await sweep();
    expect(await webhooks.getJob(deliveryJobId(delivery))).toBeUndefined();

    // Past it, the row is owed work whose job is gone: the sweep puts it back.
    await prisma.webhookDelivery.updateMany({
      where: { shopDomain: shop, status: "RECEIVED" },
      data: { receivedAt: longAgo() },
    });
    const report = await sweep();
    expect(report.deliveriesRequeued).toBeGreaterThanOrEqual(1);

    // A worker applies it: the delivery ends PROCESSED and the order is in PostgreSQL.
    await eventually(async () => {
      const row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
      return row.status === "PROCESSED" ? row : undefined;
    }, "the re-queued delivery to be processed");
    const shopRow = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(
      await prisma.order.findUnique({ where: { shopId_id: { shopId: shopRow.id, id: orderId } } }),
    ).not.toBeNull();

    // A processed delivery is not owed: even with its finished job gone, nothing is queued.
    await eventually(
      async () =>
        (await webhooks.getJobState(deliveryJobId(delivery))) === "completed" ? true : undefined,
      "the re-queued job to complete",
    );
    await (await webhooks.getJob(deliveryJobId(delivery)))?.remove();
    await sweep();
    expect(await webhooks.getJob(deliveryJobId(delivery))).toBeUndefined();
  });

  it("re-creates lost nightly schedulers and asks for an owed recompute and tags push", async () => {
    const { backfill, recompute, tags } = queues();
    await idle();
    await Promise.all([lose(backfill), lose(recompute), lose(tags)]);
    // Paused so the requests the sweep makes stay visible instead of running at once.
    await Promise.all([recompute.pause(), tags.pause()]);
    expect(await backfill.getJobScheduler(reconcileSchedulerId(shop))).toBeFalsy();
    expect(await recompute.getJobScheduler(recomputeSchedulerId(shop))).toBeFalsy();

    const shopRow = await prisma.shop.update({
      where: { domain: shop },
      // Installed earlier than the grace period: a shop just installed is left to the install.
      data: { installedAt: longAgo(), dirtySince: longAgo(), fullRecomputeRequestedAt: null },
    });
    const customer = await prisma.customer.findFirstOrThrow({ where: { shopId: shopRow.id } });
    // @updatedAt would stamp now; the row must look as old as a push owed since before a crash.
    await prisma.$executeRaw`
      INSERT INTO "TagSyncState" ("shopId", "customerId", "status", "updatedAt")
      VALUES (${shopRow.id}, ${customer.id}, 'PENDING', ${longAgo()})
      ON CONFLICT ("shopId", "customerId")
      DO UPDATE SET "status" = 'PENDING', "updatedAt" = EXCLUDED."updatedAt"`;

    const first = await sweep();
    expect(first.schedulersRecreated).toBeGreaterThanOrEqual(2);
    expect(first.recomputesRequested).toBeGreaterThanOrEqual(1);
    expect(first.tagSyncsRequested).toBeGreaterThanOrEqual(1);
    expect(await backfill.getJobScheduler(reconcileSchedulerId(shop))).toBeTruthy();
    expect(await recompute.getJobScheduler(recomputeSchedulerId(shop))).toBeTruthy();
    expect(await queuedFor(recompute)).toHaveLength(1);
    expect(await queuedFor(tags)).toHaveLength(1);

    // With those queued, a second sweep asks for nothing more for the shop.
    await sweep();
    expect(await queuedFor(recompute)).toHaveLength(1);
    expect(await queuedFor(tags)).toHaveLength(1);
    const schedulers = [
      ...(await backfill.getJobSchedulers()),
      ...(await recompute.getJobSchedulers()),
    ].filter((scheduler) => scheduler.key.endsWith(`:${shop}`));
    expect(schedulers).toHaveLength(2);
    expect((await backfill.getJobScheduler(reconcileSchedulerId(shop)))?.pattern).toBe(
      reconcilePattern(shop),
    );

    // A scheduler from before the nightly work was spread out is moved to the shop's minute.
    await backfill.upsertJobScheduler(
      reconcileSchedulerId(shop),
      { pattern: "17 3 * * *", tz: "UTC" },
      { name: "reconcile", data: { shopDomain: shop, kind: "RECONCILE" } },
    );
    expect((await sweep()).schedulersRecreated).toBeGreaterThanOrEqual(1);
    expect((await backfill.getJobScheduler(reconcileSchedulerId(shop)))?.pattern).toBe(
      reconcilePattern(shop),
    );

    // Resumed, the workers do the owed work: the recompute clears the dirty mark and the push
    // settles the pending row.
    await Promise.all([recompute.resume(), tags.resume()]);
    await eventually(async () => {
      const row = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
      return row.dirtySince === null ? row : undefined;
    }, "the recompute the sweep asked for");
    await eventually(async () => {
      const row = await prisma.tagSyncState.findUniqueOrThrow({
        where: { shopId_customerId: { shopId: shopRow.id, customerId: customer.id } },
      });
      return row.status === "PENDING" ? undefined : row;
    }, "the tags push the sweep asked for");
  });

  it("reconciles every installed shop once after a PostgreSQL restart", async () => {
    const { backfill } = queues();
    await backfill.pause();
    // The first sweeps recorded this server's start; an older mark is what the sweep finds
    // after a restart.
    const [{ started }] = await prisma.$queryRaw<{ started: Date }[]>`
      SELECT pg_postmaster_start_time() AS started`;
    const markedAt = async () =>
      (await prisma.recoveryMark.findUniqueOrThrow({ where: { id: 1 } })).postmasterStartedAt;
    // Stored to the millisecond: equal up to rounding.
    expect(Math.abs((await markedAt()).getTime() - started.getTime())).toBeLessThanOrEqual(1);
    await idle();
    await prisma.recoveryMark.update({
      where: { id: 1 },
      data: { postmasterStartedAt: new Date(started.getTime() - 3_600_000) },
    });

    const reconciled = await prisma.shop.count({
      where: { installState: "INSTALLED", lastReconciledAt: { not: null } },
    });
    const first = await sweep();
    expect(first.reconcilesRequested).toBe(reconciled);
    const second = await sweep();
    expect(second.reconcilesRequested).toBe(0);
    const reconciles = (await queuedFor(backfill)).filter(
      (job) => job.data.kind === "RECONCILE" && job.id?.startsWith("reconcile-after-restart-"),
    );
    expect(reconciles).toHaveLength(1);
    expect(Math.abs((await markedAt()).getTime() - started.getTime())).toBeLessThanOrEqual(1);

    // Left to the worker, it runs like any reconcile.
    const last = await prisma.syncRun.findFirstOrThrow({ orderBy: { id: "desc" } });
    await backfill.resume();
    await eventually(
      async () =>
        (await prisma.syncRun.findFirst({
          where: {
            id: { gt: last.id },
            shop: { domain: shop },
            kind: "RECONCILE",
            status: "SUCCEEDED",
          },
        })) ?? undefined,
      "the reconcile after the restart",
    );
    await idle();
  });

  it("resumes a reconcile cut off mid-way from its checkpoint instead of starting over", async () => {
    // Wide enough a window that the reconcile reads every customer: two pages of 100.
    const since = new Date("2000-01-01T00:00:00Z");
    await prisma.shop.update({ where: { domain: shop }, data: { lastReconciledAt: since } });

    type PageRequest = { operation: string; after: string | null };
    const requests: PageRequest[] = [];
    let failCustomerPagesAfterTheFirst = true;
    setAbstractFetchFunc(async (input, init) => {
      const target =
        typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      const body = typeof init?.body === "string" ? init.body : "";
      const page = /query (PropelCustomersPage|PropelOrdersPage)/.exec(body);
      if (page) {
        const { variables } = JSON.parse(body) as { variables: { after?: string | null } };
        requests.push({ operation: page[1]!, after: variables.after ?? null });
        if (failCustomerPagesAfterTheFirst && page[1] === "PropelCustomersPage" && variables.after)
          return new Response("upstream connect error", { status: 500 });
      }
      return fetch(simulatorUrlFor(target, harness.simulator.url), init);
    });

    try {
      await expect(syncShop(prisma, shop, "RECONCILE")).rejects.toThrow();
      const cut = await prisma.syncRun.findFirstOrThrow({
        where: { shop: { domain: shop } },
        orderBy: { id: "desc" },
      });
      const checkpoint = cut.checkpoint as {
        phase: string;
        cursor: string | null;
        customers: number;
        startedAt: string;
      };
      expect(cut).toMatchObject({ kind: "RECONCILE", status: "FAILED", customersSynced: 100 });
      expect(checkpoint).toMatchObject({ phase: "customers", customers: 100 });
      expect(checkpoint.cursor).toBeTruthy();
      expect(requests.filter((r) => r.operation === "PropelOrdersPage")).toEqual([]);

      failCustomerPagesAfterTheFirst = false;
      requests.length = 0;
      const outcome = await syncShop(prisma, shop, "RECONCILE");
      expect(outcome.skipped).toBeUndefined();

      // It asked for the page after the checkpoint first, and never for the first page again.
      const customerPages = requests.filter((r) => r.operation === "PropelCustomersPage");
      expect(customerPages).toEqual([
        { operation: "PropelCustomersPage", after: checkpoint.cursor },
      ]);
      const { customersCount } = await shopGraphql<{ customersCount: { count: number } }>(
        shop,
        `#graphql
        query Count { customersCount { count } }`,
      );
      const resumed = await prisma.syncRun.findFirstOrThrow({
        where: { shop: { domain: shop } },
        orderBy: { id: "desc" },
      });
      expect(resumed).toMatchObject({ status: "SUCCEEDED", customersSynced: customersCount.count });
      // The next pass reads from when the cut-off pass began, so nothing changed meanwhile is
      // missed.
      const shopRow = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
      expect(shopRow.lastReconciledAt?.toISOString()).toBe(checkpoint.startedAt);
    } finally {
      routeShopifyTrafficToSimulator(harness.simulator.url);
    }
  });

  it("heals a Redis wiped while deliveries are owed when the workers start: the end state is a clean run's", async () => {
    await idle();
    await stopWorkers();
    const placed = [await placeOrder(41.25), await placeOrder(52.5), await placeOrder(63.75)];
    // Recorded and queued by the intake; none applied, since no worker runs.
    await eventually(async () => {
      const rows = await prisma.webhookDelivery.findMany({
        where: { shopDomain: shop, status: "RECEIVED" },
      });
      if (rows.filter((row) => row.topic === "orders/create").length < placed.length)
        return undefined;
      for (const row of rows)
        if (!(await queues().webhooks.getJob(deliveryJobId(row)))) return undefined;
      return rows;
    }, "the orders' deliveries to be recorded and queued");
    for (const order of placed) expect(await storedOrder(order.id)).toBeNull();

    // Redis loses everything: the queued jobs, the shop's schedulers, the sweep's own.
    await wipeRedis();
    expect(await schedulers()).toEqual({ reconcile: false, recompute: false, sweep: false });

    // The workers start as a deploy would start them, with the sweep on: nothing else is done.
    runWorkers({ intervalMs: 60_000, deliveryGraceMs: 0 });
    await convergedOn(placed);
    await eventually(async () => {
      const now = await schedulers();
      return now.reconcile && now.recompute && now.sweep ? now : undefined;
    }, "the schedulers to be re-created");
    await idle();
    await stopWorkers();
  });

  it("re-creates what a Redis loss erased once the workers' connection comes back", async () => {
    await idle();
    await stopWorkers();
    const { connection } = runWorkers({ intervalMs: 60_000, deliveryGraceMs: GRACE_MS });
    await eventually(async () => {
      const now = await schedulers();
      return now.reconcile && now.recompute && now.sweep ? now : undefined;
    }, "the schedulers after the workers' start");
    await idle();

    await wipeRedis();
    expect(await schedulers()).toEqual({ reconcile: false, recompute: false, sweep: false });
    // What a Redis restart does to a running worker: its connection drops, then comes back.
    const clientId = await connection.client("ID");
    const admin = new Redis(process.env.REDIS_URL!);
    try {
      await admin.client("KILL", "ID", String(clientId));
    } finally {
      admin.disconnect();
    }
    await eventually(async () => {
      const now = await schedulers();
      return now.reconcile && now.recompute && now.sweep ? now : undefined;
    }, "the schedulers to be re-created after the reconnection");
    await idle();
    await stopWorkers();
  });

  it("gives a delivery whose row id PostgreSQL handed out again after a crash a job of its own", async () => {
    await idle();
    const first = await placeOrder(33.3);
    await convergedOn([first]);
    await idle();
    const last = await prisma.webhookDelivery.findFirstOrThrow({
      where: { shopDomain: shop },
      orderBy: { id: "desc" },
    });
    const { webhooks } = queues();
    const earlierJobId = deliveryJobId(last);
    expect(await webhooks.getJobState(earlierJobId)).toBe("completed");

    // A crash in the asynchronous-commit window: the row is gone, and the sequence hands its
    // id out again to the next delivery (whose job, named after the row id, would collide).
    await prisma.webhookDelivery.delete({ where: { id: last.id } });
    await prisma.$queryRawUnsafe(
      `SELECT setval(pg_get_serial_sequence('"WebhookDelivery"', 'id'), $1::bigint)`,
      (last.id - 1n).toString(),
    );
    const second = await placeOrder(44.4);
    const reused = await eventually(
      async () =>
        (await prisma.webhookDelivery.findUnique({ where: { id: last.id } })) ?? undefined,
      "a new delivery under the same row id",
    );
    expect(reused.webhookId).not.toBe(last.webhookId);
    expect(deliveryJobId(reused)).not.toBe(earlierJobId);

    await convergedOn([first, second]);
    const settled = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: last.id } });
    expect(settled.status).toBe("PROCESSED");
    expect(await webhooks.getJobState(deliveryJobId(reused))).toBe("completed");
    // The earlier delivery's job is untouched.
    expect(await webhooks.getJobState(earlierJobId)).toBe("completed");
  });

  it("runs again a delivery whose job completed while its row's update was lost", async () => {
    await idle();
    const { webhooks } = queues();
    await webhooks.pause();
    const order = await placeOrder(27.5);
    const pending = await queuedDeliveryOf(order.id);
    await webhooks.resume();
    await convergedOn([order]);
    await idle();
    expect(await webhooks.getJobState(deliveryJobId(pending))).toBe("completed");

    // The database loses the delivery's effects (the order's upsert and the row's update, body
    // trim included) while Redis keeps the job completed: the same job id would make a plain
    // add a no-op.
    const shopRow = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
    await prisma.order.delete({ where: { shopId_id: { shopId: shopRow.id, id: order.id } } });
    await prisma.webhookDelivery.update({
      where: { id: pending.id },
      data: {
        status: "RECEIVED",
        processedAt: null,
        payload: pending.payload ?? undefined,
        receivedAt: longAgo(),
      },
    });

    const report = await sweep();
    expect(report.deliveriesRequeued).toBe(1);
    await convergedOn([order]);
    const row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: pending.id } });
    expect(row.status).toBe("PROCESSED");
  });

  it("alerts on a compliance delivery unprocessed for an hour, and has it applied", async () => {
    await idle();
    const delivery = await prisma.webhookDelivery.create({
      data: {
        shopDomain: shop,
        webhookId: `recovery-redact-${Date.now()}`,
        topic: "customers/redact",
        receivedAt: new Date(Date.now() - 2 * 3_600_000),
        payload: { shop_domain: shop, customer: { id: 987654321 }, orders_to_redact: [] },
      },
    });
    const alerts: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = {
      error: (fields: Record<string, unknown>, message: string) => alerts.push({ fields, message }),
      warn: () => undefined,
      info: () => undefined,
    } as unknown as Logger;

    const report = await recoverOwedWork(prisma, queues(), { deliveryGraceMs: GRACE_MS, logger });
    expect(report.complianceOverdue).toBe(1);
    expect(report.deliveriesRequeued).toBe(1);
    expect(alerts).toEqual([
      {
        fields: { deliveryId: delivery.id.toString(), shopDomain: shop, topic: "customers/redact" },
        message: "compliance delivery still unprocessed after an hour",
      },
    ]);

    const settled = await eventually(async () => {
      const row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
      return row.status === "RECEIVED" ? undefined : row;
    }, "the redaction to be applied");
    expect(settled.status).toBe("PROCESSED");
    alerts.length = 0;
    const after = await recoverOwedWork(prisma, queues(), { deliveryGraceMs: GRACE_MS, logger });
    expect(after.complianceOverdue).toBe(0);
    expect(alerts).toEqual([]);
  });

  it("replays a delivery left FAILED after an Admin API outage when ops retries its job", async () => {
    await idle();
    const { webhooks } = queues();
    await webhooks.pause();
    const order = await placeOrder(19.9);
    const pending = await queuedDeliveryOf(order.id);
    // One attempt, so that the outage outlasts the job's retry budget within a test's time.
    const queued = await webhooks.getJob(deliveryJobId(pending));
    await queued!.remove();
    await webhooks.add(pending.topic, queued!.data, {
      jobId: deliveryJobId(pending),
      attempts: 1,
    });

    // The Admin API is down: the worker's re-read of the order fails.
    setAbstractFetchFunc(async () => new Response("service unavailable", { status: 503 }));
    try {
      await webhooks.resume();
      await eventually(async () => {
        const row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: pending.id } });
        return row.status === "FAILED" ? row : undefined;
      }, "the delivery to end FAILED");
      expect(await webhooks.getJobState(deliveryJobId(pending))).toBe("failed");
      expect(await storedOrder(order.id)).toBeNull();
    } finally {
      routeShopifyTrafficToSimulator(harness.simulator.url);
    }

    // The API is back; support presses "Retry" on the failed job.
    const form = new FormData();
    form.set("intent", "retry");
    form.set("queue", "webhooks");
    form.set("id", deliveryJobId(pending));
    expect(await runJobAction(queues(), form)).toMatchObject({ ok: true, from: "failed" });
    await convergedOn([order]);
    const row = await prisma.webhookDelivery.findUniqueOrThrow({ where: { id: pending.id } });
    expect(row.status).toBe("PROCESSED");
  });
});
