import { spawn } from "node:child_process";
import { Session } from "@shopify/shopify-api";
import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import type { TagsJob } from "~/jobs/queues";
import { sessionStorage } from "~/shopify.server";
import { tagsProcessor } from "../../workers/processors/tags";
import { eventually, startStoreHarness } from "../support/store-harness";

// 100,000 changed customers by default; TAGS_BULK_CUSTOMERS makes a quicker local run.
const CUSTOMERS = Number(process.env.TAGS_BULK_CUSTOMERS ?? 100_000);
const shop = "tags-bulk.myshopify.com";
// A second shop for the crash, smaller so its bulk mutation is a few seconds long.
const crashShop = "tags-bulk-crash.myshopify.com";
const CRASH_CUSTOMERS = 10_000;
const TAGS = ["propel:churn-high", "propel:dormant"];

let harness: Awaited<ReturnType<typeof startStoreHarness>>;

function runtime(domain = shop) {
  const found = harness.simulator.sim.shops.get(domain);
  if (!found) throw new Error(`${domain} missing in the simulator`);
  return found;
}
const store = (domain = shop) => runtime(domain).store;

/** A simulated shop of customers without orders, installed, with every customer pending. */
async function shopWithPendingTags(domain: string, customers: number) {
  await harness.control("/shops", {
    domain,
    plan: "Shopify",
    generator: { seed: 3, customers, years: 1, prospectShare: 1 },
  });
  const { accessToken } = (await harness.control(`/shops/${domain}/install`, {})) as {
    accessToken: string;
  };
  await sessionStorage.storeSession(
    new Session({
      id: `offline_${domain}`,
      shop: domain,
      state: "",
      isOnline: false,
      accessToken,
      scope: "read_customers,write_customers",
    }),
  );
  const shopRow = await prisma.shop.create({ data: { domain } });
  const ids: string[] = [];
  const s = store(domain);
  for (let c = 0; c < s.customerRows; c++)
    if (s.customerExists(c)) ids.push(String(s.customerId(c)));
  await prisma.$executeRawUnsafe(
    `INSERT INTO "Customer" ("shopId", "id", "shopifyCreatedAt", "shopifyUpdatedAt")
     SELECT $1, unnest($2::text[])::bigint, now(), now()`,
    shopRow.id,
    ids,
  );
  await prisma.$executeRawUnsafe(
    `INSERT INTO "TagSyncState" ("shopId", "customerId", "desiredTags", "updatedAt")
     SELECT $1, "id", $2::text[], now() FROM "Customer" WHERE "shopId" = $1`,
    shopRow.id,
    TAGS,
  );
  return shopRow;
}

function taggedCustomers(domain: string): number {
  const s = store(domain);
  let tagged = 0;
  for (let c = 0; c < s.customerRows; c++)
    if (s.customerExists(c) && TAGS.every((tag) => s.tags(c).includes(tag))) tagged++;
  return tagged;
}

describe("a large change set goes through a bulk mutation", () => {
  beforeAll(async () => {
    // The harness's own small shop is not used: these have customers and no orders, since
    // tags need no order history and a backfill of 100,000 customers' orders would dominate.
    harness = await startStoreHarness("tags-bulk-unused.myshopify.com", 1, { workers: false });
    // Every tag change fires customers/update; none of these tests' business.
    await harness.control("/webhooks/switches", { drop: 1 });
    await shopWithPendingTags(shop, CUSTOMERS);
    await shopWithPendingTags(crashShop, CRASH_CUSTOMERS);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it(`pushes ${CUSTOMERS} customers with one bulk tagsAdd, every line accounted for`, async () => {
    const shopRow = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
    expect(await prisma.tagSyncState.count({ where: { shopId: shopRow.id } })).toBe(CUSTOMERS);

    const summary = await tagsProcessor(prisma, { bulkThreshold: 5_000 })({
      data: { shopDomain: shop },
    } as Job<TagsJob>);
    expect(summary).toMatchObject({ bulk: true, pushed: CUSTOMERS, failed: 0, throttled: 0 });
    // A handful of requests (staged upload, start, polls), not one per customer.
    expect(summary.requests).toBeLessThan(100);

    const mutations = runtime().bulkOps.filter((operation) => operation.type === "MUTATION");
    expect(mutations).toHaveLength(1);
    expect(mutations[0]).toMatchObject({ status: "COMPLETED", rootObjectCount: CUSTOMERS });
    expect(mutations[0].query).toContain("tagsAdd");

    expect(taggedCustomers(shop)).toBe(CUSTOMERS);
    const states = await prisma.tagSyncState.groupBy({
      by: ["status"],
      where: { shopId: shopRow.id },
      _count: true,
    });
    expect(states).toEqual([{ status: "SYNCED", _count: CUSTOMERS }]);
  }, 120_000);

  it("resumes a bulk push whose worker died without running the mutation again", async () => {
    const shopRow = await prisma.shop.findUniqueOrThrow({ where: { domain: crashShop } });
    const worker = spawn("npx", ["tsx", "test/support/tags-worker-process.ts", crashShop], {
      env: { ...process.env, SIMULATOR_URL: harness.simulator.url },
      stdio: "ignore",
      detached: true,
    });
    // Killed as soon as Shopify has its bulk mutation: Shopify carries on without it.
    await eventually(
      async () =>
        runtime(crashShop).bulkOps.some((op) => op.type === "MUTATION") ? true : undefined,
      "the bulk mutation to start",
      60_000,
    );
    process.kill(-worker.pid!, "SIGKILL");
    await new Promise((resolve) => worker.once("exit", resolve));
    expect(
      await prisma.tagSyncState.count({ where: { shopId: shopRow.id, status: "IN_FLIGHT" } }),
    ).toBe(CRASH_CUSTOMERS);

    const summary = await tagsProcessor(prisma)({
      data: { shopDomain: crashShop },
    } as Job<TagsJob>);
    // It waited for the orphaned mutation, read the tags back and found nothing left to push.
    expect(summary).toMatchObject({ bulk: true, pushed: 0, unchanged: CRASH_CUSTOMERS, failed: 0 });
    const operations = runtime(crashShop).bulkOps;
    expect(operations.filter((op) => op.type === "MUTATION")).toHaveLength(1);
    expect(operations.filter((op) => op.type === "QUERY")).toHaveLength(1);
    expect(taggedCustomers(crashShop)).toBe(CRASH_CUSTOMERS);
    const rows = await prisma.tagSyncState.findMany({ where: { shopId: shopRow.id } });
    expect(rows.every((row) => row.status === "SYNCED" && row.attempts === 1)).toBe(true);
    expect(rows.every((row) => row.appliedTags.join() === TAGS.join())).toBe(true);
  }, 120_000);
});
