import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../../simulator/server.js";
import { SHOP, at, gql, installToken, startTestSimulator } from "./helpers.js";

let sim: RunningSimulator;
let token: string;

beforeAll(async () => {
  sim = await startTestSimulator();
  token = installToken(sim);
});
afterAll(async () => {
  await sim.close();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

describe("control API", () => {
  it("creates shops with generator options and sets the plan", async () => {
    const created = await call("POST", "/_sim/shops", {
      domain: "second-shop",
      plan: "Advanced",
      generator: { seed: 9, customers: 40, now: Date.parse("2026-11-01T00:00:00Z") },
    });
    expect(created.status).toBe(201);
    expect(at(created.json, "domain")).toBe("second-shop.myshopify.com");
    expect(at(created.json, "customers")).toBe(40);
    const list = await call("GET", "/_sim/shops");
    expect((list.json as { domain: string }[]).map((s) => s.domain)).toEqual([
      SHOP,
      "second-shop.myshopify.com",
    ]);
    const plan = await call("POST", "/_sim/shops/second-shop/plan", { plan: "Plus" });
    expect(at(plan.json, "throttle", "restoreRate")).toBe(1000);
    expect((await call("POST", "/_sim/shops/second-shop/plan", { plan: "Gold" })).status).toBe(400);
  });

  it("places, refunds and cancels orders and shows them on the customer", async () => {
    const c = await call("POST", `/_sim/shops/${SHOP}/customers`, {
      email: "live@example.com",
      consent: "SUBSCRIBED",
    });
    const customerId = at(c.json, "id") as number;
    const o = await call("POST", `/_sim/shops/${SHOP}/orders`, {
      customerId,
      lines: [{ productIndex: 3, quantity: 2 }],
      discountCode: "SAVE15",
    });
    expect(o.status).toBe(201);
    const orderId = at(o.json, "id") as number;
    await call("POST", `/_sim/shops/${SHOP}/orders/${orderId}/refund`, { amount: 5 });
    const after = await call("GET", `/_sim/shops/${SHOP}/orders/${orderId}`);
    expect(at(after.json, "refunded")).toBe("5.00");
    expect(at(after.json, "financialStatus")).toBe("PARTIALLY_REFUNDED");
    const q = await gql(
      sim,
      token,
      `query($id: ID!) { order(id: $id) { discountCodes totalRefundedSet { shopMoney { amount } } customer { id email } } }`,
      { id: `gid://shopify/Order/${orderId}` },
    );
    expect(at(q.json, "data", "order", "discountCodes")).toEqual(["SAVE15"]);
    expect(at(q.json, "data", "order", "customer", "email")).toBe("live@example.com");
    await call("POST", `/_sim/shops/${SHOP}/orders/${orderId}/cancel`, { reason: "fraud" });
    const cust = await call("GET", `/_sim/shops/${SHOP}/customers/${customerId}`);
    expect(at(cust.json, "orders", 0, "cancelled")).toBe(true);
    expect(at(cust.json, "amountSpent")).toBe("0.00");
    expect((await call("DELETE", `/_sim/shops/${SHOP}/customers/${customerId}`)).status).toBe(200);
    const gone = await gql(sim, token, `query($id: ID!) { customer(id: $id) { id } }`, {
      id: `gid://shopify/Customer/${customerId}`,
    });
    expect(at(gone.json, "data", "customer")).toBeNull();
  });

  it("counts THROTTLED responses", async () => {
    await call("POST", `/_sim/shops/${SHOP}/plan`, { plan: "Basic" });
    let throttled = 0;
    for (let i = 0; i < 12; i++) {
      const r = await gql(
        sim,
        token,
        "{ orders(first: 250) { nodes { id customer { id } } } customers(first: 250) { nodes { id } } }",
      );
      if (Array.isArray(r.json.errors) && r.json.errors[0]?.extensions?.code === "THROTTLED")
        throttled++;
    }
    expect(throttled).toBeGreaterThan(0);
    const stats = await call("GET", `/_sim/shops/${SHOP}/throttle`);
    expect(at(stats.json, "throttled")).toBe(throttled);
    await call("POST", `/_sim/shops/${SHOP}/plan`, { plan: "Plus" });
  });
});

describe("segments, discounts and live activity", () => {
  it("lets a segment's members redeem the discount aimed at it", async () => {
    const list = await gql(
      sim,
      token,
      '{ customers(first: 10, query: "orders_count:>0") { nodes { id } } }',
    );
    const ids = (at(list.json, "data", "customers", "nodes") as { id: string }[])
      .map((n) => n.id)
      .slice(0, 4);
    for (const id of ids)
      await gql(
        sim,
        token,
        `mutation($id: ID!) { tagsAdd(id: $id, tags: ["propel:at-risk"]) { userErrors { message } } }`,
        { id },
      );
    const seg = await gql(
      sim,
      token,
      `mutation { segmentCreate(name: "At risk", query: "customer_tags CONTAINS 'propel:at-risk'") { segment { id } userErrors { message } } }`,
    );
    const segmentId = at(seg.json, "data", "segmentCreate", "segment", "id") as string;
    const members = await gql(
      sim,
      token,
      `query($s: ID!) { customerSegmentMembers(first: 50, segmentId: $s) { totalCount edges { node { id displayName numberOfOrders } } } }`,
      { s: segmentId },
    );
    expect(at(members.json, "data", "customerSegmentMembers", "totalCount")).toBe(4);
    await gql(
      sim,
      token,
      `mutation($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) { userErrors { message } } }`,
      {
        d: {
          title: "Win back",
          code: "WINBACK20",
          startsAt: "2020-01-01T00:00:00Z",
          context: { customerSegments: { add: [segmentId] } },
          customerGets: { value: { percentage: 0.2 }, items: { all: true } },
        },
      },
    );
    const placed = (
      await call("POST", `/_sim/shops/${SHOP}/activity`, {
        orders: 40,
        redeemShare: 1,
        targetedShare: 0.5,
      })
    ).json as { customerId: number; discountCode: string | null }[];
    expect(placed.length).toBe(40);
    const members4 = new Set(ids.map((id) => Number(id.split("/").pop())));
    const redeemed = placed.filter((p) => p.discountCode === "WINBACK20");
    expect(redeemed.length).toBeGreaterThan(0);
    expect(redeemed.every((p) => members4.has(p.customerId))).toBe(true);
    const disc = await gql(
      sim,
      token,
      `{ codeDiscountNodes(first: 20) { nodes { codeDiscount { ... on DiscountCodeBasic { title asyncUsageCount totalSales { amount } } } } } }`,
    );
    const win = (
      at(disc.json, "data", "codeDiscountNodes", "nodes") as {
        codeDiscount: { title: string; asyncUsageCount: number };
      }[]
    ).find((n) => n.codeDiscount.title === "Win back");
    expect(win?.codeDiscount.asyncUsageCount).toBe(redeemed.length);
  });
});

describe("admin pages", () => {
  it("lists customers with their tags, filtered by tag, and orders", async () => {
    const res = await fetch(
      `${sim.url}/store/propel-demo/customers?tag=${encodeURIComponent("propel:at-risk")}`,
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("propel:at-risk");
    expect((html.match(/<tr><td>/g) ?? []).length).toBe(4);
    const orders = await fetch(`${sim.url}/store/propel-demo/orders`);
    expect(await orders.text()).toContain("WINBACK20");
    expect((await fetch(`${sim.url}/store/propel-demo/discounts`)).status).toBe(200);
  });
});
