import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { loader as appLoader } from "~/routes/app";
import { shopGraphql } from "~/shopify/admin-graphql.server";
import { eventually, startStoreHarness } from "../support/store-harness";
import { BROWSER } from "../support/session-token";

const shop = "worker-crash.myshopify.com";
const LOCK_MS = 2_000;

let harness: Awaited<ReturnType<typeof startStoreHarness>>;

describe("a worker killed in the middle of a backfill", () => {
  beforeAll(async () => {
    harness = await startStoreHarness(shop, 6_000, { workers: false, lockDurationMs: LOCK_MS });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("leaves the job to another worker, which completes it with nothing lost or doubled", async () => {
    // The real worker process, sent to the simulator like the demo's.
    const worker = spawn("npx", ["tsx", "workers/index.ts"], {
      env: {
        ...process.env,
        SIMULATOR_URL: harness.simulator.url,
        WORKER_LOCK_DURATION_MS: String(LOCK_MS),
      },
      stdio: "ignore",
      detached: true,
    });

    const request = new Request(await harness.frameUrl(), { headers: { "User-Agent": BROWSER } });
    await appLoader({ request, params: {}, context: {} });

    // Kill it without warning once it has written part of the store.
    await eventually(
      async () => {
        const run = await prisma.syncRun.findFirst({ where: { shop: { domain: shop } } });
        return run && run.ordersSynced > 0 ? run : undefined;
      },
      "the backfill to be under way",
      60_000,
    );
    process.kill(-worker.pid!, "SIGKILL");
    const cut = await prisma.syncRun.findFirstOrThrow({ where: { shop: { domain: shop } } });
    expect(cut.status).toBe("RUNNING");

    harness.startWorkers();
    const finished = await eventually(
      async () => {
        const run = await prisma.syncRun.findFirst({
          where: { shop: { domain: shop }, status: "SUCCEEDED" },
        });
        return run ?? undefined;
      },
      "another worker to finish the backfill",
      90_000,
    );

    const expected = await shopGraphql<{
      customersCount: { count: number };
      ordersCount: { count: number };
    }>(
      shop,
      `#graphql
      query Counts { customersCount { count } ordersCount(limit: null) { count } }`,
    );
    const stored = await prisma.shop.findUniqueOrThrow({
      where: { domain: shop },
      include: { _count: { select: { customers: true, orders: true } } },
    });
    expect(stored._count).toEqual({
      customers: expected.customersCount.count,
      orders: expected.ordersCount.count,
    });
    expect(finished.ordersSynced).toBe(expected.ordersCount.count);
    const interrupted = await prisma.syncRun.findUniqueOrThrow({ where: { id: cut.id } });
    expect(interrupted).toMatchObject({ status: "FAILED", error: "interrupted; retried" });
    // Its waits add up past the default test timeout: a worker process to start under load, a
    // lock to lapse, a backfill to finish.
  }, 240_000);
});
