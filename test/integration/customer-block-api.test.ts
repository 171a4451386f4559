import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { action, loader } from "~/routes/api.customers.$id.segments";
import { BROWSER, sessionToken } from "../support/session-token";

const domain = "block-api.myshopify.com";
const otherDomain = "block-other.myshopify.com";
const EXTENSION_ORIGIN = "https://extensions.shopifycdn.com";

/** A session token as Shopify signs it for an admin extension's fetch. */

async function request(id: string, init: { token?: string; method?: string } = {}) {
  const headers = new Headers({ Origin: EXTENSION_ORIGIN, "User-Agent": BROWSER });
  if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
  if (init.method === "OPTIONS") {
    headers.set("Access-Control-Request-Method", "GET");
    headers.set("Access-Control-Request-Headers", "authorization");
  }
  const req = new Request(`http://localhost:3999/api/customers/${id}/segments`, {
    method: init.method ?? "GET",
    headers,
  });
  const handler = req.method === "GET" ? loader : action;
  try {
    return await handler({ request: req, params: { id }, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

async function installShop(shop: string) {
  await prisma.session.create({
    data: {
      id: `offline_${shop}`,
      shop,
      state: "",
      isOnline: false,
      scope: process.env.SCOPES,
      accessToken: "shpat_test",
    },
  });
  return prisma.shop.create({ data: { domain: shop, currencyCode: "EUR" } });
}

async function addCustomer(shopId: number, id: bigint, withMetrics: boolean) {
  await prisma.customer.create({
    data: { shopId, id, shopifyCreatedAt: new Date(), shopifyUpdatedAt: new Date() },
  });
  if (!withMetrics) return;
  await prisma.customerMetrics.create({
    data: {
      shopId,
      customerId: id,
      computedAt: new Date("2026-11-20T10:00:00Z"),
      orders: 7,
      frequency: 6,
      recencyDays: 300,
      ageDays: 420,
      totalSpentMinor: 84_500n,
      aovMinor: 12_071n,
      currency: "EUR",
      rScore: 5,
      fScore: 4,
      mScore: 5,
      rfmGroup: "CHAMPIONS",
      pAlive: 0.93,
      churnRisk: "LOW",
      clv12mMinor: 31_250n,
      spendTier: "HIGH",
      propensity: 0.41,
    },
  });
  await prisma.segmentMembership.createMany({
    data: ["churn:LOW", "rfm:CHAMPIONS", "spend:HIGH", "custom:vip"].map((segmentKey) => ({
      shopId,
      customerId: id,
      segmentKey,
      since: new Date("2026-10-01T00:00:00Z"),
    })),
  });
}

describe("GET /api/customers/:id/segments (admin block)", () => {
  beforeAll(async () => {
    const shop = await installShop(domain);
    await addCustomer(shop.id, 4242n, true);
    await addCustomer(shop.id, 4343n, false);
    const other = await installShop(otherDomain);
    await addCustomer(other.id, 777n, true);
  });
  afterAll(async () => {
    await prisma.shop.deleteMany({ where: { domain: { in: [domain, otherDomain] } } });
    await prisma.session.deleteMany({ where: { shop: { in: [domain, otherDomain] } } });
  });

  it("returns the customer's segments and scores, readable from the extension's origin", async () => {
    const response = await request("gid%3A%2F%2Fshopify%2FCustomer%2F4242", {
      token: await sessionToken(domain),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const body = await response.json();
    expect(body.segments.map((s: { key: string }) => s.key)).toEqual([
      "rfm:CHAMPIONS",
      "churn:LOW",
      "spend:HIGH",
      "custom:vip",
    ]);
    expect(body.segments[0]).toMatchObject({
      label: "Champions",
      familyLabel: "RFM group",
      since: "2026-10-01T00:00:00.000Z",
    });
    expect(body.scores).toMatchObject({
      orders: 7,
      totalSpentMinor: 84_500,
      currency: "EUR",
      rfm: { r: 5, f: 4, m: 5, group: "CHAMPIONS" },
      pAlive: 0.93,
      churnRisk: "LOW",
      clv12mMinor: 31_250,
      spendTier: "HIGH",
      propensity: 0.41,
    });
    expect(body.appPath).toBe("/app/customers/4242");
  });

  it("answers a customer not scored yet with empty segments and no scores", async () => {
    const response = await request("4343", { token: await sessionToken(domain) });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.segments).toEqual([]);
    expect(body.scores).toBeNull();
  });

  it("never reaches another shop's customer, whatever the URL says", async () => {
    const response = await request("777", { token: await sessionToken(domain) });
    expect(response.status).toBe(404);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const own = await request("777", { token: await sessionToken(otherDomain) });
    expect(own.status).toBe(200);
  });

  it("rejects a missing or forged session token", async () => {
    const missing = await request("4242");
    expect(missing.status).toBeGreaterThanOrEqual(300);
    expect(missing.status).not.toBe(200);
    const forged = await request("4242", {
      token: await sessionToken(domain, { secret: "not-the-secret" }),
    });
    expect(forged.status).toBe(401);
  });

  it("answers the CORS preflight without a token", async () => {
    const response = await request("4242", { method: "OPTIONS" });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Allow-Headers")).toMatch(/Authorization/);
  });

  it("rejects an id that is not a customer id", async () => {
    const response = await request("abc", { token: await sessionToken(domain) });
    expect(response.status).toBe(400);
  });
});
