import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";
import { TEST_API_KEY, TEST_API_SECRET } from "./env";

/** A desktop browser's user agent: Shopify's library answers bots' requests with 410. */
export const BROWSER =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";

/** A session token as the Shopify admin mints it: HS256 with the app secret, Shopify's claims. */
export async function sessionToken(
  shop: string,
  { apiKey = TEST_API_KEY, secret = TEST_API_SECRET } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: apiKey,
    sub: "902541635",
    jti: randomUUID(),
    sid: randomUUID().replace(/-/g, ""),
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setNotBefore(now - 5)
    .setExpirationTime(now + 60)
    .sign(new TextEncoder().encode(secret));
}
