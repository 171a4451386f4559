import "@shopify/shopify-api/adapters/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApiVersion,
  DeliveryMethod,
  Session,
  shopifyApi,
  type Shopify,
} from "@shopify/shopify-api";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import type { RunningSimulator } from "../../simulator/server.js";
import { API_KEY, API_SECRET, SHOP, installToken, startTestSimulator } from "./helpers.js";

let sim: RunningSimulator;
let shopify: Shopify;
let session: Session;

beforeAll(async () => {
  sim = await startTestSimulator();
  const token = installToken(sim);
  shopify = shopifyApi({
    apiKey: API_KEY,
    apiSecretKey: API_SECRET,
    scopes: ["read_orders"],
    hostName: "localhost:3000",
    hostScheme: "http",
    apiVersion: ApiVersion.October26,
    isEmbeddedApp: true,
    logger: { level: 0 },
  });
  setAbstractFetchFunc((input, init) =>
    fetch(
      String(input).replace(/^https:\/\/([^/]+\.myshopify\.com)\//, `${sim.url}/shops/$1/`),
      init,
    ),
  );
  session = new Session({
    id: `offline_${SHOP}`,
    shop: SHOP,
    state: "",
    isOnline: false,
    accessToken: token,
  });
});
afterAll(async () => {
  await sim.close();
});

describe("shopify-api's own clients against the simulator", () => {
  it("registers webhooks with shopify.webhooks.register (query + create mutations)", async () => {
    shopify.webhooks.addHandlers({
      ORDERS_CREATE: { deliveryMethod: DeliveryMethod.Http, callbackUrl: "/webhooks/api" },
      APP_UNINSTALLED: { deliveryMethod: DeliveryMethod.Http, callbackUrl: "/webhooks/api" },
    });
    const result = await shopify.webhooks.register({ session });
    expect(result.ORDERS_CREATE?.[0]?.success).toBe(true);
    expect(result.APP_UNINSTALLED?.[0]?.success).toBe(true);
    const again = await shopify.webhooks.register({ session });
    // already registered: nothing to do
    expect(again.ORDERS_CREATE ?? []).toEqual([]);
    const rt = sim.sim.shop(SHOP);
    expect(rt?.apiSubscriptions.map((s) => s.topic).sort()).toEqual([
      "app/uninstalled",
      "orders/create",
    ]);
  });

  it("pages with the GraphQL client and reads extensions.cost", async () => {
    const client = new shopify.clients.Graphql({ session });
    const res = await client.request<{ orders: { nodes: { id: string }[] } }>(
      `query($n: Int!) { orders(first: $n) { nodes { id } } }`,
      { variables: { n: 3 } },
    );
    expect(res.data?.orders.nodes.length).toBe(3);
    expect(res.extensions?.cost).toMatchObject({ requestedQueryCost: 5, actualQueryCost: 5 });
  });
});
