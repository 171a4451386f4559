/**
 * OAuth state: authorization codes (single use, 1-minute TTL), access tokens (offline,
 * expiring offline with refresh tokens, online with an associated user) and session tokens
 * (HS256 JWTs signed with the app secret, claims exactly as Shopify's).
 *
 * Non-expiring offline tokens are derived from the app secret and the shop (HMAC), so an app
 * that stored one keeps working across simulator restarts.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { SignJWT, jwtVerify, type JWTPayload } from "jose";

export interface StaffUser {
  id: number;
  first_name: string;
  last_name: string;
  email: string;
  account_owner: boolean;
  locale: string;
  collaborator: boolean;
  email_verified: boolean;
}

export const DEFAULT_USER: StaffUser = {
  id: 902541635,
  first_name: "Sam",
  last_name: "Merchant",
  email: "sam@propel-demo.example.com",
  account_owner: true,
  locale: "en",
  collaborator: false,
  email_verified: true,
};

export interface AccessTokenRecord {
  shop: string;
  scope: string;
  online: boolean;
  expiresAt: number | null;
  user?: StaffUser;
}

interface CodeRecord {
  shop: string;
  scope: string;
  online: boolean;
  expiresAt: number;
  used: boolean;
}

interface RefreshRecord {
  shop: string;
  scope: string;
  expiresAt: number;
}

export const ACCESS_TOKEN_TTL_S = 3600;
export const REFRESH_TOKEN_TTL_S = 90 * 86400;
export const ONLINE_TOKEN_TTL_S = 86399;
export const CODE_TTL_MS = 60_000;
export const SESSION_TOKEN_TTL_S = 60;

export class AuthState {
  private readonly codes = new Map<string, CodeRecord>();
  private readonly tokens = new Map<string, AccessTokenRecord>();
  private readonly refresh = new Map<string, RefreshRecord>();
  private readonly revoked = new Set<string>();
  users: StaffUser[] = [DEFAULT_USER];

  constructor(
    readonly apiKey: string,
    readonly apiSecret: string,
    private readonly defaultScope: string,
  ) {}

  private hmacHex(data: string): string {
    return createHmac("sha256", this.apiSecret).update(data).digest("hex");
  }

  /** Hex HMAC-SHA256 over the sorted query without `hmac`/`signature`, as Shopify signs. */
  signQuery(params: Record<string, string>): string {
    const keys = Object.keys(params)
      .filter((k) => k !== "hmac" && k !== "signature")
      .sort((a, b) => a.localeCompare(b));
    const qs = new URLSearchParams();
    for (const k of keys) qs.append(k, params[k] ?? "");
    return this.hmacHex(qs.toString().replace(/\+/g, "%20"));
  }

  issueCode(shop: string, scope: string, online: boolean): string {
    const code = randomBytes(16).toString("hex");
    this.codes.set(code, {
      shop,
      scope: scope || this.defaultScope,
      online,
      expiresAt: Date.now() + CODE_TTL_MS,
      used: false,
    });
    return code;
  }

  /** Consume a code; null when unknown, used, expired or for another shop. */
  consumeCode(shop: string, code: string): CodeRecord | null {
    const rec = this.codes.get(code);
    if (!rec || rec.used || rec.shop !== shop || rec.expiresAt < Date.now()) {
      if (rec) rec.used = true;
      return null;
    }
    rec.used = true;
    return rec;
  }

  offlineToken(shop: string): string {
    return `shpat_${this.hmacHex(`offline:${shop}`).slice(0, 32)}`;
  }

  issueAccessToken(
    shop: string,
    scope: string,
    kind: { online: false; expiring: boolean } | { online: true; user: StaffUser },
  ): Record<string, unknown> {
    this.revoked.delete(shop);
    if (kind.online) {
      const token = `shpua_${randomBytes(16).toString("hex")}`;
      this.tokens.set(token, {
        shop,
        scope,
        online: true,
        expiresAt: Date.now() + ONLINE_TOKEN_TTL_S * 1000,
        user: kind.user,
      });
      return {
        access_token: token,
        scope,
        expires_in: ONLINE_TOKEN_TTL_S,
        associated_user_scope: scope,
        session: randomUUID(),
        account_number: 0,
        associated_user: kind.user,
      };
    }
    if (!kind.expiring) {
      const token = this.offlineToken(shop);
      this.tokens.set(token, { shop, scope, online: false, expiresAt: null });
      return { access_token: token, scope };
    }
    const token = `shpat_${randomBytes(16).toString("hex")}`;
    const refreshToken = `shprt_${randomBytes(16).toString("hex")}`;
    this.tokens.set(token, {
      shop,
      scope,
      online: false,
      expiresAt: Date.now() + ACCESS_TOKEN_TTL_S * 1000,
    });
    this.refresh.set(refreshToken, {
      shop,
      scope,
      expiresAt: Date.now() + REFRESH_TOKEN_TTL_S * 1000,
    });
    return {
      access_token: token,
      scope,
      expires_in: ACCESS_TOKEN_TTL_S,
      refresh_token: refreshToken,
      refresh_token_expires_in: REFRESH_TOKEN_TTL_S,
    };
  }

  /** Rotate: the refresh token is single use. */
  useRefreshToken(shop: string, token: string): RefreshRecord | null {
    const rec = this.refresh.get(token);
    this.refresh.delete(token);
    if (!rec || rec.shop !== shop || rec.expiresAt < Date.now()) return null;
    return rec;
  }

  /** The token's record if valid for this shop. */
  check(shop: string, token: string | undefined): AccessTokenRecord | null {
    if (!token || this.revoked.has(shop)) return null;
    const rec = this.tokens.get(token);
    if (rec) {
      if (rec.shop !== shop) return null;
      if (rec.expiresAt !== null && rec.expiresAt < Date.now()) return null;
      return rec;
    }
    if (token === this.offlineToken(shop)) {
      const r: AccessTokenRecord = {
        shop,
        scope: this.defaultScope,
        online: false,
        expiresAt: null,
      };
      this.tokens.set(token, r);
      return r;
    }
    return null;
  }

  /** App uninstalled: every token of the shop stops working. */
  revokeShop(shop: string): void {
    this.revoked.add(shop);
    for (const [t, r] of this.tokens) if (r.shop === shop) this.tokens.delete(t);
    for (const [t, r] of this.refresh) if (r.shop === shop) this.refresh.delete(t);
  }

  async sessionToken(shop: string, user: StaffUser = DEFAULT_USER, sid?: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: `https://${shop}/admin`,
      dest: `https://${shop}`,
      aud: this.apiKey,
      sub: String(user.id),
      exp: now + SESSION_TOKEN_TTL_S,
      nbf: now,
      iat: now,
      jti: randomUUID(),
      sid: sid ?? this.hmacHex(`sid:${shop}:${user.id}`).slice(0, 32),
    })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(this.apiSecret));
  }

  async verifySessionToken(token: string): Promise<JWTPayload | null> {
    try {
      const { payload } = await jwtVerify(token, new TextEncoder().encode(this.apiSecret), {
        algorithms: ["HS256"],
        clockTolerance: 10,
      });
      if (payload.aud !== this.apiKey) return null;
      return payload;
    } catch {
      return null;
    }
  }

  userById(id: string | undefined): StaffUser {
    return this.users.find((u) => String(u.id) === id) ?? DEFAULT_USER;
  }
}
