import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { desiredTags } from "~/segmentation/catalog";
import { loader as appLoader } from "~/routes/app";
import { eventually, startStoreHarness } from "../support/store-harness";
import { BROWSER } from "../support/session-token";

const shop = "segments-to-tags.myshopify.com";

let harness: Awaited<ReturnType<typeof startStoreHarness>>;
let shopId: number;

async function storeTags(customerId: bigint): Promise<string[]> {
  const customer = await harness.control(`/shops/${shop}/customers/${customerId}`);
  return (customer.tags as string[]).slice().sort();
}

async function tagWorkDone() {
  const open = await prisma.tagSyncState.count({
    where: { shopId, status: { in: ["PENDING", "IN_FLIGHT"] } },
  });
  return open === 0 ? true : undefined;
}

async function membershipsOf(customerId: bigint) {
  const rows = await prisma.segmentMembership.findMany({ where: { shopId, customerId } });
  return rows.map((row) => row.segmentKey);
}

describe("segments reach the store as customer tags (webhook → recompute → tags)", () => {
  beforeAll(async () => {
    harness = await startStoreHarness(shop, 300);
    const request = new Request(await harness.frameUrl(), { headers: { "User-Agent": BROWSER } });
    await appLoader({ request, params: {}, context: {} });
    await eventually(
      async () =>
        (await prisma.segmentSnapshot.findFirst({ where: { shop: { domain: shop } } })) ??
        undefined,
      "the first recompute",
      90_000,
    );
    shopId = (await prisma.shop.findUniqueOrThrow({ where: { domain: shop } })).id;
    await eventually(tagWorkDone, "the first tag push", 90_000);
  }, 240_000);
  afterAll(async () => {
    await harness?.close();
  });

  it("every customer carries exactly the tags of their segments after the first push", async () => {
    const settings = await prisma.shop.findUniqueOrThrow({ where: { id: shopId } });
    const sample = await prisma.customer.findMany({
      where: { shopId },
      orderBy: { id: "asc" },
      take: 40,
    });
    for (const customer of sample) {
      const expected = desiredTags(await membershipsOf(customer.id), settings);
      const inStore = await storeTags(customer.id);
      expect(inStore.filter((tag) => tag.startsWith("propel:"))).toEqual(expected);
    }
  });

  it("an order placed in the store moves the customer's tags, keeping the merchant's own", async () => {
    const lapsed = await prisma.segmentMembership.findFirstOrThrow({
      where: { shopId, segmentKey: { in: ["rfm:DORMANT", "rfm:ALMOST_LOST", "rfm:AT_RISK"] } },
      orderBy: { customerId: "asc" },
    });
    const oldTag = `propel:${lapsed.segmentKey.slice("rfm:".length).toLowerCase().replace(/_/g, "-")}`;
    expect(await storeTags(lapsed.customerId)).toContain(oldTag);
    // The merchant's own tag, written in the admin.
    const store = harness.simulator.sim.shops.get(shop)!.store;
    const index = store.customerIdxFromId(Number(lapsed.customerId));
    store.setTags(index, [...store.tags(index), "VIP"].sort(), Date.now());

    await harness.control(`/shops/${shop}/orders`, {
      customerId: lapsed.customerId.toString(),
      value: 400,
    });
    const tags = await eventually(async () => {
      const current = await storeTags(lapsed.customerId);
      return current.includes(oldTag) ? undefined : current;
    }, "the customer's RFM tag to change");

    await eventually(tagWorkDone, "the tag push to settle");
    const settings = await prisma.shop.findUniqueOrThrow({ where: { id: shopId } });
    const expected = desiredTags(await membershipsOf(lapsed.customerId), settings);
    const final = await storeTags(lapsed.customerId);
    expect(final.filter((tag) => tag.startsWith("propel:"))).toEqual(expected);
    expect(final).toContain("VIP");
    expect(tags).not.toContain(oldTag);
  });
});
