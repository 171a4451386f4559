import "@shopify/shopify-api/adapters/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiVersion, RequestedTokenType, shopifyApi, type Shopify } from "@shopify/shopify-api";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import type { RunningSimulator } from "../../simulator/server.js";
import { API_KEY, API_SECRET, SHOP, at, gql, startTestSimulator } from "./helpers.js";

const UA =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
let sim: RunningSimulator;
let shopify: Shopify;

function toSim(url: string): string {
  return url.replace(/^https:\/\/([^/]+\.myshopify\.com)\//, `${sim.url}/shops/$1/`);
}

beforeAll(async () => {
  sim = await startTestSimulator();
  shopify = shopifyApi({
    apiKey: API_KEY,
    apiSecretKey: API_SECRET,
    scopes: ["read_customers", "write_customers", "read_orders"],
    hostName: "localhost:3000",
    hostScheme: "http",
    apiVersion: ApiVersion.October26,
    isEmbeddedApp: true,
    logger: { level: 0 },
  });
  // exactly what the app does: send every https://{shop}/… request to the simulator
  setAbstractFetchFunc((input, init) => fetch(toSim(String(input)), init));
});

afterAll(async () => {
  await sim.close();
});

function cookieHeader(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

async function authorizeRedirect(): Promise<{ callbackUrl: URL; cookie: string }> {
  const begin = (await shopify.auth.begin({
    shop: SHOP,
    callbackPath: "/auth/callback",
    isOnline: false,
    rawRequest: new Request("http://localhost:3000/auth?shop=" + SHOP, {
      headers: { "User-Agent": UA },
    }),
  })) as Response;
  expect(begin.status).toBe(302);
  const location = begin.headers.get("Location") ?? "";
  expect(location).toMatch(/^https:\/\/propel-demo\.myshopify\.com\/admin\/oauth\/authorize\?/);
  const auth = await fetch(toSim(location), { redirect: "manual" });
  expect(auth.status).toBe(302);
  const callbackUrl = new URL(auth.headers.get("Location") ?? "");
  return { callbackUrl, cookie: cookieHeader(begin) };
}

describe("OAuth authorization code grant", () => {
  it("completes with shopify-api's own begin/callback (state and HMAC verified by the library)", async () => {
    const { callbackUrl, cookie } = await authorizeRedirect();
    expect(callbackUrl.origin + callbackUrl.pathname).toBe("http://localhost:3000/auth/callback");
    for (const k of ["code", "hmac", "host", "shop", "state", "timestamp"])
      expect(callbackUrl.searchParams.has(k)).toBe(true);
    expect(await shopify.utils.validateHmac(Object.fromEntries(callbackUrl.searchParams))).toBe(
      true,
    );

    const { session } = await shopify.auth.callback({
      rawRequest: new Request(callbackUrl.toString(), {
        headers: { "User-Agent": UA, Cookie: cookie },
      }),
    });
    expect(session.shop).toBe(SHOP);
    expect(session.isOnline).toBe(false);
    expect(session.accessToken).toMatch(/^shpat_/);
    expect(shopify.config.scopes?.equals(session.scope)).toBe(true);

    const client = new shopify.clients.Graphql({ session });
    const res = await client.request<{ shop: { myshopifyDomain: string } }>(
      "{ shop { myshopifyDomain } }",
    );
    expect(res.data?.shop.myshopifyDomain).toBe(SHOP);
  });

  it("rejects a replayed code with 400 invalid_request", async () => {
    const { callbackUrl } = await authorizeRedirect();
    const code = callbackUrl.searchParams.get("code");
    const post = (): Promise<Response> =>
      fetch(`${sim.url}/shops/${SHOP}/admin/oauth/access_token`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ client_id: API_KEY, client_secret: API_SECRET, code }),
      });
    expect((await post()).status).toBe(200);
    const replay = await post();
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe("invalid_request");
  });

  it("answers 401 to a wrong client secret", async () => {
    const { callbackUrl } = await authorizeRedirect();
    const res = await fetch(`${sim.url}/shops/${SHOP}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: API_KEY,
        client_secret: "wrong",
        code: callbackUrl.searchParams.get("code") ?? "",
      }),
    });
    expect(res.status).toBe(401);
  });

  it("refuses a redirect_uri that is not in the app's redirect URLs", async () => {
    const res = await fetch(
      `${sim.url}/shops/${SHOP}/admin/oauth/authorize?client_id=${API_KEY}&scope=read_orders&state=x&redirect_uri=${encodeURIComponent("http://evil.example/auth/callback")}`,
      { redirect: "manual" },
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("redirect_uri");
  });
});

describe("session tokens and token exchange", () => {
  async function sessionToken(): Promise<string> {
    const res = await fetch(`${sim.url}/shops/${SHOP}/_sim/session-token?api_key=${API_KEY}`);
    return ((await res.json()) as { token: string }).token;
  }

  it("issues session tokens that shopify-api's decodeSessionToken accepts, with Shopify's claims", async () => {
    const payload = await shopify.session.decodeSessionToken(await sessionToken());
    expect(payload.iss).toBe(`https://${SHOP}/admin`);
    expect(payload.dest).toBe(`https://${SHOP}`);
    expect(payload.aud).toBe(API_KEY);
    expect(payload.exp - payload.iat).toBe(60);
    for (const k of ["sub", "nbf", "jti", "sid"] as const) expect(payload[k]).toBeTruthy();
  });

  it("exchanges a session token for offline and online access tokens (shopify-api auth.tokenExchange)", async () => {
    const { session } = await shopify.auth.tokenExchange({
      shop: SHOP,
      sessionToken: await sessionToken(),
      requestedTokenType: RequestedTokenType.OfflineAccessToken,
    });
    expect(session.accessToken).toMatch(/^shpat_/);
    const q = await gql(sim, session.accessToken ?? "", "{ shop { name } }");
    expect(at(q.json, "data", "shop", "name")).toBe("Propel Demo");

    const online = await shopify.auth.tokenExchange({
      shop: SHOP,
      sessionToken: await sessionToken(),
      requestedTokenType: RequestedTokenType.OnlineAccessToken,
    });
    expect(online.session.isOnline).toBe(true);
    expect(online.session.onlineAccessInfo?.associated_user.id).toBeGreaterThan(0);
  });

  it("gives expiring offline tokens a refresh token that rotates", async () => {
    const { session } = await shopify.auth.tokenExchange({
      shop: SHOP,
      sessionToken: await sessionToken(),
      requestedTokenType: RequestedTokenType.OfflineAccessToken,
      expiring: true,
    });
    expect(session.expires).toBeInstanceOf(Date);
    expect(session.refreshToken).toMatch(/^shprt_/);
    const refreshed = await shopify.auth.refreshToken({
      shop: SHOP,
      refreshToken: session.refreshToken ?? "",
    });
    expect(refreshed.session.accessToken).not.toBe(session.accessToken);
    await expect(
      shopify.auth.refreshToken({ shop: SHOP, refreshToken: session.refreshToken ?? "" }),
    ).rejects.toThrow();
  });

  it("rejects an invalid subject token with invalid_subject_token", async () => {
    const res = await fetch(`${sim.url}/shops/${SHOP}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        client_id: API_KEY,
        client_secret: API_SECRET,
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: "not.a.jwt",
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
        requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_subject_token");
  });

  it("embeds the app with a query signed like Shopify's (validateHmac) and a valid id_token", async () => {
    const page = await (await fetch(`${sim.url}/store/propel-demo/apps/propel-segments`)).text();
    const src = page.match(/<iframe[^>]+src="([^"]+)"/)?.[1]?.replace(/&#38;/g, "&") ?? "";
    const url = new URL(src);
    expect(url.origin + url.pathname).toBe("http://localhost:3000/app");
    const params = Object.fromEntries(url.searchParams);
    expect(params.embedded).toBe("1");
    expect(Buffer.from(params.host ?? "", "base64").toString()).toBe(
      "admin.shopify.com/store/propel-demo",
    );
    expect(await shopify.utils.validateHmac(params)).toBe(true);
    const payload = await shopify.session.decodeSessionToken(params.id_token ?? "");
    expect(payload.dest).toBe(`https://${SHOP}`);
  });

  it("installs through Shopify-managed install: the app opens in the admin", async () => {
    const ok = await fetch(`${sim.url}/store/propel-demo/oauth/install?client_id=${API_KEY}`, {
      redirect: "manual",
    });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe("/store/propel-demo/apps/propel-segments");
    const unknown = await fetch(`${sim.url}/store/propel-demo/oauth/install?client_id=nope`, {
      redirect: "manual",
    });
    expect(unknown.status).toBe(400);
  });

  it("answers 401 without a valid access token", async () => {
    const r = await gql(sim, "shpat_nope", "{ shop { name } }");
    expect(r.status).toBe(401);
    expect(r.json.errors).toBe(
      "[API] Invalid API key or access token (unrecognized login or wrong password)",
    );
  });
});
