import { describe, expect, it } from "vitest";
import { simulatorUrlFor } from "~/shopify/simulator-fetch.server";

describe("simulator routing", () => {
  const simulator = "http://127.0.0.1:4100/";

  it("sends a shop's Admin API traffic to the simulator under the shop's path", () => {
    expect(
      simulatorUrlFor("https://demo.myshopify.com/admin/api/2026-10/graphql.json?x=1", simulator),
    ).toBe("http://127.0.0.1:4100/shops/demo.myshopify.com/admin/api/2026-10/graphql.json?x=1");
  });

  it("leaves every other URL alone", () => {
    expect(simulatorUrlFor("https://cdn.shopify.com/app-bridge.js", simulator)).toBe(
      "https://cdn.shopify.com/app-bridge.js",
    );
    expect(simulatorUrlFor("http://demo.myshopify.com/admin", simulator)).toBe(
      "http://demo.myshopify.com/admin",
    );
  });
});
