/**
 * Server time of the merchant workflow reports on a large shop: the cohort retention report
 * (unsplit, split by first-order discount, split by RFM group) and the custom segment
 * builder's preview (count and sample of a rule), on customers with BG/NBD purchase histories
 * seeded into PostgreSQL and one full recompute (for the metrics and memberships they read).
 *
 *   npx tsx test/bench/workflows.bench.ts [--customers 100000] [--runs 5]
 */
import { parseArgs } from "node:util";
import { benchEnvironment, machine } from "./support";

const { values } = parseArgs({
  options: {
    customers: { type: "string", default: "100000" },
    runs: { type: "string", default: "5" },
  },
});
const customers = Number(values.customers);
const runs = Number(values.runs);
const environment = await benchEnvironment("workflows");

const { default: prisma } = await import("~/db.server");
const { recomputeShop } = await import("~/segments/recompute.server");
const { loadRetention } = await import("~/admin/retention.server");
const { previewRule } = await import("~/admin/custom-segments.server");
const { syntheticShop } = await import("~/segmentation/synthetic");
const { dayToIsoDate } = await import("~/segmentation/time");

const BATCH = 20_000;

async function seed(shopId: number): Promise<number> {
  const history = syntheticShop({ customers, seed: 11, historyDays: 730 });
  const startDay = Math.floor(Date.now() / 86_400_000) - history.endDay - 1;
  for (let start = 0; start < customers; start += BATCH * 5) {
    const ids = Array.from({ length: Math.min(BATCH * 5, customers - start) }, (_, i) =>
      String(start + i + 1),
    );
    await prisma.$executeRawUnsafe(
      `INSERT INTO "Customer" ("shopId", "id", "shopifyCreatedAt", "shopifyUpdatedAt")
       SELECT $1, id, now(), now() FROM unnest($2::bigint[]) AS id`,
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
      at.push(`${dayToIsoDate(history.day[i] + startDay)}T12:00:00`);
      totals.push(String(Math.round(history.valueMinor[i])));
    }
    // Every fourth order used a discount of a fifth.
    await prisma.$executeRawUnsafe(
      `INSERT INTO "Order" ("shopId", "id", "customerId", "name", "processedAt", "shopifyCreatedAt",
          "shopifyUpdatedAt", "currency", "totalMinor", "subtotalMinor", "discountMinor")
       SELECT $1, r.id, r.customer, '#' || r.id, r.at, r.at, r.at, 'USD', r.total, r.total,
              CASE WHEN r.id % 4 = 0 THEN r.total / 5 ELSE 0 END
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

async function median(run: () => Promise<unknown>): Promise<{ median: number; max: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], max: times[times.length - 1] };
}

try {
  const shop = await prisma.shop.create({
    data: { domain: "bench-workflows.myshopify.com", currencyCode: "USD" },
  });
  let started = performance.now();
  const orders = await seed(shop.id);
  await prisma.$executeRawUnsafe(`ANALYZE`);
  console.error(
    `seeded ${customers} customers, ${orders} orders in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  started = performance.now();
  const outcome = await recomputeShop(prisma, shop.domain, { full: true });
  console.error(
    `full recompute: ${((performance.now() - started) / 1000).toFixed(1)} s, of which the ` +
      `retention tallies of every customer ${((outcome.retention?.ms ?? 0) / 1000).toFixed(1)} s; ` +
      `phases (ms) ${JSON.stringify(outcome.timings)}`,
  );
  const ref = { id: shop.id, domain: shop.domain, currencyCode: "USD" };

  // Baseline: one pass over the shop's orders, the least a cohort report can read.
  const baseline = await median(() =>
    prisma.$queryRawUnsafe(
      `SELECT count(*), sum("totalMinor") FROM "Order" WHERE "shopId" = $1`,
      shop.id,
    ),
  );
  const rows: [string, { median: number; max: number }][] = [
    ["Baseline: one scan of the shop's orders (count, sum)", baseline],
  ];
  for (const split of ["none", "discount", "rfm"] as const)
    rows.push([
      `Retention report, split: ${split}`,
      await median(() => loadRetention(ref, { split })),
    ]);
  rows.push([
    "Retention report, one segment (rfm:CHAMPIONS)",
    await median(() => loadRetention(ref, { split: "none", segment: "rfm:CHAMPIONS" })),
  ]);
  for (const rule of [
    "orders >= 3",
    "churnRisk = HIGH AND clv12m > 100",
    'rfmGroup IN (CHAMPIONS, LOYAL) OR tags CONTAINS "vip"',
  ])
    rows.push([`Segment builder preview: \`${rule}\``, await median(() => previewRule(ref, rule))]);

  console.log(`\nWorkflow reports — ${new Date().toISOString().slice(0, 10)} — ${machine()}\n`);
  console.log(
    `${customers.toLocaleString("en")} customers, ${orders.toLocaleString("en")} orders; median and max of ${runs} runs.\n`,
  );
  console.log("| server work | median ms | max ms | × baseline |");
  console.log("|---|---:|---:|---:|");
  for (const [name, t] of rows)
    console.log(
      `| ${name} | ${t.median.toFixed(0)} | ${t.max.toFixed(0)} | ${(t.median / baseline.median).toFixed(1)} |`,
    );
} finally {
  await prisma.$disconnect();
  await environment.dropSchema();
}
