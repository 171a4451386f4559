import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { loader as appLoader } from "~/routes/app";
import { action } from "~/routes/app.segments.$key";
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

  it("refuses a segment whose family is not tagged, with the reason", async () => {
    const result = await createFor("fxv:FREQUENT_HIGH_SPEND");
    expect(result.status).toBe(422);
    expect(result.body.error).toMatch(/not tagged/);
    expect(await prisma.shopifySegment.count({ where: { shop: { domain: shop } } })).toBe(1);
  });
});
