import { describe, expect, it } from "vitest";
import {
  allowSimulatorFraming,
  simulatorRedirectFor,
  simulatorUrlFor,
} from "~/shopify/simulator-fetch.server";

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

describe("browser redirects to Shopify", () => {
  const simulator = "http://127.0.0.1:4100/";

  it("sends the admin's pages to the simulator's admin", () => {
    expect(
      simulatorRedirectFor(
        "https://admin.shopify.com/store/demo/oauth/install?client_id=abc",
        simulator,
      ),
    ).toBe("http://127.0.0.1:4100/store/demo/oauth/install?client_id=abc");
  });

  it("sends a shop's own pages to the simulator's shop", () => {
    expect(
      simulatorRedirectFor("https://demo.myshopify.com/admin/oauth/authorize?x=1", simulator),
    ).toBe("http://127.0.0.1:4100/shops/demo.myshopify.com/admin/oauth/authorize?x=1");
  });

  it("leaves the app's own URLs alone", () => {
    expect(simulatorRedirectFor("http://localhost:3000/app", simulator)).toBe(
      "http://localhost:3000/app",
    );
  });
});

describe("simulator framing", () => {
  it("adds the simulator's origin to the frame-ancestors the library set", () => {
    const headers = new Headers({
      "Content-Security-Policy":
        "frame-ancestors https://demo.myshopify.com https://admin.shopify.com;",
    });
    allowSimulatorFraming(headers, "http://127.0.0.1:4100/");
    expect(headers.get("Content-Security-Policy")).toBe(
      "frame-ancestors https://demo.myshopify.com https://admin.shopify.com http://127.0.0.1:4100;",
    );
  });
});
