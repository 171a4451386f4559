import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { applyOwnTagEcho } from "~/sync/own-tag-echo.server";

describe("customers/update echoing Propel's own tag push", () => {
  let shop: { id: number; tagPrefix: string };
  beforeAll(async () => {
    shop = await prisma.shop.create({ data: { domain: "tag-echo.myshopify.com" } });
    await prisma.customer.create({
      data: {
        shopId: shop.id,
        id: 7n,
        tags: ["VIP"],
        emailMarketingState: "SUBSCRIBED",
        shopifyCreatedAt: new Date("2025-01-01T00:00:00Z"),
        shopifyUpdatedAt: new Date("2026-01-01T00:00:00Z"),
        syncedAt: new Date("2026-01-01T00:00:00Z"),
      },
    });
  });
  afterAll(async () => {
    await prisma.shop.delete({ where: { id: shop.id } });
  });

  const payload = (tags: string, state = "subscribed", at = "2026-02-01T00:00:00Z") => ({
    id: 7,
    tags,
    updated_at: at,
    email_marketing_consent: { state },
  });
  const stored = () =>
    prisma.customer.findUniqueOrThrow({ where: { shopId_id: { shopId: shop.id, id: 7n } } });

  it("records the tags from the payload without marking the customer changed", async () => {
    expect(await applyOwnTagEcho(prisma, shop, 7n, payload("VIP, propel:champions"))).toBe(true);
    const customer = await stored();
    expect(customer.tags).toEqual(["VIP", "propel:champions"]);
    expect(customer.syncedAt).toEqual(new Date("2026-01-01T00:00:00Z"));
  });

  it("leaves anything else to the full path: a merchant's tag, consent, an unknown customer", async () => {
    expect(await applyOwnTagEcho(prisma, shop, 7n, payload("VIP, wholesale"))).toBe(false);
    expect(
      await applyOwnTagEcho(prisma, shop, 7n, payload("VIP, propel:champions", "unsubscribed")),
    ).toBe(false);
    expect(await applyOwnTagEcho(prisma, shop, 8n, payload("VIP"))).toBe(false);
    expect(await applyOwnTagEcho(prisma, shop, 7n, { id: 7 })).toBe(false);
  });

  it("never lets an older echo overwrite newer tags", async () => {
    expect(
      await applyOwnTagEcho(prisma, shop, 7n, payload("VIP", "subscribed", "2025-06-01T00:00:00Z")),
    ).toBe(true);
    expect((await stored()).tags).toEqual(["VIP", "propel:champions"]);
  });
});
