/**
 * Merchant page benchmark: a shop of 1,000,000 customers with metrics, five segment
 * memberships each, two orders each and 30 snapshots, seeded in SQL. Each page's loader is
 * called as Remix calls it (session token verified, offline session loaded, queries run) and
 * timed over many runs; the target is under 300 ms server time per page.
 *
 *   npx tsx test/bench/pages.bench.ts [--customers 1000000] [--runs 40] [--out report.md]
 *
 * The report is printed (and written to --out when given); its figures go in docs/benchmarks.md.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { BROWSER, sessionToken } from "../support/session-token";
import { benchEnvironment, machine } from "./support";

const { values } = parseArgs({
  options: {
    customers: { type: "string", default: "1000000" },
    runs: { type: "string", default: "40" },
    out: { type: "string" },
  },
});
const customers = Number(values.customers);
const runs = Number(values.runs);
const environment = await benchEnvironment("pages", "read_orders,read_customers,write_customers");

const { default: prisma } = await import("~/db.server");
const overview = await import("~/routes/app._index");
const segments = await import("~/routes/app.segments._index");
const segment = await import("~/routes/app.segments.$key");
const customer = await import("~/routes/app.customers.$id");
const models = await import("~/routes/app.models");
const { BUILT_IN_SEGMENTS } = await import("~/segmentation/catalog");

const domain = "bench-pages.myshopify.com";
const elapsed = (since: number) => (performance.now() - since) / 1000;

async function seed(): Promise<number> {
  const shop = await prisma.shop.create({ data: { domain } });
  await prisma.session.create({
    data: {
      id: `offline_${domain}`,
      shop: domain,
      state: "",
      scope: process.env.SCOPES,
      accessToken: "shpat_bench",
      expires: new Date(Date.now() + 24 * 3600_000),
    },
  });
  const id = shop.id;
  await prisma.$executeRawUnsafe(`SELECT setseed(0.42)`);
  await prisma.$executeRawUnsafe(
    `INSERT INTO "Customer" ("shopId", "id", "email", "firstName", "lastName", "shopifyCreatedAt",
        "shopifyUpdatedAt")
     SELECT $1, g, 'customer' || g || '@example.com',
            (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','John'])[1 + g % 8],
            'Surname' || (g % 9973), now() - interval '800 days', now()
       FROM generate_series(1, $2) g`,
    id,
    customers,
  );
  await prisma.$executeRawUnsafe(
    `INSERT INTO "Order" ("shopId", "id", "customerId", "name", "processedAt", "shopifyCreatedAt",
        "shopifyUpdatedAt", "currency", "totalMinor", "subtotalMinor")
     SELECT $1, g, 1 + (g % $2), '#' || g, now() - (g % 700) * interval '1 day',
            now() - (g % 700) * interval '1 day', now(), 'USD', 1000 + g % 20000, 1000 + g % 20000
       FROM generate_series(1, 2 * $2) g`,
    id,
    customers,
  );
  // Metrics drawn at random, in the ranges and shapes a recompute writes.
  await prisma.$executeRawUnsafe(
    `INSERT INTO "CustomerMetrics" ("shopId", "customerId", "computedAt", "orders", "frequency",
        "recencyDays", "ageDays", "totalSpentMinor", "aovMinor", "currency", "rScore", "fScore",
        "mScore", "rfmGroup", "fxvCell", "valueType", "pAlive", "expectedPurchases", "churnRisk",
        "clv12mMinor", "spendTier", "propensity", "details")
     SELECT $1, g, now(), o, o - 1, rec, rec + since, spent, spent / o, 'USD', r, f, m,
            (ARRAY['CHAMPIONS','LOYAL','ACTIVE','NEW','PROMISING','NEEDS_ATTENTION','AT_RISK',
                   'PREVIOUSLY_LOYAL','ALMOST_LOST','DORMANT'])[1 + (r * 2 + f) % 10],
            (ARRAY['FREQUENT_HIGH_SPEND','FREQUENT_LOW_SPEND','INFREQUENT_HIGH_SPEND',
                   'INFREQUENT_LOW_SPEND'])[1 + (f + m) % 4],
            (ARRAY['VALUABLE','VOLUME','OCCASIONAL'])[1 + m % 3],
            p, p * o / 3.0, CASE WHEN p < 0.3 THEN 'HIGH' WHEN p < 0.7 THEN 'MEDIUM' ELSE 'LOW' END,
            (p * spent)::bigint,
            CASE WHEN m = 5 THEN 'HIGH' WHEN m >= 3 THEN 'MEDIUM' ELSE 'LOW' END, random(),
            jsonb_build_object('daysSinceLast', since, 'meanGapDays', 30,
              'lastOrderDate', to_char(now() - since * interval '1 day', 'YYYY-MM-DD'), 'fm', (f + m) / 2)
       FROM (SELECT g, 1 + (random() * 6)::int AS o, (random() * 300)::int AS rec,
                    (random() * 400)::int AS since, 1000 + (random() * 50000)::bigint AS spent,
                    1 + (random() * 4)::int AS r, 1 + (random() * 4)::int AS f,
                    1 + (random() * 4)::int AS m, random() AS p
               FROM generate_series(1, $2) g) x`,
    id,
    customers,
  );
  await prisma.$executeRawUnsafe(
    `INSERT INTO "SegmentMembership" ("shopId", "segmentKey", "customerId")
     SELECT $1, k, "customerId" FROM "CustomerMetrics",
            LATERAL (VALUES ('rfm:' || "rfmGroup"), ('fxv:' || "fxvCell"), ('value:' || "valueType"),
                            ('churn:' || "churnRisk"), ('spend:' || "spendTier")) AS v(k)
      WHERE "shopId" = $1`,
    id,
  );
  // 30 snapshots of the same totals, as a day of incremental recomputes leaves them.
  const totals = await prisma.$queryRawUnsafe<
    { key: string; n: bigint; rev: bigint; clv: bigint }[]
  >(
    `SELECT m."segmentKey" AS key, count(*) AS n, sum(cm."totalSpentMinor")::bigint AS rev,
            sum(cm."clv12mMinor")::bigint AS clv
       FROM "SegmentMembership" m JOIN "CustomerMetrics" cm
         ON cm."shopId" = m."shopId" AND cm."customerId" = m."customerId"
      WHERE m."shopId" = $1 GROUP BY 1`,
    id,
  );
  const counts = Object.fromEntries(
    totals.map((t) => [
      t.key,
      { customers: Number(t.n), revenueMinor: Number(t.rev), clvMinor: Number(t.clv) },
    ]),
  );
  const rfmKeys = BUILT_IN_SEGMENTS.filter((s) => s.family === "rfm").map((s) => s.key);
  const movements = Object.fromEntries(
    rfmKeys.flatMap((from, i) =>
      rfmKeys.filter((to) => to !== from).map((to, j) => [`${from}->${to}`, i * 10 + j]),
    ),
  );
  const snapshotModels = {
    asOf: new Date().toISOString().slice(0, 10),
    customers,
    gates: [
      { model: "rfm", used: true },
      { model: "bgnbd", used: true },
      { model: "gammaGamma", used: true },
      { model: "propensity", used: true },
    ],
    bgnbd: {
      params: { r: 0.24, alpha: 4.4, a: 0.79, b: 2.4 },
      logLikelihood: -1e6,
      converged: true,
    },
    gammaGamma: { params: { p: 6.2, q: 3.7, v: 15.4 } },
    propensity: { method: "logistic", gate: { model: "propensity", used: true }, windowDays: 90 },
    clvBasis: "bgnbd+gamma-gamma",
    spendTierBasis: "clv",
    loyalty: {
      customersWithOrders: customers,
      repeatCustomers: customers / 2,
      repeatRate: 0.5,
      cohorts: [],
    },
  };
  for (let k = 30; k >= 1; k--) {
    await prisma.segmentSnapshot.create({
      data: {
        shopId: id,
        kind: k === 30 ? "full" : "incremental",
        takenAt: new Date(Date.now() - k * 3600_000),
        counts,
        movements,
        models: snapshotModels,
      },
    });
  }
  await prisma.syncRun.create({
    data: {
      shopId: id,
      kind: "BACKFILL",
      status: "SUCCEEDED",
      finishedAt: new Date(),
      customersSynced: customers,
      ordersSynced: 2 * customers,
    },
  });
  await prisma.$executeRawUnsafe(`ANALYZE`);
  return id;
}

/**
 * The segment page's indexes come from their migration; the baseline pass runs without them, so
 * the report shows what they buy in the same run.
 */
const PAGE_INDEX_MIGRATION = readFileSync(
  "prisma/migrations/20261124190000_segment_page_indexes/migration.sql",
  "utf8",
);
const PAGE_INDEXES = [...PAGE_INDEX_MIGRATION.matchAll(/CREATE INDEX "([^"]+)"/g)].map((m) => m[1]);

/** What the figures mean; part of the generated report so a re-run keeps it. */
const NOTES = [
  "How the pages stay fast:",
  "",
  "- Overview and the segment list read the latest SegmentSnapshot (sizes, revenue, CLV,",
  "  movements) and the last 30 snapshots for the trend; memberships are never counted live.",
  "- The segment page asks for members with a known CLV in index order, so PostgreSQL walks",
  '  the existing ("shopId", "clv12mMinor") index and stops after a page; members without a CLV',
  "  follow once those run out. Deeper pages cost more (every skipped row is probed), so",
  "  pagination stops at offset 5,000 (page 101); search and the CSV export reach the rest.",
  "- The customer page reads by primary key and the orders index.",
  "- Search finds matching customers first and sorts them afterwards (`column + 0` keeps the",
  "  planner from walking a sort index while hoping to meet a match).",
  "",
  "Without the segment page's indexes (the baseline pass), sorting a large segment by total",
  "spent, orders or last order sorts the whole segment, and prefix search scans every customer",
  "of the shop. The indexes are migration 20261124190000_segment_page_indexes.",
];

type Loader = (args: never) => Promise<unknown>;

/** p50 and p95 of a loader's time, token minting excluded. */
async function time(loader: Loader, path: string, params: Record<string, string> = {}) {
  const samples: number[] = [];
  for (let i = 0; i < runs + 5; i++) {
    const request = new Request(`http://127.0.0.1${path}`, {
      headers: { Authorization: `Bearer ${await sessionToken(domain)}`, "User-Agent": BROWSER },
    });
    const started = performance.now();
    const result = await loader({ request, params, context: {} } as never);
    const ms = performance.now() - started;
    if (result instanceof Response && result.status >= 400)
      throw new Error(`${path}: ${result.status}`);
    if (i >= 5) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { p50: at(0.5), p95: at(0.95) };
}

try {
  const seedStarted = performance.now();
  const shopId = await seed();
  const seedSeconds = elapsed(seedStarted);
  const [largest] = await prisma.$queryRawUnsafe<{ key: string; n: bigint }[]>(
    `SELECT "segmentKey" AS key, count(*) AS n FROM "SegmentMembership" WHERE "shopId" = $1
      GROUP BY 1 ORDER BY 2 DESC LIMIT 1`,
    shopId,
  );
  const [smallest] = await prisma.$queryRawUnsafe<{ key: string; n: bigint }[]>(
    `SELECT "segmentKey" AS key, count(*) AS n FROM "SegmentMembership" WHERE "shopId" = $1
      GROUP BY 1 ORDER BY 2 ASC LIMIT 1`,
    shopId,
  );
  const big = largest.key;
  const small = smallest.key;
  const someone = String(Math.ceil(customers * 0.4242));
  const url = (key: string, query = "") => `/app/segments/${encodeURIComponent(key)}${query}`;
  const cases: [string, Loader, string, Record<string, string>][] = [
    ["Overview", overview.loader, "/app", {}],
    ["Segments (all families)", segments.loader, "/app/segments", {}],
    [
      `Segment page, by CLV, largest segment (${big}, ${Number(largest.n).toLocaleString("en-US")} members)`,
      segment.loader,
      url(big),
      { key: big },
    ],
    [`… page 100 (offset 4,950)`, segment.loader, url(big, "?page=100"), { key: big }],
    [`… by last order`, segment.loader, url(big, "?sort=lastOrder"), { key: big }],
    [`… by total spent`, segment.loader, url(big, "?sort=spent"), { key: big }],
    [`… by orders`, segment.loader, url(big, "?sort=orders"), { key: big }],
    [
      `… search "customer12345" (email prefix)`,
      segment.loader,
      url(big, "?q=customer12345"),
      { key: big },
    ],
    [
      `… search "grace surname12" (name)`,
      segment.loader,
      url(big, "?q=grace%20surname12"),
      { key: big },
    ],
    [
      `Segment page, by CLV, smallest segment (${small}, ${Number(smallest.n).toLocaleString("en-US")} members)`,
      segment.loader,
      url(small),
      { key: small },
    ],
    ["Customer page", customer.loader, `/app/customers/${someone}`, { id: someone }],
    ["Model trust", models.loader, "/app/models", {}],
  ];
  const timings: { p50: number; p95: number }[][] = [[], []];
  for (const pass of [0, 1]) {
    if (pass === 0) {
      for (const name of PAGE_INDEXES) await prisma.$executeRawUnsafe(`DROP INDEX "${name}"`);
      await prisma.$executeRawUnsafe(`ANALYZE`);
    } else {
      const started = performance.now();
      for (const sql of PAGE_INDEX_MIGRATION.split(";").filter((part) => /CREATE INDEX/.test(part)))
        await prisma.$executeRawUnsafe(sql);
      await prisma.$executeRawUnsafe(`ANALYZE`);
      console.log(`segment page indexes built in ${elapsed(started).toFixed(0)} s`);
    }
    for (const [name, loader, path, params] of cases) {
      timings[pass].push(await time(loader, path, params));
      const t = timings[pass][timings[pass].length - 1];
      console.log(
        `${pass === 0 ? "baseline" : "as migrated"} | ${name} | ${t.p50.toFixed(1)} | ${t.p95.toFixed(1)}`,
      );
    }
  }
  const rows = cases.map(
    ([name], i) =>
      `| ${name} | ${timings[0][i].p50.toFixed(1)} | ${timings[0][i].p95.toFixed(1)} | ${timings[1][i].p50.toFixed(1)} | ${timings[1][i].p95.toFixed(1)} |`,
  );
  const report = [
    `## Merchant pages at ${customers.toLocaleString("en-US")} customers`,
    "",
    `${new Date().toISOString().slice(0, 10)} — ${machine()}.`,
    "",
    `Seeded in SQL in ${seedSeconds.toFixed(0)} s: ${customers.toLocaleString("en-US")} customers with metrics,`,
    `five segment memberships each, ${(2 * customers).toLocaleString("en-US")} orders and 30 snapshots.`,
    `Each loader is called as Remix calls it (session token verified, offline session loaded, the`,
    `page's queries run), ${runs} timed runs after 5 warm-ups; server time in milliseconds,`,
    `rendering excluded. Target: under 300 ms. Baseline: the same pages without the segment`,
    `page's indexes.`,
    "",
    "| page | baseline p50 ms | baseline p95 ms | p50 ms | p95 ms |",
    "|---|---:|---:|---:|---:|",
    ...rows,
    "",
    ...NOTES,
    "",
  ].join("\n");
  if (values.out) writeFileSync(values.out, report);
  console.log(`\n${report}`);
} catch (error) {
  console.error(error instanceof Response ? `${error.status} ${await error.text()}` : error);
  process.exitCode = 1;
} finally {
  await prisma.$disconnect();
  await environment.dropSchema();
  // The Shopify library's and the queue module's handles would keep the process alive.
  process.exit();
}
