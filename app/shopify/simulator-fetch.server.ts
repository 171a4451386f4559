import { setAbstractFetchFunc, type AbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { config } from "~/config.server";

/**
 * Development only: sends the library's Shopify traffic (`https://{shop}/…`) to the local store
 * simulator at `${simulatorUrl}/shops/{shop}/…`, through the fetch hook the library supports.
 * Configuration refuses SIMULATOR_URL in production, so this never runs there.
 */
export function simulatorUrlFor(target: string, simulatorUrl: string): string {
  const url = new URL(target);
  if (url.protocol !== "https:" || !url.hostname.endsWith(".myshopify.com")) return target;
  const base = simulatorUrl.replace(/\/$/, "");
  return `${base}/shops/${url.hostname}${url.pathname}${url.search}`;
}

/**
 * Development only: where the simulator serves a page a browser is sent to on Shopify — the
 * admin (`admin.shopify.com/store/{store}/…`) or a shop's own URLs.
 */
export function simulatorRedirectFor(location: string, simulatorUrl: string): string {
  const url = new URL(location);
  if (url.protocol !== "https:" || url.hostname !== "admin.shopify.com") {
    return simulatorUrlFor(location, simulatorUrl);
  }
  return `${simulatorUrl.replace(/\/$/, "")}${url.pathname}${url.search}`;
}

/**
 * Development only: a redirect the library throws towards Shopify (the login page's hand-off
 * to Shopify-managed install, for one) goes to the simulator when it stands in for Shopify.
 * Anything else passes through unchanged.
 */
export function redirectThroughSimulator(thrown: unknown): unknown {
  const simulatorUrl = config().SIMULATOR_URL;
  const location = thrown instanceof Response ? thrown.headers.get("Location") : null;
  if (!simulatorUrl || !location || !(thrown instanceof Response)) return thrown;
  const headers = new Headers(thrown.headers);
  headers.set("Location", simulatorRedirectFor(location, simulatorUrl));
  return new Response(thrown.body, { status: thrown.status, headers });
}

export function routeShopifyTrafficToSimulator(simulatorUrl: string): void {
  const redirected: AbstractFetchFunc = (input, init) => {
    const target =
      typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    return fetch(simulatorUrlFor(target, simulatorUrl), init);
  };
  setAbstractFetchFunc(redirected);
}

/** Development only: lets the simulator's admin shell frame the app, as admin.shopify.com may. */
export function allowSimulatorFraming(headers: Headers, simulatorUrl: string): void {
  const policy = headers.get("Content-Security-Policy");
  if (!policy) return;
  const origin = new URL(simulatorUrl).origin;
  headers.set(
    "Content-Security-Policy",
    policy.replace(
      /frame-ancestors ([^;]*)/,
      (_match, sources: string) => `frame-ancestors ${sources} ${origin}`,
    ),
  );
}
