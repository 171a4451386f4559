/**
 * Recompute benchmark: a shop of 1,000,000 customers (BG/NBD + Gamma-Gamma purchase histories)
 * in PostgreSQL. The baseline is the same run's full recompute (every customer, models
 * refitted); the figure that matters is the incremental recompute after one new order, which
 * must not grow with the shop.
 *
 *   npx tsx test/bench/recompute.bench.ts [--customers 1000000] [--orders-each 5]
 */
import { parseArgs } from "node:util";
import { benchEnvironment, machine } from "./support";

const { values } = parseArgs({
  options: {
    customers: { type: "string", default: "1000000" },
    "orders-each": { type: "string", default: "5" },
  },
});
const customers = Number(values.customers);
const environment = await benchEnvironment("recompute");

const { default: prisma, pool } = await import("~/db.server");
const { recomputeShop } = await import("~/segments/recompute.server");
const { WATERMARK_OVERLAP_MS } = await import("~/segments/load.server");
const { syntheticShop } = await import("~/segmentation/synthetic");
const { dayToIsoDate } = await import("~/segmentation/time");
const { upsertOrders } = await import("~/sync/store.server");

const seconds = (since: number) => (performance.now() - since) / 1000;
const BATCH = 20_000;

/** Seeds customers and their orders straight into the tables the sync writes. */
async function seed(shopId: number) {
  const history = syntheticShop({ customers, seed: 11, historyDays: 730 });
  const startDay = Math.floor(Date.now() / 86_400_000) - history.endDay - 1;
  const timestamp = (day: number) => `${dayToIsoDate(day + startDay)}T12:00:00`;
  for (let start = 0; start < customers; start += BATCH * 5) {
    const ids = Array.from({ length: Math.min(BATCH * 5, customers - start) }, (_, i) =>
      String(start + i + 1),
    );
    await prisma.$executeRawUnsafe(
      `INSERT INTO "Customer" ("shopId", "id", "shopifyCreatedAt", "shopifyUpdatedAt", "syncedAt")
       SELECT $1, id, now(), now(), now() - interval '1 hour' FROM unnest($2::bigint[]) AS id`,
      shopId,
      ids,
    );
  }
  const n = history.customerOf.length;
  for (let start = 0; start < n; start += BATCH) {
    const end = Math.min(start + BATCH, n);
    const ids: string[] = [];
    const owners: string[] = [];
    const at: string[] = [];
    const totals: string[] = [];
    for (let i = start; i < end; i++) {
      ids.push(String(i + 1));
      owners.push(String(history.customerOf[i] + 1));
      at.push(timestamp(history.day[i]));
      totals.push(String(Math.round(history.valueMinor[i])));
    }
    await prisma.$executeRawUnsafe(
      `INSERT INTO "Order" ("shopId", "id", "customerId", "name", "processedAt", "shopifyCreatedAt",
          "shopifyUpdatedAt", "currency", "totalMinor", "subtotalMinor", "syncedAt")
       SELECT $1, r.id, r.customer, '#' || r.id, r.at, r.at, r.at, 'USD', r.total, r.total,
              now() - interval '1 hour'
         FROM unnest($2::bigint[], $3::bigint[], $4::timestamp[], $5::bigint[])
           AS r(id, customer, at, total)`,
      shopId,
      ids,
      owners,
      at,
      totals,
    );
  }
  return n;
}

try {
  const shop = await prisma.shop.create({ data: { domain: "bench-recompute.myshopify.com" } });
  let started = performance.now();
  const orders = await seed(shop.id);
  console.error(
    `seeded ${customers} customers, ${orders} orders in ${seconds(started).toFixed(0)} s`,
  );

  started = performance.now();
  const full = await recomputeShop(prisma, shop.domain, { full: true });
  const fullSeconds = seconds(started);
  console.error(`full recompute: ${fullSeconds.toFixed(1)} s`, full);

  // Each run also looks again at what changed just before the previous one (the watermark's
  // overlap), so "rescored" may count the previous order's customer too.
  // Past the watermark's overlap, as a live shop is between orders.
  await new Promise((resolve) => setTimeout(resolve, WATERMARK_OVERLAP_MS + 500));
  await recomputeShop(prisma, shop.domain);

  const latencies: number[] = [];
  let rescored = 0;
  for (let k = 0; k < Number(values["orders-each"]); k++) {
    const customerId = BigInt(1 + ((k * 7919) % customers));
    const now = new Date();
    await upsertOrders(pool, shop.id, [
      {
        id: BigInt(orders + 1 + k),
        customerId,
        name: `#bench-${k}`,
        processedAt: now,
        shopifyCreatedAt: now,
        shopifyUpdatedAt: now,
        cancelledAt: null,
        test: false,
        financialStatus: "PAID",
        currency: "USD",
        totalMinor: 12_345n,
        subtotalMinor: 12_345n,
        discountMinor: 0n,
        refundedMinor: 0n,
        merchandiseMinor: 12_345n,
        shippingMinor: 0n,
        taxMinor: 0n,
        refundedMerchandiseMinor: 0n,
        refunds: [],
        discountCodes: [],
        sourceName: "web",
        lineItems: [],
      },
    ]);
    started = performance.now();
    const outcome = await recomputeShop(prisma, shop.domain);
    latencies.push(seconds(started));
    rescored = Math.max(rescored, outcome.customers);
    console.error(`incremental #${k + 1}: ${(latencies.at(-1)! * 1000).toFixed(0)} ms`, outcome);
    await new Promise((resolve) => setTimeout(resolve, WATERMARK_OVERLAP_MS + 500));
  }
  latencies.sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)];
  console.log(`\nRecompute — ${new Date().toISOString().slice(0, 10)} — ${machine()}\n`);
  console.log("| run | customers rescored | seconds |");
  console.log("|---|---:|---:|");
  console.log(
    `| baseline: full recompute (refit, ${orders} orders) | ${full.customers} | ${fullSeconds.toFixed(1)} |`,
  );
  console.log(
    `| incremental after one order (median of ${latencies.length}, max ${latencies.at(-1)!.toFixed(2)} s) | ≤ ${rescored} | ${median.toFixed(2)} |`,
  );
  console.log(
    `\nAn incremental recompute costs ${((median / fullSeconds) * 100).toFixed(2)}% of a full one ` +
      `(×${(fullSeconds / median).toFixed(0)} faster) at ${customers.toLocaleString("en")} customers.`,
  );
} finally {
  await prisma.$disconnect();
  await environment.dropSchema();
}
