/**
 * `/admin/oauth/authorize` and `/admin/oauth/access_token` with Shopify's rules: redirect_uri
 * must be one of the app's redirect URLs, the callback query is signed (hex HMAC over the
 * sorted query), codes are single use with a 1-minute TTL, the token endpoint checks the client
 * credentials and supports authorization_code, token exchange and refresh_token grants.
 */
import type { ShopRuntime, Simulator } from "../core.js";
import { hostParam } from "../admin/shell.js";

export interface HttpResult {
  status: number;
  headers?: Record<string, string>;
  body: string | Record<string, unknown>;
}

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
const ONLINE = "urn:shopify:params:oauth:token-type:online-access-token";
const OFFLINE = "urn:shopify:params:oauth:token-type:offline-access-token";

function errorPage(title: string, detail: string): HttpResult {
  return {
    status: 400,
    headers: { "Content-Type": "text/html; charset=utf-8" },
    body: `<!doctype html><html><head><title>Oauth error</title></head><body style="font-family:sans-serif;padding:40px"><h1>Oauth error ${title}</h1><p>${detail}</p><p><small>Propel store simulator</small></p></body></html>`,
  };
}

function sameOriginAndPath(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.origin === y.origin && x.pathname.replace(/\/$/, "") === y.pathname.replace(/\/$/, "");
  } catch {
    return false;
  }
}

export function authorize(sim: Simulator, rt: ShopRuntime, query: URLSearchParams): HttpResult {
  const clientId = query.get("client_id");
  if (clientId !== sim.options.apiKey) {
    return errorPage(
      "invalid_request",
      "The client_id provided is invalid or the app is not installed on this store.",
    );
  }
  const redirectUri = query.get("redirect_uri") ?? "";
  const allowed =
    sim.config.redirectUrls.length > 0 ? sim.config.redirectUrls : [`${sim.appUrl}/auth/callback`];
  if (!allowed.some((u) => sameOriginAndPath(u, redirectUri))) {
    return errorPage(
      "invalid_request",
      `The redirect_uri is not whitelisted: ${redirectUri.replace(/</g, "&lt;")}`,
    );
  }
  const state = query.get("state") ?? "";
  const online = (query.get("grant_options[]") ?? "") === "per-user";
  const scope = query.get("scope") ?? sim.config.scopes.join(",");
  const code = sim.auth.issueCode(rt.domain, scope, online);
  const params: Record<string, string> = {
    code,
    host: hostParam(rt.domain.replace(/\.myshopify\.com$/, "")),
    shop: rt.domain,
    state,
    timestamp: String(Math.floor(Date.now() / 1000)),
  };
  const hmac = sim.auth.signQuery(params);
  const target = new URL(redirectUri);
  for (const [k, v] of Object.entries({ ...params, hmac })) target.searchParams.set(k, v);
  return { status: 302, headers: { Location: target.toString() }, body: "" };
}

function jsonError(status: number, error: string, description: string): HttpResult {
  return { status, body: { error, error_description: description } };
}

export async function accessToken(
  sim: Simulator,
  rt: ShopRuntime,
  body: Record<string, string>,
): Promise<HttpResult> {
  const { client_id: clientId, client_secret: clientSecret } = body;
  if (!clientId || clientId !== sim.options.apiKey) {
    return jsonError(400, "invalid_request", "The client_id provided is invalid.");
  }
  if (clientSecret !== sim.options.apiSecret) {
    return jsonError(
      401,
      "invalid_client",
      "Client authentication failed: the client_secret is invalid.",
    );
  }
  const grant = body.grant_type ?? (body.code ? "authorization_code" : "");
  const expiring = body.expiring === "1" || body.expiring === "true";
  if (grant === "authorization_code") {
    const rec = body.code ? sim.auth.consumeCode(rt.domain, body.code) : null;
    if (!rec)
      return jsonError(
        400,
        "invalid_request",
        "The authorization code was not found or was already used",
      );
    sim.markInstalled(rt);
    const res = rec.online
      ? sim.auth.issueAccessToken(rt.domain, rec.scope, {
          online: true,
          user: sim.auth.userById(undefined),
        })
      : sim.auth.issueAccessToken(rt.domain, rec.scope, { online: false, expiring });
    return { status: 200, body: res };
  }
  if (grant === TOKEN_EXCHANGE) {
    const token = body.subject_token ?? "";
    if (body.subject_token_type && body.subject_token_type !== ID_TOKEN_TYPE) {
      return jsonError(
        400,
        "invalid_request",
        "subject_token_type must be urn:ietf:params:oauth:token-type:id_token",
      );
    }
    const payload = await sim.auth.verifySessionToken(token);
    if (!payload || payload.dest !== `https://${rt.domain}`) {
      return jsonError(
        400,
        "invalid_subject_token",
        "The subject_token is invalid, expired, or was not issued for this shop and app.",
      );
    }
    const requested = body.requested_token_type ?? OFFLINE;
    if (requested !== ONLINE && requested !== OFFLINE) {
      return jsonError(400, "invalid_request", "requested_token_type is not supported");
    }
    sim.markInstalled(rt);
    const scope = sim.config.scopes.join(",");
    const res =
      requested === ONLINE
        ? sim.auth.issueAccessToken(rt.domain, scope, {
            online: true,
            user: sim.auth.userById(typeof payload.sub === "string" ? payload.sub : undefined),
          })
        : sim.auth.issueAccessToken(rt.domain, scope, { online: false, expiring });
    return { status: 200, body: res };
  }
  if (grant === "refresh_token") {
    const rec = sim.auth.useRefreshToken(rt.domain, body.refresh_token ?? "");
    if (!rec)
      return jsonError(
        400,
        "invalid_grant",
        "The refresh token is invalid, expired or already used.",
      );
    return {
      status: 200,
      body: sim.auth.issueAccessToken(rt.domain, rec.scope, { online: false, expiring: true }),
    };
  }
  if (grant === "client_credentials") {
    return jsonError(
      400,
      "unauthorized_client",
      "The client_credentials grant is only available to apps installed on stores in the same organization (not simulated).",
    );
  }
  return jsonError(400, "unsupported_grant_type", `Unsupported grant_type: ${grant || "(none)"}`);
}
