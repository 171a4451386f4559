import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";
import { loader as customerLoader } from "~/routes/app.customers.$id";
import { loader as modelsLoader } from "~/routes/app.models";
import { loader as overviewLoader } from "~/routes/app._index";
import { loader as segmentLoader } from "~/routes/app.segments.$key";
import { loader as csvLoader } from "~/routes/app.segments.$key[.csv]";
import { loader as segmentsLoader } from "~/routes/app.segments._index";
import { action as settingsAction, loader as settingsLoader } from "~/routes/app.settings";
import type { SnapshotModels } from "~/segmentation/snapshot";
import { BROWSER, sessionToken } from "../support/session-token";

const shopA = "pages-a.myshopify.com";
const shopB = "pages-b.myshopify.com";
const shopEmpty = "pages-empty.myshopify.com";
const shopPaging = "pages-paging.myshopify.com";

async function request(shop: string, path: string, init: RequestInit = {}): Promise<Request> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${await sessionToken(shop)}`);
  headers.set("User-Agent", BROWSER);
  return new Request(`http://localhost:3999${path}`, { ...init, headers });
}

async function call<T>(
  handler: (args: never) => Promise<T>,
  args: { request: Request; params?: Record<string, string> },
): Promise<T | Response> {
  try {
    return await handler({ params: {}, context: {}, ...args } as never);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** A loader's data (plain object or JSON response). */
async function data<T>(result: T | Response): Promise<T> {
  if (result instanceof Response) {
    if (result.headers.get("Content-Type")?.includes("json")) return (await result.json()) as T;
    throw new Error(`expected data, got ${result.status}: ${await result.text()}`);
  }
  return result;
}

const day = 86_400_000;
const now = Date.now();

const models: SnapshotModels = {
  asOf: "2026-11-20",
  customers: 5,
  gates: [
    { model: "rfm", used: true },
    { model: "bgnbd", used: true },
    {
      model: "gammaGamma",
      used: false,
      code: "TOO_FEW_REPEAT_BUYERS",
      reason:
        "The spend model needs at least 30 repeat buyers with positive spend; the shop has 3.",
    },
    { model: "propensity", used: true },
  ],
  bgnbd: {
    params: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
    logLikelihood: -9582.4,
    converged: true,
  },
  propensity: {
    method: "logistic",
    gate: { model: "propensity", used: true },
    windowDays: 90,
    coefficients: { valueTrend: 0.8, logDaysSinceLast: -1.1 },
    intercept: -0.4,
    converged: true,
    backtest: {
      kind: "later-window",
      auc: 0.74,
      calibration: [
        { count: 50, meanPredicted: 0.1, observedRate: 0.08 },
        { count: 50, meanPredicted: 0.4, observedRate: 0.45 },
      ],
      trainCustomers: 400,
      testCustomers: 100,
      testPositiveRate: 0.26,
    },
  },
  holdout: {
    holdoutDays: 91,
    buckets: [
      { frequency: 0, label: "0", customers: 3, meanActual: 0.2, meanPredicted: 0.25 },
      { frequency: 1, label: "1+", customers: 2, meanActual: 1.1, meanPredicted: 0.9 },
    ],
    totalActual: 2.8,
    totalPredicted: 2.55,
  },
  clvBasis: "bgnbd+aov",
  spendTierBasis: "clv",
  loyalty: { customersWithOrders: 5, repeatCustomers: 3, repeatRate: 0.6, cohorts: [] },
};

let idA = 0;
let idB = 0;

async function seedShop(domain: string) {
  const shop = await prisma.shop.create({ data: { domain, currencyCode: "USD" } });
  await prisma.session.create({
    data: {
      id: `offline_${domain}`,
      shop: domain,
      state: "",
      isOnline: false,
      scope: process.env.SCOPES,
      accessToken: "shpat_test",
      expires: new Date(now + 3600_000),
      refreshToken: "shprt_test",
      refreshTokenExpires: new Date(now + 90 * day),
    },
  });
  return shop.id;
}

interface Person {
  id: bigint;
  email: string;
  firstName: string;
  lastName: string;
  clv: bigint | null;
  spent: bigint;
  orders: number;
  rfm: string;
  daysSinceLast: number;
}

async function seedCustomers(shopId: number, people: Person[]) {
  for (const p of people) {
    await prisma.customer.create({
      data: {
        shopId,
        id: p.id,
        email: p.email,
        firstName: p.firstName,
        lastName: p.lastName,
        tags: [`propel:${p.rfm.toLowerCase()}`],
        shopifyCreatedAt: new Date(now - 400 * day),
        shopifyUpdatedAt: new Date(now - day),
      },
    });
    for (let k = 0; k < p.orders; k++) {
      await prisma.order.create({
        data: {
          shopId,
          id: p.id * 100n + BigInt(k),
          customerId: p.id,
          name: `#${p.id}${k}`,
          processedAt: new Date(now - (p.daysSinceLast + 21 * k) * day),
          shopifyCreatedAt: new Date(now - (p.daysSinceLast + 21 * k) * day),
          shopifyUpdatedAt: new Date(now - day),
          currency: "USD",
          totalMinor: p.spent / BigInt(p.orders),
          subtotalMinor: p.spent / BigInt(p.orders),
        },
      });
    }
    await prisma.customerMetrics.create({
      data: {
        shopId,
        customerId: p.id,
        computedAt: new Date(now),
        orders: p.orders,
        frequency: Math.max(0, p.orders - 1),
        recencyDays: 21 * (p.orders - 1),
        ageDays: 21 * (p.orders - 1) + p.daysSinceLast,
        totalSpentMinor: p.spent,
        aovMinor: p.spent / BigInt(p.orders),
        currency: "USD",
        rScore: 2,
        fScore: 4,
        mScore: 5,
        rfmGroup: p.rfm,
        valueType: "VALUABLE",
        pAlive: 0.34,
        expectedPurchases: 0.4,
        churnRisk: "MEDIUM",
        clv12mMinor: p.clv,
        spendTier: "HIGH",
        propensity: 0.2,
        details: {
          daysSinceLast: p.daysSinceLast,
          meanGapDays: p.orders > 1 ? 21 : null,
          lastOrderDate: new Date(now - p.daysSinceLast * day).toISOString().slice(0, 10),
          discountShare: 0.1,
          fm: 5,
        },
      },
    });
    await prisma.segmentMembership.createMany({
      data: [
        { shopId, segmentKey: `rfm:${p.rfm}`, customerId: p.id },
        { shopId, segmentKey: "churn:MEDIUM", customerId: p.id },
      ],
    });
  }
}

const person = (id: number, over: Partial<Person>): Person => ({
  id: BigInt(id),
  email: `customer${id}@example.com`,
  firstName: "Pat",
  lastName: `Number${id}`,
  clv: 10_000n * BigInt(id),
  spent: 5_000n * BigInt(id),
  orders: 3,
  rfm: "AT_RISK",
  daysSinceLast: 64,
  ...over,
});

describe("merchant pages", () => {
  beforeAll(async () => {
    idA = await seedShop(shopA);
    idB = await seedShop(shopB);
    await seedShop(shopEmpty);
    await seedCustomers(idA, [
      person(1, {
        email: "grace@example.com",
        firstName: "Grace",
        lastName: "Hopper",
        clv: 90_000n,
      }),
      person(2, { firstName: '=HYPERLINK("x")', lastName: 'Smith, "Jr"' }),
      person(3, { clv: null }),
      person(4, { clv: 40_000n, email: "ada@example.com", firstName: "Ada" }),
      person(5, { rfm: "LOYAL", orders: 1, daysSinceLast: 10 }),
    ]);
    // Shop B reuses customer id 1 and the same segment: none of it may show in shop A.
    await seedCustomers(idB, [
      person(1, { email: "other-shop@example.com", firstName: "Other", clv: 999_999n }),
    ]);
    const counts = (atRisk: number) => ({
      "rfm:AT_RISK": { customers: atRisk, revenueMinor: 50_000 * atRisk, clvMinor: 140_000 },
      "rfm:LOYAL": { customers: 1, revenueMinor: 25_000, clvMinor: 50_000 },
      "churn:MEDIUM": { customers: 5, revenueMinor: 75_000, clvMinor: 190_000 },
    });
    await prisma.segmentSnapshot.create({
      data: {
        shopId: idA,
        kind: "full",
        takenAt: new Date(now - 20 * day),
        counts: counts(2),
        movements: {},
        models: models as never,
      },
    });
    await prisma.segmentSnapshot.create({
      data: {
        shopId: idA,
        kind: "incremental",
        takenAt: new Date(now - 2 * day),
        counts: counts(4),
        movements: {
          "rfm:LOYAL->rfm:AT_RISK": 42,
          "(none)->rfm:NEW": 7,
          "churn:LOW->churn:MEDIUM": 3,
        },
        models: models as never,
      },
    });
    await prisma.segmentSnapshot.create({
      data: {
        shopId: idB,
        kind: "full",
        counts: { "rfm:AT_RISK": { customers: 777, revenueMinor: 1, clvMinor: 1 } },
        movements: { "rfm:CHAMPIONS->rfm:AT_RISK": 555 },
        models: models as never,
      },
    });
    const empty = await prisma.shop.findUniqueOrThrow({ where: { domain: shopEmpty } });
    await prisma.syncRun.create({
      data: {
        shopId: empty.id,
        kind: "BACKFILL",
        customersSynced: 1200,
        customersTotal: 4800,
        ordersSynced: 300,
        ordersTotal: null,
      },
    });
  });

  afterAll(async () => {
    await prisma.session.deleteMany({
      where: { shop: { in: [shopA, shopB, shopEmpty, shopPaging] } },
    });
    await prisma.shop.deleteMany({
      where: { domain: { in: [shopA, shopB, shopEmpty, shopPaging] } },
    });
    await queues().recompute.obliterate({ force: true });
  });

  it("refuse a request without a session token", async () => {
    const result = await call(overviewLoader, {
      request: new Request("http://localhost:3999/app", {
        headers: { "User-Agent": BROWSER, Authorization: "Bearer not-a-token" },
      }),
    });
    expect(result).toBeInstanceOf(Response);
    expect((result as Response).status).toBe(401);
  });

  it("show the overview from the latest snapshot, with movements and the trend", async () => {
    const overview = await data(
      await call(overviewLoader, { request: await request(shopA, "/app") }),
    );
    expect(overview.snapshot?.kind).toBe("incremental");
    const atRisk = overview.segments.find((s) => s.key === "rfm:AT_RISK")!;
    expect(atRisk).toMatchObject({ customers: 4, revenueMinor: 200_000, label: "At risk" });
    expect(overview.segments.find((s) => s.key === "rfm:CHAMPIONS")?.customers).toBe(0);
    expect(overview.trend.map((t) => t.counts["rfm:AT_RISK"])).toEqual([2, 4]);
    // Entering a family is growth, not a movement; the other shop's 555 never shows.
    expect(overview.movements).toEqual([
      expect.objectContaining({ from: "rfm:LOYAL", to: "rfm:AT_RISK", customers: 42 }),
      expect.objectContaining({ from: "churn:LOW", to: "churn:MEDIUM", customers: 3 }),
    ]);
    expect(overview.rfmGrid[5][4]).toBe("CHAMPIONS");
  });

  it("show backfill progress while a shop has no snapshot yet", async () => {
    const overview = await data(
      await call(overviewLoader, { request: await request(shopEmpty, "/app") }),
    );
    expect(overview.snapshot).toBeNull();
    expect(overview.backfill).toMatchObject({
      status: "RUNNING",
      customersSynced: 1200,
      customersTotal: 4800,
      ordersTotal: null,
    });
  });

  it("list segments with their sizes", async () => {
    const list = await data(
      await call(segmentsLoader, { request: await request(shopB, "/app/segments") }),
    );
    expect(list.segments.find((s) => s.key === "rfm:AT_RISK")?.customers).toBe(777);
    expect(list.segments.find((s) => s.key === "churn:MEDIUM")?.customers).toBe(0);
  });

  it("page through a segment's customers sorted by CLV, only the shop's own", async () => {
    const page = await data(
      await call(segmentLoader, {
        request: await request(shopA, "/app/segments/rfm%3AAT_RISK"),
        params: { key: "rfm:AT_RISK" },
      }),
    );
    expect(page.definition.label).toBe("At risk");
    expect(page.current?.customers).toBe(4);
    expect(page.history.map((p) => p.customers)).toEqual([2, 4]);
    // Highest CLV first, unknown CLV last; customer 5 is LOYAL; shop B's customer 1 is not here.
    expect(page.members.rows.map((r) => r.id)).toEqual(["1", "4", "2", "3"]);
    expect(page.members.rows[0]).toMatchObject({
      email: "grace@example.com",
      name: "Grace Hopper",
      clv12mMinor: 90_000,
    });
    expect(page.members.hasNext).toBe(false);
    // The playbook is sized by the segment's average CLV (140,000 / 4) and order value.
    expect(page.promotions.map((p) => p.kind)).toContain("winback_discount");

    const ascending = await data(
      await call(segmentLoader, {
        request: await request(shopA, "/app/segments/rfm%3AAT_RISK?sort=spent&direction=asc"),
        params: { key: "rfm:AT_RISK" },
      }),
    );
    expect(ascending.members.rows.map((r) => r.id)).toEqual(["1", "2", "3", "4"]);

    // A sort named after an Object.prototype member is unknown: the default sort, not a 500.
    for (const sort of ["constructor", "toString", "__proto__", "nonsense"]) {
      const fallback = await data(
        await call(segmentLoader, {
          request: await request(shopA, `/app/segments/rfm%3AAT_RISK?sort=${sort}`),
          params: { key: "rfm:AT_RISK" },
        }),
      );
      expect(fallback.members.rows.map((r) => r.id)).toEqual(["1", "4", "2", "3"]);
    }
  });

  it("page past the customers with a known CLV into those without one", async () => {
    const shopId = await seedShop(shopPaging);
    // 60 members with a CLV (60 … 1 × 100) and 60 without, in segment value:VOLUME.
    await prisma.$executeRaw`
      INSERT INTO "Customer" ("shopId", "id", "shopifyCreatedAt", "shopifyUpdatedAt")
      SELECT ${shopId}, g, now(), now() FROM generate_series(1, 120) g`;
    await prisma.$executeRaw`
      INSERT INTO "CustomerMetrics" ("shopId", "customerId", "computedAt", "orders", "frequency",
          "recencyDays", "ageDays", "totalSpentMinor", "aovMinor", "currency", "rfmGroup", "clv12mMinor")
      SELECT ${shopId}, g, now(), 1, 0, 0, 10, 1000, 1000, 'USD', 'NEW',
             CASE WHEN g <= 60 THEN g * 100 END
        FROM generate_series(1, 120) g`;
    await prisma.$executeRaw`
      INSERT INTO "SegmentMembership" ("shopId", "segmentKey", "customerId")
      SELECT ${shopId}, 'value:VOLUME', g FROM generate_series(1, 120) g`;
    const ids = async (page: number, direction = "desc") =>
      (
        await data(
          await call(segmentLoader, {
            request: await request(
              shopPaging,
              `/app/segments/value%3AVOLUME?page=${page}&direction=${direction}`,
            ),
            params: { key: "value:VOLUME" },
          }),
        )
      ).members;
    const range = (from: number, to: number, step = from <= to ? 1 : -1) =>
      Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => String(from + i * step));
    const first = await ids(1);
    expect(first.rows.map((r) => r.id)).toEqual(range(60, 11));
    expect(first).toMatchObject({ hasNext: true, hasPrevious: false });
    // Page 2: the last ten known, then unknown ones by id (descending, like the sort).
    expect((await ids(2)).rows.map((r) => r.id)).toEqual([...range(10, 1), ...range(120, 81)]);
    const third = await ids(3);
    expect(third.rows.map((r) => r.id)).toEqual(range(80, 61));
    expect(third.hasNext).toBe(false);
    // Ascending, unknown values still come last.
    expect((await ids(2, "asc")).rows.map((r) => r.id)).toEqual([
      ...range(51, 60),
      ...range(61, 100),
    ]);
  });

  it("search a segment by email or name prefix, with wildcards taken literally", async () => {
    const search = async (q: string) =>
      (
        await data(
          await call(segmentLoader, {
            request: await request(shopA, `/app/segments/rfm%3AAT_RISK?q=${encodeURIComponent(q)}`),
            params: { key: "rfm:AT_RISK" },
          }),
        )
      ).members.rows.map((r) => r.id);
    expect(await search("GRA")).toEqual(["1"]);
    expect(await search("ada@")).toEqual(["4"]);
    expect(await search("hopper")).toEqual(["1"]);
    expect(await search("Grace Hop")).toEqual(["1"]);
    expect(await search("%")).toEqual([]);
    expect(await search("other-shop")).toEqual([]);
  });

  it("answer 404 for an unknown segment", async () => {
    const result = await call(segmentLoader, {
      request: await request(shopA, "/app/segments/nope"),
      params: { key: "rfm:NOPE" },
    });
    expect((result as Response).status).toBe(404);
  });

  it("export a segment as CSV with fields escaped", async () => {
    const response = (await call(csvLoader, {
      request: await request(shopA, "/app/segments/rfm%3AAT_RISK.csv"),
      params: { key: "rfm:AT_RISK" },
    })) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toBe(
      'attachment; filename="pages-a-rfm-at-risk.csv"',
    );
    const lines = (await response.text()).trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^Customer ID,Email,First name,Last name,Orders,Total spent/);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^1,grace@example\.com,Grace,Hopper,3,50,/);
    // A formula is defused and quotes and commas are quoted.
    expect(lines[2]).toContain(`,"'=HYPERLINK(""x"")","Smith, ""Jr""",`);
    expect(lines.some((line) => line.includes("other-shop"))).toBe(false);
  });

  it("show a customer with orders and a reason beside each score", async () => {
    const page = await data(
      await call(customerLoader, {
        request: await request(shopA, "/app/customers/1"),
        params: { id: "1" },
      }),
    );
    expect(page.customer).toMatchObject({ email: "grace@example.com", name: "Grace Hopper" });
    expect(page.orders).toHaveLength(3);
    expect(page.orderCount).toBe(3);
    expect(page.segments.map((s) => s.key)).toEqual(["churn:MEDIUM", "rfm:AT_RISK"]);
    expect(page.explanations).toMatchObject({
      cadence: "Usually orders every 21 days; last order 64 days ago.",
      pAlive: "P(alive) 0.34: quiet for 3× their usual gap (64 days against 21 days).",
      churnRisk: "Medium: P(alive) 0.34 is between 0.30 and 0.70.",
    });
    // The snapshot says the spend model did not run, so CLV rests on the average order.
    expect(page.explanations?.clv).toMatch(/^Their average order of \$16\.66 ×/);
  });

  it("never show another shop's customer", async () => {
    const other = await call(customerLoader, {
      request: await request(shopEmpty, "/app/customers/1"),
      params: { id: "1" },
    });
    expect((other as Response).status).toBe(404);
    const bogus = await call(customerLoader, {
      request: await request(shopA, "/app/customers/x"),
      params: { id: "1; drop" },
    });
    expect((bogus as Response).status).toBe(404);
  });

  it("report each model, why it did or did not run, and its checks", async () => {
    const report = await data(
      await call(modelsLoader, { request: await request(shopA, "/app/models") }),
    );
    expect(report.models?.gates.find((g) => g.model === "gammaGamma")?.used).toBe(false);
    expect(report.models?.bgnbd?.params.r).toBeCloseTo(0.243);
    expect(report.models?.holdout?.buckets).toHaveLength(2);
    expect(report.models?.propensity.backtest?.auc).toBe(0.74);
    // Shopify's groups were never read for these customers: nothing to compare.
    expect(report.shopifyAgreement).toMatchObject({ compared: 0, agreeing: 0 });
    const none = await data(
      await call(modelsLoader, { request: await request(shopEmpty, "/app/models") }),
    );
    expect(none.models).toBeNull();
  });

  it("reject invalid settings with a message per field and save nothing", async () => {
    const before = await prisma.shop.findUniqueOrThrow({ where: { domain: shopA } });
    const form = new URLSearchParams({
      tagPrefix: "Bad Prefix!",
      churnHigh: "0.8",
      churnMedium: "0.5",
      spendHighPercent: "10",
      spendMediumPercent: "40",
      forecastDays: "abc",
      clvMonths: "12",
      discountRatePercent: "1",
      marginPercent: "150",
    });
    form.append("taggedFamilies[]", "rfm");
    form.append("taggedFamilies[]", "nonsense");
    for (const r of ["1", "2", "3", "4", "5"])
      for (const fm of ["1", "2", "3", "4", "5"]) form.set(`rfm-${r}-${fm}`, "LOYAL");
    form.set("rfm-3-3", "PROSPECTS");
    const result = (await call(settingsAction, {
      request: await request(shopA, "/app/settings", { method: "POST", body: form }),
    })) as { ok: boolean; errors: Record<string, string> };
    expect(result.ok).toBe(false);
    const { errors } = result;
    expect(Object.keys(errors).sort()).toEqual(
      [
        "churnHigh",
        "forecastDays",
        "marginPercent",
        "rfmGrid",
        "tagPrefix",
        "taggedFamilies",
      ].sort(),
    );
    expect(errors.churnHigh).toMatch(/below the medium-risk threshold/);
    expect(errors.rfmGrid).toMatch(/R=3, FM=3: "PROSPECTS"/);
    const after = await prisma.shop.findUniqueOrThrow({ where: { domain: shopA } });
    expect(after).toEqual(before);
  });

  it("save valid settings and ask for a full recompute", async () => {
    const current = await data(
      await call(settingsLoader, { request: await request(shopA, "/app/settings") }),
    );
    expect(current).toMatchObject({
      tagPrefix: "propel",
      churnHigh: "0.3",
      spendHighPercent: "10",
    });
    const form = new URLSearchParams({
      tagPrefix: "seg",
      flowTriggers: "on",
      churnHigh: "0.25",
      churnMedium: "0.6",
      spendHighPercent: "15",
      spendMediumPercent: "35",
      forecastDays: "60",
      clvMonths: "24",
      discountRatePercent: "1.5",
      marginPercent: "35",
    });
    form.append("taggedFamilies[]", "churn");
    form.append("taggedFamilies[]", "rfm");
    for (const [r, row] of Object.entries(current.rfmGrid))
      row.forEach((group, i) => form.set(`rfm-${r}-${i + 1}`, group));
    form.set("rfm-1-1", "ALMOST_LOST");
    const result = await data(
      await call(settingsAction, {
        request: await request(shopA, "/app/settings", { method: "POST", body: form }),
      }),
    );
    expect(result.ok).toBe(true);
    const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: shopA } });
    expect(shop).toMatchObject({
      tagPrefix: "seg",
      taggedFamilies: ["rfm", "churn"],
      flowTriggers: true,
      writeMetafields: false,
    });
    expect(shop.segmentSettings).toMatchObject({
      churnThresholds: { high: 0.25, medium: 0.6 },
      spendTierShares: { high: 0.15, medium: 0.35 },
      forecastDays: 60,
      clvMonths: 24,
      monthlyDiscountRate: 0.015,
      marginRate: 0.35,
      rfmGrid: { 1: ["ALMOST_LOST", "DORMANT", "ALMOST_LOST", "AT_RISK", "PREVIOUSLY_LOYAL"] },
    });
    expect(shop.fullRecomputeRequestedAt).not.toBeNull();
    const jobs = await queues().recompute.getJobs(["waiting", "delayed", "prioritized"]);
    expect(jobs.map((j) => j.data)).toContainEqual({ shopDomain: shopA, full: true });
    // Shop B's settings are untouched.
    const b = await prisma.shop.findUniqueOrThrow({ where: { domain: shopB } });
    expect(b.tagPrefix).toBe("propel");
  });

  it("explain churn over the shop's horizon, the next order and intervals once a purchase model ran", async () => {
    const shopRow = await prisma.shop.findUniqueOrThrow({ where: { domain: shopA } });
    const latest = await prisma.segmentSnapshot.findFirstOrThrow({
      where: { shopId: shopRow.id },
      orderBy: { takenAt: "desc" },
    });
    const purchase = {
      basis: "model",
      selected: "bgnbd",
      model: { name: "bgnbd", params: { r: 0.243, alpha: 30.9, a: 0.793, b: 2.426 } },
      selection: {
        selected: "bgnbd",
        basis: "holdout",
        calibrationEnd: 0,
        holdoutDays: 91,
        customers: 400,
        scores: [
          {
            model: "bgnbd",
            converged: true,
            calibrationLogLikelihood: -1,
            brier: 0.12,
            rmse: 0.7,
            predictedOrders: 10,
            actualOrders: 11,
          },
        ],
      },
      fits: {},
      horizonDays: 78,
      baselineScore: 0.74,
      typical: { x: 0, T: 0 },
      covariance: [
        [0.0027, 0.0035, -0.0005, 0.0001],
        [0.0035, 0.0073, -0.0008, 0.001],
        [-0.0005, -0.0008, 0.055, 0.064],
        [0.0001, 0.001, 0.064, 0.085],
      ],
      unitDays: 1,
    };
    await prisma.segmentSnapshot.update({
      where: { id: latest.id },
      data: { models: { ...(latest.models as object), purchase } as never },
    });
    const metrics = await prisma.customerMetrics.findUniqueOrThrow({
      where: { shopId_customerId: { shopId: shopRow.id, customerId: 1n } },
    });
    await prisma.customerMetrics.update({
      where: { shopId_customerId: { shopId: shopRow.id, customerId: 1n } },
      data: {
        details: {
          ...(metrics.details as object),
          churnScore: 0.91,
          nextOrderProbability: 0.42,
          expectedSpendMinor: 1666,
        },
      },
    });
    try {
      const page = await data(
        await call(customerLoader, {
          request: await request(shopA, "/app/customers/1"),
          params: { id: "1" },
        }),
      );
      // The band thresholds quoted are the shop's settings, saved as 0.25 / 0.6 above.
      expect(page.explanations?.churnRisk).toBe(
        "Medium: 91% chance of no order in the next 78 days. A customer who has just ordered orders again within that time with chance 26%; this customer's 9% is 35% of that (high below 25%, medium below 60%). From the BG/NBD model, the one that predicted this shop's held-out orders best.",
      );
      expect(page.explanations?.nextOrder).toBe(
        "42% chance of another order within two years; too unlikely for an expected date.",
      );
      const interval = page.intervals!.churnScore;
      expect(interval.p10).toBeLessThan(interval.p90);
      expect(interval.p10).toBeGreaterThan(0);
      expect(interval.p90).toBeLessThanOrEqual(1);
      expect(page.intervals!.clvMinor!.p10).toBeLessThan(page.intervals!.clvMinor!.p90);

      // The export carries the same intervals, linearised (delta method) rather than sampled.
      const csv = (await call(csvLoader, {
        request: await request(shopA, "/app/segments/rfm%3AAT_RISK.csv"),
        params: { key: "rfm:AT_RISK" },
      })) as Response;
      const [header, ...rows] = (await csv.text()).trimEnd().split("\r\n");
      const columns = header.split(",");
      const grace = rows.find((line) => line.startsWith("1,"))!.split(",");
      const value = (name: string) => Number(grace[columns.indexOf(name)]);
      const [churnP10, churnP90] = [
        value("Churn score (10th percentile)"),
        value("Churn score (90th percentile)"),
      ];
      expect(churnP10).toBeLessThan(churnP90);
      expect(Math.abs(churnP10 - interval.p10)).toBeLessThan(0.01);
      expect(Math.abs(churnP90 - interval.p90)).toBeLessThan(0.01);
      const [clvP10, clvP90] = [
        value("Predicted CLV (10th percentile)"),
        value("Predicted CLV (90th percentile)"),
      ];
      expect(clvP10).toBeLessThan(clvP90);
      const clvPage = page.intervals!.clvMinor!;
      expect(Math.abs(clvP10 * 100 - clvPage.p10) / clvPage.p10).toBeLessThan(0.03);
      expect(Math.abs(clvP90 * 100 - clvPage.p90) / clvPage.p90).toBeLessThan(0.03);
      const report = await data(
        await call(modelsLoader, { request: await request(shopA, "/app/models") }),
      );
      expect(report.models?.purchase?.selection?.scores[0].brier).toBe(0.12);
    } finally {
      await prisma.segmentSnapshot.update({
        where: { id: latest.id },
        data: { models: latest.models as never },
      });
      await prisma.customerMetrics.update({
        where: { shopId_customerId: { shopId: shopRow.id, customerId: 1n } },
        data: { details: metrics.details as never },
      });
    }
  });
});
