import type { PrismaClient, Shop } from "@prisma/client";
import type pg from "pg";
import { config } from "~/config.server";
import { createPgPool } from "~/db/adapter";
import { logger } from "~/logger.server";
import { shopGraphql } from "~/shopify/admin-graphql.server";
import {
  CUSTOMERS_PAGE,
  ORDERS_PAGE,
  SHOP_INFO,
  type CustomerNode,
  type OrderNode,
  type Page,
} from "./documents";
import {
  BULK_CUSTOMERS,
  BULK_ORDERS,
  bulkCustomers,
  bulkOrderRows,
  cancelBulkQuery,
  runBulkQuery,
  startBulkQuery,
  waitForBulkQuery,
} from "./bulk.server";
import { bulkFinishReceived } from "./bulk-finish.server";
import { customerRow, orderRow } from "./mapping";
import { upsertCustomers, upsertOrders } from "./store.server";

// Page sizes keep a page's requested cost under Shopify's single-query limit of 1,000 points.
const CUSTOMERS_PER_PAGE = 100;
const ORDERS_PER_PAGE = 10;
// Backfill batches: each is one transaction. Large enough that a round trip and a commit are
// small beside the rows, small enough that progress moves every second or so.
const BULK_CUSTOMERS_BATCH = 5_000;
const BULK_ORDERS_BATCH = 5_000;

interface ShopInfo {
  shop: {
    name: string;
    email: string | null;
    currencyCode: string;
    ianaTimezone: string;
    plan: { displayName: string; shopifyPlus: boolean };
  };
}

/**
 * Reads a shop's customers and orders into PostgreSQL. A BACKFILL reads everything through
 * bulk operations; a RECONCILE pages through only what changed since the last successful
 * pass, repairing whatever webhooks missed. Progress is written to the SyncRun row as it goes. Safe to re-run: every
 * write is an idempotent upsert guarded by `updatedAt`.
 */
export async function syncShop(
  prisma: PrismaClient,
  shopDomain: string,
  kind: "BACKFILL" | "RECONCILE",
): Promise<SyncOutcome> {
  const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: shopDomain } });
  if (shop.installState !== "INSTALLED")
    return { customers: 0, orders: 0, skipped: "shop is not installed" };
  const connection = await syncConnection();
  try {
    // One sync per shop at a time, whatever started it (install, the nightly schedule, the ops
    // page): two would write the same rows and mark each other's runs as interrupted. The
    // lock lives as long as this connection, so a worker that dies releases it.
    const { rows } = await connection.client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_lock(hashtext('propel:sync-shop'), $1) AS locked",
      [shop.id],
    );
    if (!rows[0].locked)
      return {
        customers: 0,
        orders: 0,
        skipped: "another sync of this shop is running",
        busy: true,
      };
    if (kind === "BACKFILL" && (await backfilledSinceInstall(prisma, shop)))
      return { customers: 0, orders: 0, skipped: "the store was read since the install" };
    return await syncLockedShop(prisma, connection.client, shop, kind);
  } finally {
    await connection.close();
  }
}

export interface SyncOutcome {
  customers: number;
  orders: number;
  /** Why nothing was read, when nothing was. */
  skipped?: string;
  /** Skipped because another sync holds the shop's lock (possibly one whose worker just died). */
  busy?: boolean;
}

/**
 * One backfill per install: a backfill job run again (its lock lapsed under load, or it waited
 * behind another sync) after one since the install succeeded has nothing left to read.
 */
async function backfilledSinceInstall(prisma: PrismaClient, shop: Shop): Promise<boolean> {
  const done = await prisma.syncRun.findFirst({
    where: {
      shopId: shop.id,
      kind: "BACKFILL",
      status: "SUCCEEDED",
      startedAt: { gte: shop.installedAt },
    },
    select: { id: true },
  });
  return done !== null;
}

async function syncLockedShop(
  prisma: PrismaClient,
  db: pg.PoolClient,
  shop: Shop,
  kind: "BACKFILL" | "RECONCILE",
): Promise<SyncOutcome> {
  const shopDomain = shop.domain;
  const since = kind === "RECONCILE" ? shop.lastReconciledAt : null;
  // With the shop's lock held, a run still marked RUNNING belonged to a worker that died.
  await prisma.syncRun.updateMany({
    where: { shopId: shop.id, status: "RUNNING" },
    data: { status: "FAILED", finishedAt: new Date(), error: "interrupted; retried" },
  });
  // A reconcile cut off (throttled out, a crash, the database gone) continues from the page
  // it had reached rather than reading every changed customer again.
  const resumed = kind === "RECONCILE" ? await checkpointToResume(prisma, shop.id, since) : null;
  const startedAt = resumed ? new Date(resumed.startedAt) : new Date();
  const run = await prisma.syncRun.create({
    data: {
      shopId: shop.id,
      kind,
      since,
      customersSynced: resumed?.customers ?? 0,
      ordersSynced: resumed?.orders ?? 0,
      checkpoint: resumed ? { ...resumed } : undefined,
    },
  });
  try {
    const info = await shopGraphql<ShopInfo>(shopDomain, SHOP_INFO);
    await prisma.shop.update({
      where: { id: shop.id },
      data: {
        name: info.shop.name,
        email: info.shop.email,
        currencyCode: info.shop.currencyCode,
        ianaTimezone: info.shop.ianaTimezone,
        planName: info.shop.plan.displayName,
        shopifyPlus: info.shop.plan.shopifyPlus,
      },
    });
    // A minute of overlap: an object updated while the last pass ran is read again.
    const query = since
      ? `updated_at:>='${new Date(since.getTime() - 60_000).toISOString()}'`
      : null;

    const progress = (data: {
      customersSynced?: number;
      ordersSynced?: number;
      checkpoint?: Checkpoint;
    }) => prisma.syncRun.update({ where: { id: run.id }, data });
    let customers = 0;
    let orders = 0;
    if (kind === "BACKFILL") {
      const noteOperation = async (id: string) => {
        await prisma.syncRun.update({ where: { id: run.id }, data: { bulkOperationId: id } });
      };
      const onFinishWebhook = (id: string) => ({
        finished: () => bulkFinishReceived(prisma, shopDomain, id),
      });
      const customersUrl = await runBulkQuery(
        shopDomain,
        BULK_CUSTOMERS,
        noteOperation,
        onFinishWebhook,
      );
      // Shopify builds the orders file while the customers are written.
      const ordersOperation = await startBulkQuery(shopDomain, BULK_ORDERS, noteOperation);
      if (customersUrl) {
        await writeBehind(bulkCustomers(customersUrl, BULK_CUSTOMERS_BATCH), async (nodes) => {
          customers += await upsertCustomers(db, shop.id, nodes.map(customerRow));
          await progress({ customersSynced: customers });
        }).catch(async (error: unknown) => {
          // The retry starts an orders query of its own; this one must not hold its place.
          await cancelBulkQuery(shopDomain, ordersOperation).catch((cancelError: unknown) =>
            logger.warn({ err: cancelError, shopDomain }, "bulk query not cancelled"),
          );
          throw error;
        });
      }
      const ordersUrl = await waitForBulkQuery(
        shopDomain,
        ordersOperation,
        onFinishWebhook(ordersOperation),
      );
      if (ordersUrl) {
        // Statistics for the planner as the orders start: a backfill run again over stored
        // orders replaces their line items, which needs the (shopId, orderId) index to be
        // known as selective (see upsertOrders). Instant on the empty tables of an install.
        await db.query('ANALYZE "Order", "OrderLineItem"');
        await writeBehind(bulkOrderRows(ordersUrl, BULK_ORDERS_BATCH), async (rows) => {
          await upsertOrders(db, shop.id, rows);
          orders += rows.length;
          await progress({ ordersSynced: orders });
        });
      }
    } else {
      const at: Checkpoint = resumed ?? {
        phase: "customers",
        cursor: null,
        startedAt: startedAt.toISOString(),
        customers: 0,
        orders: 0,
      };
      customers = at.customers;
      orders = at.orders;
      const checkpoint = (phase: Checkpoint["phase"], cursor: string | null) =>
        progress({
          customersSynced: customers,
          ordersSynced: orders,
          checkpoint: { ...at, phase, cursor, customers, orders },
        });
      if (at.phase === "customers") {
        for await (const page of pages<CustomerNode>(
          shopDomain,
          CUSTOMERS_PAGE,
          "customers",
          CUSTOMERS_PER_PAGE,
          query,
          at.cursor,
        )) {
          await upsertCustomers(db, shop.id, page.nodes.map(customerRow));
          customers += page.nodes.length;
          await checkpoint("customers", page.endCursor);
        }
        await checkpoint("orders", null);
      }
      for await (const page of pages<OrderNode>(
        shopDomain,
        ORDERS_PAGE,
        "orders",
        ORDERS_PER_PAGE,
        query,
        at.phase === "orders" ? at.cursor : null,
      )) {
        await upsertOrders(db, shop.id, page.nodes.map(orderRow));
        orders += page.nodes.length;
        await checkpoint("orders", page.endCursor);
      }
    }

    await prisma.$transaction([
      prisma.syncRun.update({
        where: { id: run.id },
        data: { status: "SUCCEEDED", finishedAt: new Date() },
      }),
      prisma.shop.update({
        where: { id: shop.id },
        data: { lastReconciledAt: startedAt, dirtySince: new Date() },
      }),
    ]);
    return { customers, orders };
  } catch (error) {
    await prisma.syncRun.update({
      where: { id: run.id },
      data: {
        status: "FAILED",
        finishedAt: new Date(),
        error: error instanceof Error ? error.message : String(error),
      },
    });
    throw error;
  }
}

/**
 * Where a reconcile run stands, saved on its SyncRun after every page: the phase, the cursor
 * after the last page written, the instant the pass began (the next pass reads from there, so
 * nothing changed while the run was cut off is missed) and the counts so far.
 */
type Checkpoint = {
  phase: "customers" | "orders";
  cursor: string | null;
  startedAt: string;
  customers: number;
  orders: number;
};

/** The checkpoint of an unfinished reconcile over the same window, if the last run left one. */
async function checkpointToResume(
  prisma: PrismaClient,
  shopId: number,
  since: Date | null,
): Promise<Checkpoint | null> {
  const last = await prisma.syncRun.findFirst({
    where: { shopId },
    orderBy: { id: "desc" },
  });
  if (!last || last.kind !== "RECONCILE" || last.status !== "FAILED" || !last.checkpoint)
    return null;
  if ((last.since?.getTime() ?? null) !== (since?.getTime() ?? null)) return null;
  return last.checkpoint as unknown as Checkpoint;
}

async function* pages<Node>(
  shopDomain: string,
  document: string,
  field: "customers" | "orders",
  first: number,
  query: string | null,
  from: string | null = null,
): AsyncGenerator<{ nodes: Node[]; endCursor: string | null }> {
  let after: string | null = from;
  do {
    const data: Record<string, Page<Node>> = await shopGraphql(shopDomain, document, {
      first,
      after,
      query,
    });
    const page = data[field];
    if (page.nodes.length > 0) yield { nodes: page.nodes, endCursor: page.pageInfo.endCursor };
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
}

/**
 * A connection of the sync's own, outside Prisma and its pool: it holds the shop's sync lock,
 * and carries the backfill's large batches, so a long backfill neither waits for nor holds up
 * the pool the app's requests use.
 */
async function syncConnection(): Promise<{ client: pg.PoolClient; close(): Promise<void> }> {
  const { pool } = createPgPool(config().DATABASE_URL, { max: 1 });
  try {
    const client = await pool.connect();
    // A dropped connection fails the query in progress; the same error emitted on the client
    // with nobody listening would end the worker.
    client.on("error", () => undefined);
    return {
      client,
      async close() {
        client.release();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}

/**
 * Writes each batch while the next one is downloaded and parsed. At most one write is in
 * flight, so the reader never runs more than one batch ahead of the database.
 */
async function writeBehind<T>(
  batches: AsyncIterable<T>,
  write: (batch: T) => Promise<void>,
): Promise<void> {
  let writing: Promise<void> | undefined;
  try {
    for await (const batch of batches) {
      await writing;
      writing = write(batch);
      // Awaited before the next batch is handed over, or after the last.
      writing.catch(() => undefined);
    }
    await writing;
  } finally {
    // Never leave a write running on a connection about to be released.
    await writing?.catch(() => undefined);
  }
}
