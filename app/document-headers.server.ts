import { config } from "./config.server";
import { addDocumentResponseHeaders } from "./shopify.server";
import { allowSimulatorFraming } from "./shopify/simulator-fetch.server";

/** Pages for support staff: never framed, whatever the URL carries. */
const isOpsPath = (pathname: string) => pathname === "/ops" || pathname.startsWith("/ops/");

/**
 * The headers of every HTML document. The embedded admin's pages get the library's (its
 * `frame-ancestors` names the shop's admin, taken from `?shop=`); the ops pages must not: with
 * `?shop=` on an ops URL the library would replace their `frame-ancestors 'none'` with the
 * shop's, and the ops pages could be framed by that admin (or anyone who can put a page there).
 */
export function setDocumentHeaders(request: Request, headers: Headers): void {
  if (isOpsPath(new URL(request.url).pathname)) {
    headers.set("Content-Security-Policy", "frame-ancestors 'none'");
    headers.set("X-Frame-Options", "DENY");
    return;
  }
  addDocumentResponseHeaders(request, headers);
  const { SIMULATOR_URL: simulatorUrl, APP_BRIDGE_URL: appBridgeUrl } = config();
  if (simulatorUrl) allowSimulatorFraming(headers, simulatorUrl);
  // The library preloads App Bridge from Shopify's CDN; where the app loads it from elsewhere
  // (the simulator's), that preload fetches a script no page uses, which the browser warns
  // about (and, offline, fails to resolve). Preload the one the page does load instead.
  if (appBridgeUrl && headers.has("Link"))
    headers.set("Link", `<${appBridgeUrl}>; rel="preload"; as="script"`);
}
