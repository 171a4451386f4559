/**
 * Backfill benchmark: a store of about 1,000,000 orders read through bulk operations into
 * PostgreSQL (orders/s), against the same run's baseline of downloading and parsing the bulk
 * results without writing them, so the ratio shows what the database writes cost.
 *
 *   npx tsx test/bench/backfill.bench.ts [--customers 470000]
 */
import { parseArgs } from "node:util";
import { TEST_API_KEY, TEST_API_SECRET } from "../support/env";
import { benchEnvironment, machine } from "./support";

const { values } = parseArgs({ options: { customers: { type: "string", default: "470000" } } });
const environment = await benchEnvironment("backfill", "read_orders,read_customers");

const shop = "bench-backfill.myshopify.com";
const { default: prisma } = await import("~/db.server");
const { routeShopifyTrafficToSimulator } = await import("~/shopify/simulator-fetch.server");
const { syncShop } = await import("~/sync/backfill.server");
const { BULK_ORDERS, bulkOrders, runBulkQuery } = await import("~/sync/bulk.server");
const { orderRow } = await import("~/sync/mapping");
const { startSimulator } = await import("../../simulator/server");

const generated = Date.now();
const simulator = await startSimulator({
  port: 0,
  apiKey: TEST_API_KEY,
  apiSecret: TEST_API_SECRET,
  appUrl: "http://127.0.0.1:9",
  shops: [
    {
      domain: shop,
      plan: "Shopify",
      installed: true,
      generator: { seed: 5, customers: Number(values.customers), years: 3 },
    },
  ],
});
console.error(`store generated in ${((Date.now() - generated) / 1000).toFixed(1)} s`);
routeShopifyTrafficToSimulator(simulator.url);
const installed = await fetch(`${simulator.url}/_sim/shops/${shop}/install`, { method: "POST" });
const { accessToken } = (await installed.json()) as { accessToken: string };
await prisma.shop.create({ data: { domain: shop } });
await prisma.session.create({
  data: {
    id: `offline_${shop}`,
    shop,
    state: "",
    isOnline: false,
    accessToken,
    scope: "read_orders,read_customers",
  },
});

try {
  // Baseline: the same bulk query, downloaded and parsed into rows, nothing written.
  let started = performance.now();
  const url = await runBulkQuery(shop, BULK_ORDERS);
  let parsed = 0;
  for await (const nodes of url ? bulkOrders(url, 1000) : []) parsed += nodes.map(orderRow).length;
  const baselineSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  const synced = await syncShop(prisma, shop, "BACKFILL");
  const backfillSeconds = (performance.now() - started) / 1000;

  const rate = Math.round(synced.orders / backfillSeconds);
  console.log(`\nBackfill — ${new Date().toISOString().slice(0, 10)} — ${machine()}\n`);
  console.log("| run | customers | orders | seconds | orders/s |");
  console.log("|---|---:|---:|---:|---:|");
  console.log(
    `| baseline: bulk query, download, parse (no writes) | – | ${parsed} | ${baselineSeconds.toFixed(1)} | ${Math.round(parsed / baselineSeconds)} |`,
  );
  console.log(
    `| Propel backfill (bulk query + PostgreSQL upserts) | ${synced.customers} | ${synced.orders} | ${backfillSeconds.toFixed(1)} | ${rate} |`,
  );
  console.log(
    `\nBackfill takes ×${(backfillSeconds / baselineSeconds).toFixed(1)} the baseline; ` +
      `1,000,000 orders would take ${(1_000_000 / rate / 60).toFixed(1)} min at this rate.`,
  );
} finally {
  await simulator.close();
  await prisma.$disconnect();
  await environment.dropSchema();
}
