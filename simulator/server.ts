/**
 * HTTP front of the store simulator (node:http). URL scheme:
 *   /shops/{shop}/admin/oauth/authorize            OAuth authorize (auto-approves)
 *   /shops/{shop}/admin/oauth/access_token         token endpoint (code, token exchange, refresh)
 *   /shops/{shop}/admin/api/{version}/graphql.json Admin GraphQL
 *   /shops/{shop}/_sim/session-token               a fresh session token (App Bridge stand-in)
 *   /store/{store}/apps/{handle}                   admin shell embedding the app
 *   /store/{store}/oauth/install?client_id=…       Shopify-managed install (auto-approves)
 *   /app-bridge.js                                 App Bridge stand-in
 *   /_sim/…                                        control API (JSON), files, staged uploads
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createReadStream, existsSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { AddressInfo } from "node:net";
import {
  Simulator,
  normalizeShop,
  type ShopRuntime,
  type ShopSpec,
  type SimulatorOptions,
} from "./core.js";
import { authorize, accessToken, type HttpResult } from "./auth/oauth.js";
import { APP_BRIDGE_JS } from "./admin/app-bridge.js";
import { appFrameUrl, shellHtml } from "./admin/shell.js";
import { customersPage, discountsPage, ordersPage } from "./admin/pages.js";
import { adminSchema } from "./graphql/schema.js";
import {
  CONSENT_STATES,
  PLAN_RESTORE_RATE,
  type CancelReason,
  type ConsentState,
  type PlanName,
} from "./model/store.js";
import { customerView } from "./graphql/resolvers.js";
import { money } from "./webhooks/payloads.js";
import type { WebhookSwitches } from "./webhooks/dispatcher.js";

export interface StartOptions extends SimulatorOptions {
  port?: number;
  host?: string;
  /** Public base URL (defaults to http://127.0.0.1:{port}). */
  publicUrl?: string;
  log?: (line: string) => void;
}

export interface RunningSimulator {
  url: string;
  port: number;
  sim: Simulator;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}

function parseParams(buf: Buffer, contentType: string | undefined): Record<string, unknown> {
  const text = buf.toString("utf8");
  if (!text.trim()) return {};
  if (contentType?.includes("application/x-www-form-urlencoded"))
    return Object.fromEntries(new URLSearchParams(text));
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
  } catch {
    return Object.fromEntries(new URLSearchParams(text));
  }
}

function stringRecord(o: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) out[k] = String(v);
  return out;
}

/** Minimal multipart/form-data parser (fields and files as Buffers). */
export function parseMultipart(buf: Buffer, contentType: string): Map<string, Buffer> {
  const m = contentType.match(/boundary=(?:"([^"]+)"|([^;]+))/);
  const out = new Map<string, Buffer>();
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return out;
  const delim = Buffer.from(`--${boundary}`);
  let pos = buf.indexOf(delim);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (buf.slice(start, start + 2).toString() === "--") break;
    const headerEnd = buf.indexOf("\r\n\r\n", start);
    if (headerEnd < 0) break;
    const headers = buf.slice(start, headerEnd).toString("utf8");
    const next = buf.indexOf(delim, headerEnd + 4);
    if (next < 0) break;
    const body = buf.slice(headerEnd + 4, next - 2); // strip CRLF before the delimiter
    const name = headers.match(/name="([^"]*)"/)?.[1];
    if (name) out.set(name, body);
    pos = next;
  }
  return out;
}

function send(res: ServerResponse, r: HttpResult): void {
  const isJson = typeof r.body !== "string";
  res.writeHead(r.status, {
    ...(isJson ? { "Content-Type": "application/json; charset=utf-8" } : {}),
    ...r.headers,
  });
  res.end(isJson ? JSON.stringify(r.body) : r.body);
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "*",
  "Access-Control-Allow-Methods": "GET,POST,OPTIONS",
};

function shopSummary(rt: ShopRuntime): Record<string, unknown> {
  const s = rt.store;
  return {
    domain: rt.domain,
    name: s.shop.name,
    plan: s.shop.plan,
    installed: rt.installed,
    currencyCode: s.shop.currencyCode,
    customers: s.customersAlive,
    orders: s.ordersAlive,
    products: s.products.length,
    discounts: s.discounts.map((d) => d.code),
    adminUrl: `/store/${rt.domain.replace(/\.myshopify\.com$/, "")}`,
  };
}

export async function startSimulator(options: StartOptions): Promise<RunningSimulator> {
  adminSchema(); // load once up front
  const sim = new Simulator(options);
  const log = options.log ?? (() => undefined);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", sim.baseUrl);
    const path = url.pathname;
    const method = req.method ?? "GET";
    log(`${method} ${path}`);
    if (method === "OPTIONS") {
      res.writeHead(204, CORS);
      res.end();
      return;
    }
    let m: RegExpMatchArray | null;

    if (path === "/app-bridge.js") {
      res.writeHead(200, {
        "Content-Type": "application/javascript; charset=utf-8",
        "Cache-Control": "no-cache",
        ...CORS,
      });
      res.end(APP_BRIDGE_JS);
      return;
    }
    if (path === "/" || path === "/_sim" || path === "/_sim/health") {
      json(res, 200, {
        ok: true,
        simulator: "propel-store-simulator",
        shops: [...sim.shops.keys()],
      });
      return;
    }

    // ---------------- admin shell
    if ((m = path.match(/^\/store\/([^/]+)\/apps\/([^/]+)\/_frame$/))) {
      const rt = sim.shop(m[1] ?? "");
      if (!rt) return json(res, 404, { error: "Not Found" });
      json(res, 200, { url: await appFrameUrl(sim, rt, url.searchParams.get("path") ?? "/app") });
      return;
    }
    // Shopify-managed install, where the app's login page sends a merchant: Shopify shows the
    // scopes of the app's configuration for consent, then opens the app in the admin, where
    // the app installs itself by token exchange. The simulator approves at once.
    if ((m = path.match(/^\/store\/([^/]+)\/oauth\/install$/)) && method === "GET") {
      const rt = sim.shop(m[1] ?? "");
      if (!rt) return send(res, oauthInstallError(404, "Store not found"));
      if (url.searchParams.get("client_id") !== sim.options.apiKey) {
        return send(res, oauthInstallError(400, "The app couldn't be found"));
      }
      res.writeHead(302, { Location: `/store/${m[1] ?? ""}/apps/${sim.config.handle}` });
      res.end();
      return;
    }
    if ((m = path.match(/^\/store\/([^/]+)\/apps\/([^/]+)(\/.*)?$/))) {
      const rt = sim.shop(m[1] ?? "");
      if (!rt)
        return send(res, {
          status: 404,
          headers: { "Content-Type": "text/html" },
          body: "<h1>Store not found</h1>",
        });
      const sub = m[3] && m[3] !== "/" ? m[3] : "";
      const appPath = url.searchParams.get("path") ?? (sub ? `/app${sub}` : "/app");
      const frame = await appFrameUrl(sim, rt, appPath);
      send(res, {
        status: 200,
        headers: { "Content-Type": "text/html; charset=utf-8" },
        body: shellHtml(sim, rt, frame),
      });
      return;
    }
    if ((m = path.match(/^\/store\/([^/]+)\/(customers|orders|discounts)$/))) {
      const rt = sim.shop(m[1] ?? "");
      if (!rt)
        return send(res, {
          status: 404,
          headers: { "Content-Type": "text/html" },
          body: "<h1>Store not found</h1>",
        });
      const page = Math.max(0, Number(url.searchParams.get("page") ?? 0) || 0);
      const html =
        m[2] === "customers"
          ? customersPage(sim, rt, page, url.searchParams.get("tag"))
          : m[2] === "orders"
            ? ordersPage(sim, rt, page)
            : discountsPage(sim, rt);
      send(res, {
        status: 200,
        headers: { "Content-Type": "text/html; charset=utf-8" },
        body: html,
      });
      return;
    }
    if ((m = path.match(/^\/store\/([^/]+)\/?$/))) {
      res.writeHead(302, { Location: `/store/${m[1] ?? ""}/apps/${sim.config.handle}` });
      res.end();
      return;
    }

    // ---------------- shop-scoped Shopify endpoints
    if ((m = path.match(/^\/shops\/([^/]+)(\/.*)$/))) {
      const rt = sim.shop(m[1] ?? "");
      const rest = m[2] ?? "/";
      if (!rt) {
        json(res, 404, { errors: "Not Found" });
        return;
      }
      if (rest === "/admin/oauth/authorize" && method === "GET")
        return send(res, authorize(sim, rt, url.searchParams));
      if (rest === "/admin/oauth/access_token" && method === "POST") {
        const body = stringRecord(parseParams(await readBody(req), req.headers["content-type"]));
        return send(res, await accessToken(sim, rt, body));
      }
      if ((m = rest.match(/^\/admin\/api\/([^/]+)\/graphql\.json$/)) && method === "POST") {
        const version = m[1] ?? "";
        const token = req.headers["x-shopify-access-token"];
        const raw = await readBody(req);
        if (!sim.auth.check(rt.domain, typeof token === "string" ? token : undefined)) {
          json(res, 401, {
            errors: "[API] Invalid API key or access token (unrecognized login or wrong password)",
          });
          return;
        }
        if (!/^\d{4}-(01|04|07|10)$/.test(version) && version !== "unstable") {
          json(res, 404, { errors: "Not Found" });
          return;
        }
        let body: unknown;
        try {
          body = req.headers["content-type"]?.includes("application/graphql")
            ? { query: raw.toString("utf8") }
            : JSON.parse(raw.toString("utf8"));
        } catch {
          json(res, 400, { errors: { query: "Required parameter missing or invalid" } });
          return;
        }
        const out = await sim.graphql(rt, body, version);
        json(res, out.status, out.body, {
          "X-Shopify-API-Version": version,
          "X-Request-Id": crypto.randomUUID(),
        });
        return;
      }
      if (rest === "/_sim/session-token" && method === "GET") {
        const apiKey = url.searchParams.get("api_key");
        if (apiKey && apiKey !== sim.options.apiKey)
          return json(res, 400, { error: "unknown api_key" }, CORS);
        json(res, 200, { token: await sim.auth.sessionToken(rt.domain) }, CORS);
        return;
      }
      if ((m = rest.match(/^\/admin\/apps\/([^/?]+)(\/.*)?$/))) {
        const storeName = rt.domain.replace(/\.myshopify\.com$/, "");
        res.writeHead(302, {
          Location: `/store/${storeName}/apps/${m[1] ?? sim.config.handle}${m[2] ?? ""}${url.search}`,
        });
        res.end();
        return;
      }
      if (rest === "/admin" || rest === "/admin/") {
        res.writeHead(302, { Location: `/store/${rt.domain.replace(/\.myshopify\.com$/, "")}` });
        res.end();
        return;
      }
      json(res, 404, { errors: "Not Found" });
      return;
    }

    // ---------------- files and uploads
    if ((m = path.match(/^\/_sim\/files\/([\w.-]+)$/)) && method === "GET") {
      const file = join(sim.filesDir, basename(m[1] ?? ""));
      if (!existsSync(file)) return json(res, 404, { error: "Not Found" });
      res.writeHead(200, {
        "Content-Type": "application/jsonl",
        "Content-Length": String(statSync(file).size),
      });
      createReadStream(file).pipe(res);
      return;
    }
    if (path === "/_sim/uploads" && method === "POST") {
      const ct = req.headers["content-type"] ?? "";
      const parts = parseMultipart(await readBody(req), ct);
      const key = parts.get("key")?.toString("utf8");
      const file = parts.get("file");
      if (!key || !file)
        return send(res, {
          status: 400,
          headers: { "Content-Type": "application/xml" },
          body: "<Error><Code>InvalidArgument</Code><Message>key and file are required</Message></Error>",
        });
      sim.uploads.set(key, file);
      const status = Number(parts.get("success_action_status")?.toString() ?? "201") || 201;
      send(res, {
        status,
        headers: { "Content-Type": "application/xml" },
        body: `<?xml version="1.0" encoding="UTF-8"?><PostResponse><Location>${sim.baseUrl}/_sim/uploads/${key}</Location><Key>${key}</Key></PostResponse>`,
      });
      return;
    }
    if (path.startsWith("/_sim/uploads/") && method === "PUT") {
      const key = decodeURIComponent(path.slice("/_sim/uploads/".length));
      sim.uploads.set(key, await readBody(req));
      res.writeHead(200);
      res.end();
      return;
    }

    // ---------------- control API
    if (path.startsWith("/_sim/")) {
      const body =
        method === "GET" ? {} : parseParams(await readBody(req), req.headers["content-type"]);
      try {
        const r = await control(sim, method, path, url.searchParams, body);
        json(res, r.status, r.body);
      } catch (e) {
        json(res, 400, { error: e instanceof Error ? e.message : String(e) });
      }
      return;
    }
    json(res, 404, { errors: "Not Found" });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (!res.headersSent) json(res, 500, { errors: "Internal error in the store simulator" });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 4100, options.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  sim.baseUrl = (options.publicUrl ?? `http://127.0.0.1:${port}`).replace(/\/$/, "");
  return {
    url: sim.baseUrl,
    port,
    sim,
    close: async () => {
      sim.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------- control API

interface ControlResult {
  status: number;
  body: unknown;
}

function num(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

function idFrom(v: string | undefined): number {
  const m = (v ?? "").match(/(\d+)$/);
  return m ? Number(m[1]) : Number.NaN;
}

async function control(
  sim: Simulator,
  method: string,
  path: string,
  q: URLSearchParams,
  body: Record<string, unknown>,
): Promise<ControlResult> {
  let m: RegExpMatchArray | null;
  if (path === "/_sim/shops" && method === "GET")
    return { status: 200, body: [...sim.shops.values()].map(shopSummary) };
  if (path === "/_sim/shops" && method === "POST") {
    const spec = body as unknown as ShopSpec;
    if (typeof spec.domain !== "string") throw new Error("domain is required");
    const rt = sim.createShop(spec);
    return { status: 201, body: shopSummary(rt) };
  }
  if (path === "/_sim/webhooks/switches") {
    if (method === "POST") {
      const patch = body as Partial<WebhookSwitches> & { retryScale?: number };
      for (const k of ["duplicate", "reorderBatch", "reorderFlushMs", "delayMs", "drop"] as const) {
        const v = num(patch[k]);
        if (v !== undefined) sim.webhooks.switches[k] = v;
      }
      const rs = num(patch.retryScale);
      if (rs !== undefined) sim.webhooks.retryScale = rs;
    }
    return { status: 200, body: { ...sim.webhooks.switches, retryScale: sim.webhooks.retryScale } };
  }
  if (path === "/_sim/webhooks/deliveries" && method === "GET") {
    const shop = q.get("shop");
    const topic = q.get("topic");
    const list = sim.webhooks.log.filter(
      (d) => (!shop || d.shop === normalizeShop(shop)) && (!topic || d.topic === topic),
    );
    const withBody = q.get("body") === "1";
    return {
      status: 200,
      body: list.map((d) => ({
        ...d,
        body: withBody ? (JSON.parse(d.body) as unknown) : undefined,
      })),
    };
  }
  if (path === "/_sim/webhooks/flush" && method === "POST") {
    sim.webhooks.flushHeld();
    return { status: 200, body: { ok: true } };
  }
  if (!(m = path.match(/^\/_sim\/shops\/([^/]+)(\/.*)?$/)))
    return { status: 404, body: { error: "Not Found" } };
  const rt = sim.shop(m[1] ?? "");
  if (!rt) return { status: 404, body: { error: "shop not found" } };
  const rest = m[2] ?? "";
  const s = rt.store;
  const customerIdx = (v: string | undefined): number => {
    const c = s.customerIdxFromId(idFrom(v));
    if (c < 0) throw new Error("customer not found");
    return c;
  };
  const orderIdx = (v: string | undefined): number => {
    const o = s.orderIdxFromId(idFrom(v));
    if (o < 0) throw new Error("order not found");
    return o;
  };
  if (rest === "" && method === "GET") return { status: 200, body: shopSummary(rt) };
  if (rest === "/plan" && method === "POST") {
    const plan = String(body.plan) as PlanName;
    if (!(plan in PLAN_RESTORE_RATE))
      throw new Error(`plan must be one of ${Object.keys(PLAN_RESTORE_RATE).join(", ")}`);
    sim.setPlan(rt, plan);
    return { status: 200, body: { plan, throttle: rt.bucket.status() } };
  }
  if (rest === "/throttle" && method === "GET") {
    return {
      status: 200,
      body: {
        throttled: rt.bucket.throttledCount,
        requests: rt.bucket.requestCount,
        status: rt.bucket.status(),
      },
    };
  }
  if (rest === "/session-token" && method === "GET")
    return { status: 200, body: { token: await sim.auth.sessionToken(rt.domain) } };
  if (rest === "/install" && method === "POST") {
    sim.markInstalled(rt);
    return {
      status: 200,
      body: { installed: true, accessToken: sim.auth.offlineToken(rt.domain) },
    };
  }
  if (rest === "/uninstall" && method === "POST") {
    sim.uninstall(rt);
    return { status: 200, body: { installed: false } };
  }
  if (rest === "/compliance" && method === "POST") {
    const topic = String(body.topic) as
      "customers/data_request" | "customers/redact" | "shop/redact";
    if (!["customers/data_request", "customers/redact", "shop/redact"].includes(topic))
      throw new Error("unknown compliance topic");
    const c = topic === "shop/redact" ? undefined : customerIdx(String(body.customerId ?? ""));
    sim.compliance(rt, topic, c);
    return { status: 200, body: { ok: true } };
  }
  if (rest === "/flow-triggers" && method === "GET")
    return {
      status: 200,
      body: s.flowTriggers.map((t) => ({ ...t, receivedAt: new Date(t.receivedAt).toISOString() })),
    };
  if (rest === "/segments" && method === "GET") return { status: 200, body: s.segments };
  if (rest === "/discounts" && method === "GET") return { status: 200, body: s.discounts };
  if (rest === "/bulk-operations" && method === "GET") return { status: 200, body: rt.bulkOps };
  if (rest === "/customers" && method === "GET") {
    const limit = Math.min(num(q.get("limit")) ?? 50, 1000);
    const out: unknown[] = [];
    for (let c = 0; c < s.customerRows && out.length < limit; c++) {
      if (s.customerExists(c))
        out.push({
          id: s.customerId(c),
          email: s.email(c),
          name: s.displayName(c),
          orders: s.numberOfOrders(c),
          amountSpent: money(s.amountSpentCents(c)),
          tags: s.tags(c),
        });
    }
    return { status: 200, body: out };
  }
  if (rest === "/customers" && method === "POST") {
    const consent = body.consent ? (String(body.consent) as ConsentState) : undefined;
    if (consent && !CONSENT_STATES.includes(consent)) throw new Error("invalid consent state");
    const c = sim.createCustomer(rt, {
      email: body.email as string | undefined,
      firstName: body.firstName as string | undefined,
      lastName: body.lastName as string | undefined,
      consent,
    });
    return {
      status: 201,
      body: { id: s.customerId(c), gid: `gid://shopify/Customer/${s.customerId(c)}` },
    };
  }
  if ((m = rest.match(/^\/customers\/([^/]+)(\/tags)?$/))) {
    const c = customerIdx(m[1]);
    if (m[2] && method === "GET") return { status: 200, body: { tags: s.tags(c) } };
    if (method === "GET") {
      const orders = s.customerOrders(c).map((o) => ({
        id: s.orderId(o),
        name: s.orderName(o),
        processedAt: new Date(s.oProcessed.get(o)).toISOString(),
        total: money(s.totalCents(o)),
        refunded: money(s.oRefunded.get(o)),
        cancelled: s.isCancelled(o),
        test: s.isTest(o),
      }));
      const v = customerView(
        { sim, rt, apiVersion: "2026-10", bulk: false, searchWarnings: [] },
        c,
      );
      return {
        status: 200,
        body: {
          id: s.customerId(c),
          email: v.email,
          firstName: v.firstName,
          lastName: v.lastName,
          tags: s.tags(c),
          consent: s.consent(c),
          numberOfOrders: s.numberOfOrders(c),
          amountSpent: money(s.amountSpentCents(c)),
          updatedAt: v.updatedAt,
          orders,
        },
      };
    }
    if (method === "DELETE") {
      sim.deleteCustomer(rt, c);
      return { status: 200, body: { deleted: true } };
    }
    if (method === "POST" || method === "PATCH" || method === "PUT") {
      const consent = body.consent ? (String(body.consent) as ConsentState) : undefined;
      if (consent && !CONSENT_STATES.includes(consent)) throw new Error("invalid consent state");
      const patch: Parameters<Simulator["updateCustomer"]>[2] = {};
      for (const k of ["email", "firstName", "lastName", "note"] as const)
        if (k in body) patch[k] = body[k] === null ? null : String(body[k]);
      if (consent) patch.consent = consent;
      sim.updateCustomer(rt, c, patch);
      return { status: 200, body: { ok: true } };
    }
  }
  if (rest === "/activity" && method === "POST") {
    const placed = sim.activity(rt, {
      orders: num(body.orders),
      redeemShare: num(body.redeemShare),
      targetedShare: num(body.targetedShare),
    });
    return { status: 200, body: placed };
  }
  if (rest === "/orders" && method === "POST") {
    const c =
      body.customerId !== undefined && body.customerId !== null
        ? customerIdx(String(body.customerId))
        : undefined;
    const lines = Array.isArray(body.lines)
      ? (body.lines as Record<string, unknown>[]).map((l) => ({
          productIdx: num(l.productIndex) ?? 0,
          quantity: num(l.quantity) ?? 1,
        }))
      : undefined;
    const at = typeof body.processedAt === "string" ? Date.parse(body.processedAt) : undefined;
    const value = num(body.value);
    const o = sim.placeOrder(rt, {
      customerIdx: c,
      email: body.email as string | undefined,
      lines,
      discountCode: body.discountCode as string | undefined,
      test: body.test === true,
      at,
      valueCents: value === undefined ? undefined : Math.round(value * 100),
    });
    return {
      status: 201,
      body: {
        id: s.orderId(o),
        gid: `gid://shopify/Order/${s.orderId(o)}`,
        name: s.orderName(o),
        customerId: s.customerId(s.oCustomer.get(o)),
        total: money(s.totalCents(o)),
      },
    };
  }
  if ((m = rest.match(/^\/orders\/([^/]+)(\/(cancel|refund|edit))?$/))) {
    const o = orderIdx(m[1]);
    const action = m[3];
    if (!action && method === "DELETE") {
      sim.deleteOrder(rt, o);
      return { status: 200, body: { deleted: true } };
    }
    if (action === "cancel" && method === "POST") {
      sim.cancelOrder(
        rt,
        o,
        (body.reason ? String(body.reason).toUpperCase() : "CUSTOMER") as CancelReason,
        body.refund !== false,
      );
      return { status: 200, body: { ok: true } };
    }
    if (action === "refund" && method === "POST") {
      const amount = num(body.amount);
      sim.refundOrder(
        rt,
        o,
        amount === undefined ? undefined : Math.round(amount * 100),
        body.note as string | undefined,
      );
      return { status: 200, body: { ok: true, refunded: money(s.oRefunded.get(o)) } };
    }
    if (action === "edit" && method === "POST") {
      sim.editOrder(rt, o, num(body.addQuantity) ?? 1);
      return { status: 200, body: { ok: true } };
    }
    if (!action && method === "GET") {
      return {
        status: 200,
        body: {
          id: s.orderId(o),
          name: s.orderName(o),
          customerId: s.customerId(s.oCustomer.get(o)),
          total: money(s.totalCents(o)),
          refunded: money(s.oRefunded.get(o)),
          financialStatus: s.financialStatus(o),
          cancelled: s.isCancelled(o),
        },
      };
    }
  }
  return { status: 404, body: { error: "Not Found" } };
}

function oauthInstallError(status: number, title: string): HttpResult {
  return {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8" },
    body: `<!doctype html><title>${title}</title><h1>${title}</h1><p><small>Propel store simulator</small></p>`,
  };
}
