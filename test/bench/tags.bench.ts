/**
 * Tag push benchmark: customers whose tags changed, pushed by the real tags processor through
 * aliased tagsAdd requests against the store simulator, at the Standard (100 points/s) and
 * Plus (1,000 points/s) restore rates. The ceiling is what the cost model allows over the
 * same wall time: every tagsAdd field costs 10 points, so a run of T seconds that starts with
 * B points in the bucket can push at most (B + restore × T) / 10 customers. The figure is the
 * share of that ceiling reached, with the THROTTLED answers seen on the way (waited out; none
 * may reach the job's failure path).
 *
 *   npx tsx test/bench/tags.bench.ts [--standard 800] [--plus 8000]
 */
import type { Job } from "bullmq";
import type { TagsJob } from "~/jobs/queues";
import { parseArgs } from "node:util";
import { TEST_API_KEY, TEST_API_SECRET } from "../support/env";
import { benchEnvironment, machine } from "./support";

const { values } = parseArgs({
  options: {
    standard: { type: "string", default: "800" },
    plus: { type: "string", default: "8000" },
  },
});
const environment = await benchEnvironment("tags");

const { default: prisma } = await import("~/db.server");
const { routeShopifyTrafficToSimulator } = await import("~/shopify/simulator-fetch.server");
const { MUTATION_FIELD_COST } = await import("~/tags/push.server");
const { tagsProcessor } = await import("../../workers/processors/tags");
const { startSimulator } = await import("../../simulator/server");

const plans = [
  { plan: "Shopify", label: "Standard", customers: Number(values.standard) },
  { plan: "Plus", label: "Plus", customers: Number(values.plus) },
] as const;

const simulator = await startSimulator({
  port: 0,
  apiKey: TEST_API_KEY,
  apiSecret: TEST_API_SECRET,
  appUrl: "http://127.0.0.1:9",
  shops: plans.map(({ plan, customers }) => ({
    domain: `bench-tags-${plan.toLowerCase()}.myshopify.com`,
    plan,
    installed: true,
    // Tags need no order history: customers only.
    generator: { seed: 9, customers, years: 1, prospectShare: 1 },
  })),
  // Each tag change fires customers/update to an app that is not listening here.
  webhookSwitches: { drop: 1 },
});
routeShopifyTrafficToSimulator(simulator.url);

interface Row {
  label: string;
  restore: number;
  customers: number;
  seconds: number;
  pushed: number;
  ceiling: number;
  throttled: number;
  requests: number;
  failed: number;
}
const rows: Row[] = [];

try {
  for (const { plan, label } of plans) {
    const shop = `bench-tags-${plan.toLowerCase()}.myshopify.com`;
    const runtime = simulator.sim.shops.get(shop);
    if (!runtime) throw new Error(`no shop ${shop}`);
    const control = async (path: string) =>
      (await (
        await fetch(`${simulator.url}/_sim/shops/${shop}${path}`, { method: "POST" })
      ).json()) as Record<string, unknown>;
    const { accessToken } = (await control("/install")) as { accessToken: string };
    const restore = runtime.bucket.status().restoreRate;
    const shopRow = await prisma.shop.create({
      data: {
        domain: shop,
        throttleRestoreRate: restore,
        throttleMaximumAvailable: restore * 20,
      },
    });
    await prisma.session.create({
      data: {
        id: `offline_${shop}`,
        shop,
        state: "",
        isOnline: false,
        accessToken,
        scope: "read_customers,write_customers",
      },
    });
    const ids: string[] = [];
    for (let c = 0; c < runtime.store.customerRows; c++)
      if (runtime.store.customerExists(c)) ids.push(String(runtime.store.customerId(c)));
    await prisma.$executeRawUnsafe(
      `INSERT INTO "Customer" ("shopId", "id", "shopifyCreatedAt", "shopifyUpdatedAt")
       SELECT $1, unnest($2::text[])::bigint, now(), now()`,
      shopRow.id,
      ids,
    );
    await prisma.$executeRawUnsafe(
      `INSERT INTO "TagSyncState" ("shopId", "customerId", "desiredTags", "updatedAt")
       SELECT $1, "id", ARRAY['propel:champions'], now() FROM "Customer" WHERE "shopId" = $1`,
      shopRow.id,
    );

    const startPoints = runtime.bucket.status().currentlyAvailable;
    const throttledBefore = runtime.bucket.throttledCount;
    const started = performance.now();
    // The request path is what is measured: no bulk mutation, whatever the count.
    const summary = await tagsProcessor(prisma, { bulkThreshold: Number.POSITIVE_INFINITY })({
      data: { shopDomain: shop },
    } as Job<TagsJob>);
    const seconds = (performance.now() - started) / 1000;
    rows.push({
      label,
      restore,
      customers: ids.length,
      seconds,
      pushed: summary.pushed,
      ceiling: (startPoints + restore * seconds) / MUTATION_FIELD_COST,
      throttled: runtime.bucket.throttledCount - throttledBefore,
      requests: summary.requests,
      failed: summary.failed,
    });
  }

  console.log(`\nTag pushes — ${new Date().toISOString().slice(0, 10)} — ${machine()}\n`);
  console.log(
    "| plan | restore (points/s) | customers | seconds | pushes/s | ceiling over the run | share of ceiling | THROTTLED answers | requests | failed customers |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const row of rows)
    console.log(
      `| ${row.label} | ${row.restore} | ${row.customers} | ${row.seconds.toFixed(1)} | ${(row.pushed / row.seconds).toFixed(1)} | ${Math.floor(row.ceiling)} pushes (${(row.ceiling / row.seconds).toFixed(1)}/s) | ${((100 * row.pushed) / row.ceiling).toFixed(1)}% | ${row.throttled} | ${row.requests} | ${row.failed} |`,
    );
  console.log(
    `\nSteady state allows restore / ${MUTATION_FIELD_COST} pushes per second (one tagsAdd field of ${MUTATION_FIELD_COST} points per customer); the ceiling adds the points in the bucket at the start.`,
  );
} finally {
  await simulator.close();
  await prisma.$disconnect();
  await environment.dropSchema();
}
