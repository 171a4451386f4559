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
