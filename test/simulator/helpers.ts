import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import {
  startSimulator,
  type RunningSimulator,
  type StartOptions,
} from "../../simulator/server.js";
import type { AppConfig } from "../../simulator/config.js";

export const API_KEY = "test-api-key-0123456789abcdef";
export const API_SECRET = "test-api-secret-fedcba9876543210";
export const SHOP = "propel-demo.myshopify.com";
export const NOW = Date.parse("2026-11-01T12:00:00Z");

export function appConfig(webhookUri = "/webhooks"): AppConfig {
  return {
    clientId: API_KEY,
    handle: "propel-segments",
    name: "Propel",
    scopes: ["read_customers", "write_customers", "read_orders", "read_all_orders"],
    redirectUrls: ["http://localhost:3000/auth/callback"],
    webhookApiVersion: "2026-10",
    subscriptions: [
      {
        topics: [
          "app/uninstalled",
          "bulk_operations/finish",
          "customers/create",
          "customers/update",
          "customers/delete",
          "orders/create",
          "orders/updated",
          "orders/cancelled",
          "orders/delete",
          "refunds/create",
        ],
        uri: webhookUri,
      },
      { topics: ["customers/data_request", "customers/redact", "shop/redact"], uri: webhookUri },
    ],
  };
}

export async function startTestSimulator(
  overrides: Partial<StartOptions> = {},
): Promise<RunningSimulator> {
  return startSimulator({
    port: 0,
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    appUrl: "http://localhost:3000",
    appConfig: appConfig(),
    shops: [{ domain: SHOP, generator: { seed: 1, customers: 150, years: 2, now: NOW } }],
    webhookRetryScale: 0.00001,
    ...overrides,
  });
}

export interface Received {
  headers: IncomingMessage["headers"];
  body: string;
  status: number;
}

/** A local webhook receiver; `respond` decides each status code. */
export async function startReceiver(
  respond: (n: number, body: string) => number = () => 200,
): Promise<{
  url: string;
  received: Received[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const status = respond(n++, body);
      received.push({ headers: req.headers, body, status });
      res.writeHead(status);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export async function gql(
  sim: RunningSimulator,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ status: number; json: GqlResponse }> {
  const res = await fetch(`${sim.url}/shops/${SHOP}/admin/api/2026-10/graphql.json`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, json: (await res.json()) as GqlResponse };
}

export interface GqlResponse {
  data?: Record<string, unknown> | null;
  errors?:
    | {
        message: string;
        extensions?: Record<string, unknown>;
        locations?: unknown;
        path?: unknown;
      }[]
    | string;
  extensions?: {
    cost: {
      requestedQueryCost: number;
      actualQueryCost: number | null;
      throttleStatus: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
    };
  };
}

export function installToken(sim: RunningSimulator): string {
  const rt = sim.sim.shop(SHOP);
  if (!rt) throw new Error("no shop");
  sim.sim.markInstalled(rt);
  return sim.sim.auth.offlineToken(SHOP);
}

/** Walk a JSON value by keys (test convenience, no `any`). */
export function at(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}
