import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import type { TagsJob } from "~/jobs/queues";
import { loader as appLoader } from "~/routes/app";
import { segmentTag } from "~/segmentation/catalog";
import { syncShop } from "~/sync/backfill.server";
import { FLOW_TRIGGER_HANDLE } from "~/tags/flow.server";
import { ensureShopifySegment } from "~/tags/shopify-segments.server";
import { tagsProcessor } from "../../workers/processors/tags";
import { startStoreHarness } from "../support/store-harness";
import { BROWSER } from "../support/session-token";

const shop = "tags-push.myshopify.com";

let harness: Awaited<ReturnType<typeof startStoreHarness>>;
let shopId: number;
let customerIds: bigint[];

const job = { data: { shopDomain: shop } } as Job<TagsJob>;
const push = (options: Parameters<typeof tagsProcessor>[1] = {}) =>
  tagsProcessor(prisma, options)(job);
const tag = (key: string, prefix = "propel") => segmentTag(prefix, key);

function store() {
  const runtime = harness.simulator.sim.shops.get(shop);
  if (!runtime) throw new Error("shop missing in the simulator");
  return runtime.store;
}
/** The customer's tags as Shopify holds them, in code-unit order. */
const shopifyTags = (id: bigint) => [...store().tags(store().customerIdxFromId(Number(id)))].sort();
/** A tag written by the merchant or another app, straight into the store. */
function setShopifyTags(id: bigint, tags: string[]) {
  store().setTags(store().customerIdxFromId(Number(id)), [...tags].sort(), Date.now());
  return prisma.customer.update({ where: { shopId_id: { shopId, id } }, data: { tags } });
}
async function graphqlRequests(): Promise<number> {
  const throttle = await harness.control(`/shops/${shop}/throttle`);
  return Number(throttle.requests);
}
/** Stands in for the recompute: what each customer should carry. */
async function want(rows: { id: bigint; tags: string[]; scores?: object }[]) {
  for (const row of rows)
    await prisma.tagSyncState.upsert({
      where: { shopId_customerId: { shopId, customerId: row.id } },
      create: {
        shopId,
        customerId: row.id,
        desiredTags: [...row.tags].sort(),
        desiredScores: row.scores,
      },
      update: { desiredTags: [...row.tags].sort(), desiredScores: row.scores, status: "PENDING" },
    });
}

describe("segments pushed to Shopify as customer tags (simulator, PostgreSQL, Redis)", () => {
  beforeAll(async () => {
    harness = await startStoreHarness(shop, 60, { workers: false });
    const request = new Request(await harness.frameUrl(), { headers: { "User-Agent": BROWSER } });
    await appLoader({ request, params: {}, context: {} });
    // The backfill is run here rather than by a worker, so no recompute rewrites the rows the
    // tests write as its stand-in.
    await syncShop(prisma, shop, "BACKFILL");
    const row = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
    shopId = row.id;
    const customers = await prisma.customer.findMany({
      where: { shopId },
      orderBy: { id: "asc" },
      take: 40,
    });
    customerIds = customers.map((customer) => customer.id);
    for (const id of customerIds) await setShopifyTags(id, []);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("applies exactly the desired tags, then a second identical push sends nothing", async () => {
    const desired = (i: number) =>
      i % 2 === 0
        ? [tag("rfm:CHAMPIONS"), tag("churn:LOW")]
        : [tag("rfm:AT_RISK"), tag("churn:HIGH"), tag("value:VOLUME")];
    await want(customerIds.map((id, i) => ({ id, tags: desired(i) })));

    const first = await push();
    expect(first).toMatchObject({ pushed: 40, unchanged: 0, failed: 0, bulk: false, throttled: 0 });
    customerIds.forEach((id, i) => expect(shopifyTags(id)).toEqual([...desired(i)].sort()));
    const rows = await prisma.tagSyncState.findMany({ where: { shopId } });
    expect(rows.every((row) => row.status === "SYNCED" && row.attempts === 1)).toBe(true);
    expect(rows.every((row) => row.appliedTags.join() === row.desiredTags.join())).toBe(true);

    // Nothing pending: no request at all.
    const before = await graphqlRequests();
    const second = await push();
    expect(second).toMatchObject({ pushed: 0, unchanged: 0, requests: 0 });
    // Rows flagged again with the same wish (a recompute that changed nothing): still no request.
    await prisma.tagSyncState.updateMany({ where: { shopId }, data: { status: "PENDING" } });
    const third = await push();
    expect(third).toMatchObject({ pushed: 0, unchanged: 40, requests: 0 });
    expect(await graphqlRequests()).toBe(before);
  });

  it("never touches tags it did not write, through changes and a prefix change", async () => {
    const [a, b] = customerIds;
    await setShopifyTags(a, [...shopifyTags(a), "VIP", "klaviyo:engaged"]);
    await setShopifyTags(b, [...shopifyTags(b), "wholesale"]);

    await want([
      { id: a, tags: [tag("rfm:LOYAL"), tag("churn:LOW")] },
      { id: b, tags: [] },
    ]);
    expect(await push()).toMatchObject({ pushed: 2, failed: 0 });
    expect(shopifyTags(a)).toEqual(["VIP", "klaviyo:engaged", "propel:churn-low", "propel:loyal"]);
    expect(shopifyTags(b)).toEqual(["wholesale"]);

    // The merchant moves Propel's tags under another prefix.
    await want([{ id: a, tags: [tag("rfm:LOYAL", "seg"), tag("churn:LOW", "seg")] }]);
    expect(await push()).toMatchObject({ pushed: 1 });
    expect(shopifyTags(a)).toEqual(["VIP", "klaviyo:engaged", "seg:churn-low", "seg:loyal"]);
  });

  it("keeps a customer within Shopify's 250 tags and records why a tag is missing", async () => {
    const id = customerIds[2];
    const own = Array.from({ length: 249 }, (_, i) => `merchant-${String(i).padStart(3, "0")}`);
    await setShopifyTags(id, own);
    await prisma.tagSyncState.update({
      where: { shopId_customerId: { shopId, customerId: id } },
      data: { appliedTags: [] },
    });
    await want([{ id, tags: [tag("rfm:CHAMPIONS"), tag("churn:LOW")] }]);
    expect(await push()).toMatchObject({ pushed: 1, failed: 0 });
    expect(shopifyTags(id)).toHaveLength(250);
    expect(shopifyTags(id)).toContain(tag("rfm:CHAMPIONS"));
    const row = await prisma.tagSyncState.findUniqueOrThrow({
      where: { shopId_customerId: { shopId, customerId: id } },
    });
    expect(row.lastError).toMatch(/1 tag\(s\) not added: the customer would exceed 250 tags/);
    expect(row.appliedTags).toEqual([tag("rfm:CHAMPIONS")]);
  });

  it("marks a customer deleted in Shopify as done, with a note, without failing the job", async () => {
    const id = customerIds[3];
    await harness.control(`/shops/${shop}/customers/${id}`, undefined, "DELETE");
    await want([{ id, tags: [tag("rfm:DORMANT")] }]);
    expect(await push()).toMatchObject({ failed: 0 });
    const row = await prisma.tagSyncState.findUniqueOrThrow({
      where: { shopId_customerId: { shopId, customerId: id } },
    });
    expect(row).toMatchObject({
      status: "SYNCED",
      lastError: "customer no longer exists in Shopify",
    });
  });

  it("writes key scores as app-owned metafields, and rewrites them only when they move", async () => {
    await prisma.shop.update({ where: { id: shopId }, data: { writeMetafields: true } });
    const id = customerIds[4];
    const gid = `gid://shopify/Customer/${id}`;
    const scores = {
      clvMinor: 12_345,
      churnRisk: "LOW",
      pAlive: 0.91,
      propensity: 0.3,
      churnScore: 0.18,
      nextOrderDate: "2027-02-01",
    };
    await want([{ id, tags: shopifyTags(id), scores }]);
    expect(await push()).toMatchObject({ metafieldsWritten: 6, failed: 0 });
    const written = Object.fromEntries(
      store()
        .getMetafields(gid)
        .map((metafield) => [
          metafield.key,
          { namespace: metafield.namespace, value: metafield.value },
        ]),
    );
    expect(written).toEqual({
      clv_12m: { namespace: "$app:propel", value: '{"amount":"123.45","currency_code":"USD"}' },
      churn_risk: { namespace: "$app:propel", value: "LOW" },
      p_alive: { namespace: "$app:propel", value: "0.9100" },
      propensity: { namespace: "$app:propel", value: "0.3000" },
      churn_score: { namespace: "$app:propel", value: "0.1800" },
      next_order_date: { namespace: "$app:propel", value: "2027-02-01" },
    });

    // Noise below the thresholds is not written; a real move is.
    await want([
      {
        id,
        tags: shopifyTags(id),
        scores: { ...scores, pAlive: 0.9, clvMinor: 12_400, nextOrderDate: "2027-02-03" },
      },
    ]);
    expect(await push()).toMatchObject({ metafieldsWritten: 0, unchanged: 1 });
    await want([{ id, tags: shopifyTags(id), scores: { ...scores, churnRisk: "HIGH" } }]);
    expect(await push()).toMatchObject({ metafieldsWritten: 6 });
    expect(
      store()
        .getMetafields(gid)
        .find((m) => m.key === "churn_risk")?.value,
    ).toBe("HIGH");
    await prisma.shop.update({ where: { id: shopId }, data: { writeMetafields: false } });
  });

  it("turns a segment entry into one Flow trigger, and skips them when Flow is off", async () => {
    const id = customerIds[5];
    const event = await prisma.segmentEvent.create({
      data: { shopId, customerId: id, segmentKey: "rfm:AT_RISK", change: "ENTERED" },
    });
    expect(await push()).toMatchObject({ flowSent: 1 });
    expect(await push()).toMatchObject({ flowSent: 0 });
    const triggers = (await (
      await fetch(`${harness.simulator.url}/_sim/shops/${shop}/flow-triggers`)
    ).json()) as { handle: string; payload: Record<string, unknown> }[];
    expect(triggers).toEqual([
      expect.objectContaining({
        handle: FLOW_TRIGGER_HANDLE,
        payload: {
          customer_id: Number(id),
          "Segment key": "rfm:AT_RISK",
          "Segment name": "At risk",
          "Segment family": "rfm",
          Change: "entered",
          "Event id": event.id.toString(),
        },
      }),
    ]);
    expect(
      (await prisma.segmentEvent.findUniqueOrThrow({ where: { id: event.id } })).flowSentAt,
    ).not.toBeNull();

    await prisma.shop.update({ where: { id: shopId }, data: { flowTriggers: false } });
    const left = await prisma.segmentEvent.create({
      data: { shopId, customerId: id, segmentKey: "rfm:AT_RISK", change: "LEFT" },
    });
    expect(await push()).toMatchObject({ flowSent: 0 });
    expect(await prisma.segmentEvent.findUniqueOrThrow({ where: { id: left.id } })).toMatchObject({
      flowSentAt: null,
      flowSkipped: "flow triggers off",
    });
    await prisma.shop.update({ where: { id: shopId }, data: { flowTriggers: true } });
  });

  it("creates a Shopify customer segment on a segment's tag once", async () => {
    const shopRow = await prisma.shop.findUniqueOrThrow({ where: { id: shopId } });
    const first = await ensureShopifySegment(prisma, shopRow, "rfm:CHAMPIONS");
    const again = await ensureShopifySegment(prisma, shopRow, "rfm:CHAMPIONS");
    expect(again).toEqual(first);
    expect(first).toMatchObject({
      name: "Propel: Champions",
      query: "customer_tags CONTAINS 'propel:champions'",
    });
    const segments = (await harness.control(`/shops/${shop}/segments`)) as unknown as {
      id: number;
      query: string;
    }[];
    expect(segments.filter((s) => s.query === first.query)).toHaveLength(1);
    expect(first.shopifyId).toBe(`gid://shopify/Segment/${segments[0].id}`);

    // Members are found by the tag the push wrote.
    const members = customerIds.filter((id) => shopifyTags(id).includes("propel:champions"));
    expect(members.length).toBeGreaterThan(0);
  });
});
