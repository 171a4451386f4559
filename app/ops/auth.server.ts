import { timingSafeEqual } from "node:crypto";
import { config } from "~/config.server";

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The ops pages are for support staff, not merchants: they sit outside the embedded admin
 * behind their own HTTP Basic credentials (OPS_USERNAME / OPS_PASSWORD), served over HTTPS in
 * production. Throws a 401 challenge unless the request carries them.
 */
export function requireOpsUser(request: Request): string {
  const { OPS_USERNAME, OPS_PASSWORD } = config();
  const header = request.headers.get("Authorization") ?? "";
  const [scheme, encoded] = header.split(" ");
  if (scheme === "Basic" && encoded) {
    const decoded = Buffer.from(encoded, "base64").toString("utf8");
    const separator = decoded.indexOf(":");
    const user = decoded.slice(0, separator);
    const password = decoded.slice(separator + 1);
    if (separator > 0 && equal(user, OPS_USERNAME) && equal(password, OPS_PASSWORD)) return user;
  }
  throw new Response("Authentication required", {
    status: 401,
    headers: { "WWW-Authenticate": 'Basic realm="Propel ops", charset="UTF-8"' },
  });
}

const forbidden = () =>
  new Response("Ops actions must be posted from the ops pages", {
    status: 403,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });

/**
 * Browsers attach remembered Basic credentials to any request to this host, so another site
 * could make a signed-in support agent's browser post a form that retries, removes or queues
 * jobs. Browsers say where a post comes from in Sec-Fetch-Site (and Origin): anything but this
 * site is refused. Clients that send neither (curl, scripts) are not browsers and cannot be
 * tricked into posting.
 */
function requireSameOrigin(request: Request): void {
  const site = request.headers.get("Sec-Fetch-Site");
  if (site !== null && site !== "same-origin") throw forbidden();
  const origin = request.headers.get("Origin");
  if (origin === null) return;
  // Behind a TLS-terminating proxy the request URL may say http while the browser said https:
  // the host is what identifies the site.
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw forbidden(); // "null" (sandboxed frames, privacy redirects) or garbage
  }
  if (host !== new URL(request.url).host) throw forbidden();
}

/** Every ops action (a POST that changes something): the ops credentials, from the ops pages. */
export function requireOpsAction(request: Request): string {
  const user = requireOpsUser(request);
  requireSameOrigin(request);
  return user;
}
