/**
 * Webhook intake benchmark: acknowledgement latency (p50/p99) and sustained deliveries per
 * second of Propel's POST /webhooks (HMAC check, PostgreSQL insert, BullMQ enqueue) against a
 * bare Node server that only checks the HMAC, in the same run on the same machine.
 *
 *   npx tsx test/bench/webhooks.bench.ts [--rate 500] [--seconds 10]
 *
 * Needs PostgreSQL and Redis (as the tests do) and a production build (`npm run build`).
 */
import { createHmac, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import { Redis } from "ioredis";
import { BASE_DATABASE_URL, TEST_REDIS_URL, migrate, uniqueName, withSchema } from "../support/env";
import { machine, startProcess, waitForHttp } from "./support";

const { values } = parseArgs({
  options: { rate: { type: "string", default: "500" }, seconds: { type: "string", default: "10" } },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const SECRET = "bench-secret";
const SHOP = "bench.myshopify.com";

function order(id: number): string {
  // The size of a real orders/create body (~6 kB) matters for HMAC and JSON costs.
  const items = Array.from({ length: 3 }, (_, i) => ({
    id: id * 10 + i,
    admin_graphql_api_id: `gid://shopify/LineItem/${id * 10 + i}`,
    name: "Aviator sunglasses - Gold",
    price: "89.99",
    quantity: 1,
    product_id: 788032119674292900,
    vendor: "Acme",
    properties: [],
    tax_lines: [{ price: "13.50", rate: 0.15, title: "GST" }],
  }));
  return JSON.stringify({
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    currency: "USD",
    total_price: "269.97",
    customer: { id: 42, admin_graphql_api_id: "gid://shopify/Customer/42", email: "a@b.c" },
    line_items: items,
    note: "x".repeat(3000),
  });
}

function signedRequest() {
  const body = order(Math.floor(Math.random() * 1e12));
  return {
    method: "POST" as const,
    path: "/webhooks",
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-hmac-sha256": createHmac("sha256", SECRET).update(body).digest("base64"),
      "x-shopify-topic": "orders/create",
      "x-shopify-shop-domain": SHOP,
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": randomUUID(),
      "x-shopify-event-id": randomUUID(),
      "x-shopify-triggered-at": new Date().toISOString(),
    },
  };
}

interface Measured {
  rate: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

async function load(url: string, overallRate: number | undefined, seconds: number) {
  console.error(`  loading ${url} at ${overallRate ?? "max"}/s for ${seconds} s`);
  const result = await autocannon({
    url,
    connections: 64,
    duration: seconds,
    ...(overallRate ? { overallRate } : {}),
    requests: [{ setupRequest: (request) => ({ ...request, ...signedRequest() }) }],
  });
  return {
    rate: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
  } satisfies Measured;
}

async function main() {
  if (!existsSync("build/server/index.js")) throw new Error("run `npm run build` first");
  const schema = uniqueName("bench");
  const prefix = uniqueName("propel-bench");
  const databaseUrl = withSchema(BASE_DATABASE_URL, schema);
  migrate(databaseUrl);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: "20",
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    SHOPIFY_API_KEY: "bench-key",
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "http://localhost:3901",
    SCOPES: "read_orders",
    OPS_USERNAME: "bench",
    OPS_PASSWORD: "bench-password-123",
  };
  const app = startProcess("npx", ["remix-serve", "build/server/index.js"], {
    ...env,
    PORT: "3901",
  });
  const bare = startProcess("npx", ["tsx", "test/bench/hmac-baseline-server.ts"], {
    ...env,
    PORT: "3902",
  });
  try {
    await waitForHttp("http://127.0.0.1:3901/healthz");
    await waitForHttp("http://127.0.0.1:3902/");
    // Warm both up (JIT, connection pools) before measuring.
    await load("http://127.0.0.1:3901", 200, 2);
    await load("http://127.0.0.1:3902", 200, 2);

    const rows: [string, Measured][] = [
      [`bare HMAC server at ${RATE}/s`, await load("http://127.0.0.1:3902", RATE, SECONDS)],
      [`Propel /webhooks at ${RATE}/s`, await load("http://127.0.0.1:3901", RATE, SECONDS)],
      ["bare HMAC server, max", await load("http://127.0.0.1:3902", undefined, SECONDS)],
      ["Propel /webhooks, max", await load("http://127.0.0.1:3901", undefined, SECONDS)],
    ];
    const stored = await countDeliveries(schema);

    console.log(`\nWebhook intake — ${new Date().toISOString().slice(0, 10)} — ${machine()}\n`);
    console.log("| run | deliveries/s | p50 ms | p99 ms | max ms | non-2xx | errors |");
    console.log("|---|---:|---:|---:|---:|---:|---:|");
    for (const [name, m] of rows) {
      console.log(
        `| ${name} | ${m.rate} | ${m.p50} | ${m.p99} | ${m.max} | ${m.non2xx} | ${m.errors} |`,
      );
    }
    const [bareFixed, appFixed, bareMax, appMax] = rows.map(([, m]) => m);
    console.log(
      `\nAt ${RATE}/s: Propel p99 ${appFixed.p99} ms vs bare ${bareFixed.p99} ms ` +
        `(×${(appFixed.p99 / Math.max(bareFixed.p99, 1)).toFixed(1)}). ` +
        `Max throughput: Propel ${appMax.rate}/s = ${((appMax.rate / bareMax.rate) * 100).toFixed(0)}% of bare ${bareMax.rate}/s. ` +
        `Deliveries stored: ${stored}.`,
    );
  } finally {
    app.stop();
    bare.stop();
    await dropSchema(schema, prefix);
  }
}

async function countDeliveries(schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: BASE_DATABASE_URL });
  await client.connect();
  const result = await client.query(`SELECT count(*)::int AS n FROM "${schema}"."WebhookDelivery"`);
  await client.end();
  return result.rows[0].n as number;
}

async function dropSchema(schema: string, prefix: string) {
  const client = new pg.Client({ connectionString: BASE_DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
  const redis = new Redis(TEST_REDIS_URL);
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  redis.disconnect();
}

await main();
