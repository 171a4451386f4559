import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { loader as appLoader } from "~/routes/app";
import { action } from "~/routes/app.segments.$key";
import type { TagsJob } from "~/jobs/queues";
import { tagsProcessor } from "../../workers/processors/tags";
import { BROWSER, sessionToken } from "../support/session-token";
import { startStoreHarness } from "../support/store-harness";

const shop = "shopify-segment.myshopify.com";
let harness: Awaited<ReturnType<typeof startStoreHarness>>;

async function createFor(key: string) {
  const body = new URLSearchParams({ intent: "create-shopify-segment" });
  const request = new Request(`http://127.0.0.1/app/segments/${encodeURIComponent(key)}`, {
    method: "POST",
    body,
    headers: {
      Authorization: `Bearer ${await sessionToken(shop)}`,
      "User-Agent": BROWSER,
      "Content-Type": "application/x-www-form-urlencoded",
    },
  });
  const response = (await action({ request, params: { key }, context: {} })) as Response;
  return { status: response.status, body: (await response.json()) as { error?: string } };
}

describe("a Propel segment mirrored as a Shopify customer segment", () => {
  beforeAll(async () => {
    harness = await startStoreHarness(shop, 20, { workers: false });
    const request = new Request(await harness.frameUrl(), { headers: { "User-Agent": BROWSER } });
    await appLoader({ request, params: {}, context: {} });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("creates the segment on the tag once, and asking again changes nothing", async () => {
    expect(await createFor("rfm:CHAMPIONS")).toEqual({ status: 200, body: {} });
    expect(await createFor("rfm:CHAMPIONS")).toEqual({ status: 200, body: {} });
    const inStore = (await harness.control(`/shops/${shop}/segments`)) as unknown as {
      name: string;
      query: string;
    }[];
    expect(inStore.filter((segment) => segment.name === "Propel: Champions")).toEqual([
      expect.objectContaining({ query: "customer_tags CONTAINS 'propel:champions'" }),
    ]);
    expect(await prisma.shopifySegment.count({ where: { shop: { domain: shop } } })).toBe(1);
  });

  it("follows a tag-prefix change with the next push, and forgets one deleted in Shopify", async () => {
    const inStore = () => harness.simulator.sim.shops.get(shop)!.store.segments;
    const push = () => tagsProcessor(prisma)({ data: { shopDomain: shop } } as Job<TagsJob>);
    await prisma.shop.update({ where: { domain: shop }, data: { tagPrefix: "vip" } });
    expect(await push()).toMatchObject({ segmentsUpdated: 1 });
    expect(inStore().find((segment) => segment.name === "Propel: Champions")?.query).toBe(
      "customer_tags CONTAINS 'vip:champions'",
    );
    const row = await prisma.shopifySegment.findFirstOrThrow({ where: { shop: { domain: shop } } });
    expect(row.query).toBe("customer_tags CONTAINS 'vip:champions'");
    expect(await push()).toMatchObject({ segmentsUpdated: 0 });

    // The merchant deletes it in Shopify, then changes the prefix back.
    inStore().splice(
      inStore().findIndex((segment) => segment.name === "Propel: Champions"),
      1,
    );
    await prisma.shop.update({ where: { domain: shop }, data: { tagPrefix: "propel" } });
    expect(await push()).toMatchObject({ segmentsUpdated: 0 });
    expect(await prisma.shopifySegment.count({ where: { shop: { domain: shop } } })).toBe(0);
    // Asking again creates it anew.
    expect(await createFor("rfm:CHAMPIONS")).toEqual({ status: 200, body: {} });
    expect(inStore().find((segment) => segment.name === "Propel: Champions")?.query).toBe(
      "customer_tags CONTAINS 'propel:champions'",
    );
  });

  it("refuses a segment whose family is not tagged, with the reason", async () => {
    const result = await createFor("fxv:FREQUENT_HIGH_SPEND");
    expect(result.status).toBe(422);
    expect(result.body.error).toMatch(/not tagged/);
    expect(await prisma.shopifySegment.count({ where: { shop: { domain: shop } } })).toBe(1);
  });
});
