import { setAbstractFetchFunc, type AbstractFetchFunc } from "@shopify/shopify-api/runtime";

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
