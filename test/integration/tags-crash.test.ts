import { spawn } from "node:child_process";
import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import type { TagsJob } from "~/jobs/queues";
import { loader as appLoader } from "~/routes/app";
import { syncShop } from "~/sync/backfill.server";
import { tagsProcessor } from "../../workers/processors/tags";
import { eventually, startStoreHarness } from "../support/store-harness";
import { BROWSER } from "../support/session-token";

const shop = "tags-crash.myshopify.com";
const OLD = "propel:dormant";
const NEW = ["propel:champions", "propel:churn-low"];

let harness: Awaited<ReturnType<typeof startStoreHarness>>;

function store() {
  const runtime = harness.simulator.sim.shops.get(shop);
  if (!runtime) throw new Error("shop missing in the simulator");
  return runtime.store;
}
const tagsOf = (id: bigint) => [...store().tags(store().customerIdxFromId(Number(id)))].sort();

async function settledRows(shopId: number) {
  const read = () =>
    prisma.tagSyncState.findMany({ where: { shopId }, orderBy: { customerId: "asc" } });
  const fingerprint = (rows: Awaited<ReturnType<typeof read>>) =>
    rows.map((row) => `${row.customerId}:${row.status}:${row.attempts}`).join();
  let rows = await read();
  for (let settledReads = 0; settledReads < 3;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = await read();
    settledReads = fingerprint(next) === fingerprint(rows) ? settledReads + 1 : 0;
    rows = next;
  }
  return rows;
}

describe("a tags worker killed in the middle of a push", () => {
  beforeAll(async () => {
    harness = await startStoreHarness(shop, 200, { workers: false });
    const request = new Request(await harness.frameUrl(), { headers: { "User-Agent": BROWSER } });
    await appLoader({ request, params: {}, context: {} });
    await syncShop(prisma, shop, "BACKFILL");
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("resumes where it stopped: every customer ends with exactly its tags, none pushed twice", async () => {
    const shopRow = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
    const customers = await prisma.customer.findMany({ where: { shopId: shopRow.id } });
    // Each customer carries an old Propel tag (to be removed) and a merchant tag (to survive).
    for (const customer of customers) {
      const idx = store().customerIdxFromId(Number(customer.id));
      store().setTags(idx, ["VIP", OLD], Date.now());
    }
    await prisma.customer.updateMany({
      where: { shopId: shopRow.id },
      data: { tags: ["VIP", OLD] },
    });
    await prisma.tagSyncState.createMany({
      data: customers.map((customer) => ({
        shopId: shopRow.id,
        customerId: customer.id,
        desiredTags: NEW,
        appliedTags: [OLD],
      })),
    });
    // Standard plan, 100 points/s: 200 customers × 2 fields × 10 points is about 30 s of
    // pushing, most of it spent waiting for the bucket with a request's rows marked IN_FLIGHT,
    // so the kill lands in the middle of one.
    const worker = spawn("npx", ["tsx", "test/support/tags-worker-process.ts", shop], {
      env: { ...process.env, SIMULATOR_URL: harness.simulator.url },
      stdio: "ignore",
      detached: true,
    });
    // Freeze the worker, look, and kill it only while a request's rows are IN_FLIGHT past the
    // first 60 confirmed ones; otherwise let it run on and look again. Killing on a timer alone
    // could land between two requests, with nothing in flight.
    const group = -worker.pid!;
    await eventually(
      async () => {
        process.kill(group, "SIGSTOP");
        const counts = await prisma.tagSyncState.groupBy({
          by: ["status"],
          where: { shopId: shopRow.id },
          _count: true,
        });
        const count = (status: string) => counts.find((c) => c.status === status)?._count ?? 0;
        if (count("SYNCED") >= 60 && count("IN_FLIGHT") > 0) return true;
        process.kill(group, "SIGCONT");
        return undefined;
      },
      "the push to be under way, with a request in flight",
      60_000,
    );
    process.kill(group, "SIGKILL");
    await new Promise((resolve) => worker.once("exit", resolve));

    // A COMMIT the worker sent just before it was frozen can still land after the kill on a
    // loaded machine; read the rows once they have stopped changing.
    const atKill = await settledRows(shopRow.id);
    const syncedAtKill = atKill.filter((row) => row.status === "SYNCED");
    const inFlightAtKill = atKill.filter((row) => row.status === "IN_FLIGHT");
    expect(syncedAtKill.length).toBeLessThan(customers.length);
    expect(inFlightAtKill.length).toBeGreaterThan(0);
    const requestsBefore = Number((await harness.control(`/shops/${shop}/throttle`)).requests);

    // A fresh worker picks the job up again.
    const summary = await tagsProcessor(prisma)({ data: { shopDomain: shop } } as Job<TagsJob>);
    expect(summary.failed).toBe(0);
    expect(summary.pushed + summary.unchanged).toBe(customers.length - syncedAtKill.length);

    // Shopify: exactly the desired tags plus the merchant's, no stale Propel tag anywhere.
    for (const customer of customers) expect(tagsOf(customer.id)).toEqual(["VIP", ...NEW]);
    const after = await prisma.tagSyncState.findMany({ where: { shopId: shopRow.id } });
    expect(after.every((row) => row.status === "SYNCED")).toBe(true);
    expect(after.every((row) => row.appliedTags.join() === NEW.join())).toBe(true);

    // Rows confirmed before the kill were not sent again; only the unconfirmed request's rows
    // were looked at twice, and they were read back from Shopify before anything was resent.
    const byId = new Map(after.map((row) => [row.customerId, row]));
    for (const row of syncedAtKill) {
      expect(byId.get(row.customerId)?.attempts).toBe(1);
      expect(byId.get(row.customerId)?.syncedAt).toEqual(row.syncedAt);
    }
    const attempts = after.reduce((sum, row) => sum + row.attempts, 0);
    expect(attempts).toBeLessThanOrEqual(customers.length + inFlightAtKill.length);
    const requestsAfter = Number((await harness.control(`/shops/${shop}/throttle`)).requests);
    const remaining = customers.length - syncedAtKill.length;
    // 12 customers (24 fields) per request, plus one read-back per 100 unconfirmed rows, plus
    // THROTTLED answers waited out.
    expect(requestsAfter - requestsBefore - summary.throttled).toBeLessThanOrEqual(
      Math.ceil(remaining / 12) + Math.ceil(inFlightAtKill.length / 100) + 1,
    );
  });
});
