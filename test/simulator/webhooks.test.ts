import "@shopify/shopify-api/adapters/web-api";
import { afterEach, describe, expect, it } from "vitest";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import type { RunningSimulator } from "../../simulator/server.js";
import {
  API_KEY,
  API_SECRET,
  NOW,
  SHOP,
  appConfig,
  startReceiver,
  startTestSimulator,
  type Received,
} from "./helpers.js";

const shopify = shopifyApi({
  apiKey: API_KEY,
  apiSecretKey: API_SECRET,
  scopes: ["read_orders"],
  hostName: "localhost:3000",
  hostScheme: "http",
  apiVersion: ApiVersion.October26,
  isEmbeddedApp: true,
  logger: { level: 0 },
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(
  respond?: (n: number, body: string) => number,
  installed = true,
): Promise<{ sim: RunningSimulator; received: Received[]; url: string }> {
  const receiver = await startReceiver(respond);
  const sim = await startTestSimulator({
    appConfig: appConfig(`${receiver.url}/webhooks`),
    shops: [{ domain: SHOP, installed, generator: { seed: 2, customers: 60, now: NOW } }],
  });
  cleanups.push(
    () => sim.close(),
    () => receiver.close(),
  );
  return { sim, received: receiver.received, url: receiver.url };
}

async function control(
  sim: RunningSimulator,
  path: string,
  body: unknown = {},
): Promise<Record<string, unknown>> {
  const res = await fetch(`${sim.url}/_sim/shops/${SHOP}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.ok).toBe(true);
  return (await res.json()) as Record<string, unknown>;
}

function topics(received: Received[]): string[] {
  return received.map((r) => String(r.headers["x-shopify-topic"]));
}

describe("webhook delivery", () => {
  it("delivers signed orders/create with Shopify's headers and REST payload, verified by shopify-api", async () => {
    const { sim, received, url } = await setup();
    const order = await control(sim, "/orders", { value: 120 });
    await sim.sim.webhooks.idle();
    const create = received.find((r) => r.headers["x-shopify-topic"] === "orders/create");
    expect(create).toBeDefined();
    if (!create) return;
    for (const h of [
      "x-shopify-hmac-sha256",
      "x-shopify-shop-domain",
      "x-shopify-api-version",
      "x-shopify-webhook-id",
      "x-shopify-event-id",
      "x-shopify-triggered-at",
    ]) {
      expect(create.headers[h]).toBeTruthy();
    }
    expect(create.headers["x-shopify-api-version"]).toBe("2026-10");
    const headers = new Headers();
    for (const [k, v] of Object.entries(create.headers))
      if (typeof v === "string") headers.set(k, v);
    const check = await shopify.webhooks.validate({
      rawBody: create.body,
      rawRequest: new Request(`${url}/webhooks`, { method: "POST", headers, body: create.body }),
    });
    expect(check.valid).toBe(true);
    const tampered = await shopify.webhooks.validate({
      rawBody: create.body + " ",
      rawRequest: new Request(`${url}/webhooks`, { method: "POST", headers, body: create.body }),
    });
    expect(tampered.valid).toBe(false);

    const payload = JSON.parse(create.body) as Record<string, unknown>;
    expect(payload.id).toBe(order.id);
    expect(payload.admin_graphql_api_id).toBe(`gid://shopify/Order/${String(order.id)}`);
    for (const k of [
      "created_at",
      "updated_at",
      "processed_at",
      "cancelled_at",
      "total_price",
      "currency",
      "customer",
      "line_items",
      "discount_codes",
      "refunds",
      "test",
      "financial_status",
      "current_total_price",
    ]) {
      expect(payload).toHaveProperty(k);
    }
    expect(payload.total_price).toBe(order.total);
    expect(topics(received)).toEqual(
      expect.arrayContaining(["orders/create", "customers/create", "customers/update"]),
    );
  });

  it("sends cancellations, refunds, customer changes, compliance and app/uninstalled", async () => {
    const { sim, received } = await setup();
    const order = await control(sim, "/orders", {});
    await control(sim, `/orders/${String(order.id)}/refund`, { amount: 5 });
    await control(sim, `/orders/${String(order.id)}/cancel`, { reason: "customer" });
    await control(sim, `/customers/${String(order.customerId)}`, { firstName: "Renamed" });
    await control(sim, "/compliance", { topic: "customers/redact", customerId: order.customerId });
    await control(sim, "/compliance", { topic: "shop/redact" });
    await control(sim, "/uninstall");
    await sim.sim.webhooks.idle();
    expect(topics(received)).toEqual(
      expect.arrayContaining([
        "refunds/create",
        "orders/cancelled",
        "orders/updated",
        "customers/update",
        "customers/redact",
        "shop/redact",
        "app/uninstalled",
      ]),
    );
    const redact = JSON.parse(
      received.find((r) => r.headers["x-shopify-topic"] === "customers/redact")?.body ?? "{}",
    ) as { orders_to_redact: number[]; shop_domain: string };
    expect(redact.shop_domain).toBe(SHOP);
    expect(redact.orders_to_redact).toContain(order.id);
    // after uninstall, the old token is dead and data webhooks stop
    const before = received.length;
    await control(sim, "/orders", {});
    await sim.sim.webhooks.idle();
    expect(received.length).toBe(before);
  });

  it("retries a failing endpoint with backoff until it answers 2xx", async () => {
    const { sim, received } = await setup((n) => (n < 3 ? 500 : 200));
    sim.sim.webhooks.switches.duplicate = 0;
    const rt = sim.sim.shop(SHOP);
    if (!rt) throw new Error("no shop");
    sim.sim.emit(rt, "shop/redact", { shop_id: 1, shop_domain: SHOP });
    await sim.sim.webhooks.idle();
    expect(received.map((r) => r.status)).toEqual([500, 500, 500, 200]);
    const webhookIds = new Set(received.map((r) => r.headers["x-shopify-webhook-id"]));
    expect(webhookIds.size).toBe(1);
    const log = sim.sim.webhooks.log.find((d) => d.topic === "shop/redact");
    expect(log?.state).toBe("delivered");
    expect(log?.attempts.length).toBe(4);
  });

  it("gives up after 8 retries (9 attempts)", async () => {
    const { sim, received } = await setup(() => 503);
    const rt = sim.sim.shop(SHOP);
    if (!rt) throw new Error("no shop");
    sim.sim.emit(rt, "shop/redact", { shop_id: 1, shop_domain: SHOP });
    await sim.sim.webhooks.idle();
    expect(received.length).toBe(9);
    expect(sim.sim.webhooks.log[0]?.state).toBe("failed");
  });

  it("duplicates deliveries when switched on (same webhook and event ids)", async () => {
    const { sim, received } = await setup();
    const sw = await fetch(`${sim.url}/_sim/webhooks/switches`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ duplicate: 1 }),
    });
    expect(((await sw.json()) as { duplicate: number }).duplicate).toBe(1);
    const rt = sim.sim.shop(SHOP);
    if (!rt) throw new Error("no shop");
    sim.sim.emit(rt, "shop/redact", { shop_id: 1, shop_domain: SHOP });
    await sim.sim.webhooks.idle();
    expect(received.length).toBe(2);
    expect(received[0]?.headers["x-shopify-webhook-id"]).toBe(
      received[1]?.headers["x-shopify-webhook-id"],
    );
    expect(received[0]?.headers["x-shopify-event-id"]).toBe(
      received[1]?.headers["x-shopify-event-id"],
    );
  });

  it("holds and shuffles a batch when reordering is switched on", async () => {
    const { sim, received } = await setup();
    sim.sim.webhooks.switches.reorderBatch = 8;
    const rt = sim.sim.shop(SHOP);
    if (!rt) throw new Error("no shop");
    const sent = Array.from({ length: 8 }, (_, i) => i);
    for (const i of sent) sim.sim.emit(rt, "shop/redact", { shop_id: i, shop_domain: SHOP });
    await sim.sim.webhooks.idle();
    const got = received.map((r) => (JSON.parse(r.body) as { shop_id: number }).shop_id);
    expect([...got].sort((a, b) => a - b)).toEqual(sent);
    expect(got).not.toEqual(sent);
  });

  it("delivers to subscriptions registered through webhookSubscriptionCreate", async () => {
    const { sim, received, url } = await setup();
    const token = sim.sim.auth.offlineToken(SHOP);
    const res = await fetch(`${sim.url}/shops/${SHOP}/admin/api/2026-07/graphql.json`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
      body: JSON.stringify({
        query: `mutation($uri: String!) { webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: { uri: $uri }) { webhookSubscription { id topic uri } userErrors { message } } }`,
        variables: { uri: `${url}/api-hooks` },
      }),
    });
    const json = (await res.json()) as {
      data: { webhookSubscriptionCreate: { webhookSubscription: { topic: string } } };
    };
    expect(json.data.webhookSubscriptionCreate.webhookSubscription.topic).toBe("ORDERS_CREATE");
    await control(sim, "/orders", {});
    await sim.sim.webhooks.idle();
    const apiDelivery = sim.sim.webhooks.log.find((d) => d.uri.endsWith("/api-hooks"));
    expect(apiDelivery?.apiVersion).toBe("2026-07");
    expect(received.filter((r) => r.headers["x-shopify-topic"] === "orders/create").length).toBe(2);
  });

  it("does not deliver data webhooks before the app is installed", async () => {
    const { sim, received } = await setup(undefined, false);
    await control(sim, "/orders", {});
    await sim.sim.webhooks.idle();
    expect(received.length).toBe(0);
  });
});
