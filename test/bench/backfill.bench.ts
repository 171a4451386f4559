/**
 * Backfill benchmark: a store of about 1,000,000 orders read through bulk operations into
 * PostgreSQL (orders/s), against the same run's baseline of downloading and parsing the bulk
 * results without writing them, so the ratio shows what the database writes cost. The store
 * simulator runs in a process of its own, as Shopify would: building the bulk files does not
 * take the app's thread.
 *
 *   npx tsx test/bench/backfill.bench.ts [--customers 470000]
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { TEST_API_KEY, TEST_API_SECRET } from "../support/env";
import { benchEnvironment, machine } from "./support";

const { values } = parseArgs({ options: { customers: { type: "string", default: "470000" } } });
const environment = await benchEnvironment("backfill", "read_orders,read_customers");

const shop = "bench-backfill.myshopify.com";
const { default: prisma } = await import("~/db.server");
const { routeShopifyTrafficToSimulator } = await import("~/shopify/simulator-fetch.server");
const { syncShop } = await import("~/sync/backfill.server");
const { BULK_ORDERS, bulkOrderRows, runBulkQuery } = await import("~/sync/bulk.server");
const { bulkFinishReceived } = await import("~/sync/bulk-finish.server");
const { startWebhookServer } = await import("../support/webhook-server");

// The app's webhook intake, where the simulator sends bulk_operations/finish: the backfill
// waits for that webhook, as it does against Shopify.
const intake = await startWebhookServer();

const generated = Date.now();
const simulator = await startSimulatorProcess();
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
  // Baseline: the same bulk query, downloaded and parsed into rows as the backfill reads it,
  // nothing written.
  let started = performance.now();
  const url = await runBulkQuery(shop, BULK_ORDERS, undefined, (id) => ({
    finished: () => bulkFinishReceived(prisma, shop, id),
  }));
  let parsed = 0;
  for await (const rows of url ? bulkOrderRows(url, 5000) : []) parsed += rows.length;
  const baselineSeconds = (performance.now() - started) / 1000;

  started = performance.now();
  const phases = watchPhases(started);
  const synced = await syncShop(prisma, shop, "BACKFILL").finally(() => phases.stop());
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
  console.log(`\nPropel backfill phases (seconds from its start): ${phases.summary()}.`);
} finally {
  simulator.close();
  await intake.close();
  await prisma.$disconnect();
  await environment.dropSchema();
}

/** The simulator CLI in a child process, with the same store as before (seed 5, 3 years). */
async function startSimulatorProcess(): Promise<{ url: string; close(): void }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "simulator/index.ts",
      ...["--port", "0", "--shops", shop, "--plan", "Shopify", "--installed"],
      ...["--customers", String(Number(values.customers)), "--seed", "5", "--years", "3"],
      ...["--api-key", TEST_API_KEY, "--api-secret", TEST_API_SECRET],
      ...["--app-url", intake.url],
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const close = () => {
    if (child.exitCode === null) child.kill("SIGTERM");
  };
  process.once("exit", close); // however the benchmark ends
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`))),
  );
  exited.catch(() => undefined);
  const listening = (async () => {
    for await (const line of createInterface({ input: child.stdout! })) {
      const url = /listening on (\S+)/.exec(line)?.[1];
      if (url) return url;
    }
    throw new Error("simulator closed its output before listening");
  })();
  try {
    return { url: await Promise.race([listening, exited]), close };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * When the backfill wrote customers and orders, from its SyncRun's progress (polled): the
 * first batch of each is written just after its bulk file was ready.
 */
function watchPhases(started: number) {
  const seconds = () => (performance.now() - started) / 1000;
  const customers: number[] = [];
  const orders: number[] = [];
  let seen = { customersSynced: 0, ordersSynced: 0 };
  const poll = async () => {
    const run = await prisma.syncRun.findFirst({
      where: { shop: { domain: shop }, kind: "BACKFILL" },
      orderBy: { id: "desc" },
    });
    if (!run) return;
    if (run.customersSynced > seen.customersSynced) customers.push(seconds());
    if (run.ordersSynced > seen.ordersSynced) orders.push(seconds());
    seen = run;
  };
  const timer = setInterval(() => void poll(), 200);
  const span = (times: number[]) =>
    times.length ? `${times[0]!.toFixed(1)}–${times[times.length - 1]!.toFixed(1)}` : "–";
  return {
    stop() {
      clearInterval(timer);
      orders.push(seconds());
    },
    summary: () => `customers written ${span(customers)}, orders written ${span(orders)}`,
  };
}
