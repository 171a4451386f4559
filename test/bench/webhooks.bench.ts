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
import { openLoop, type OpenLoopRequest } from "./open-loop";
import { machine, startProcess, waitForHttp } from "./support";

const { values } = parseArgs({
  options: { rate: { type: "string", default: "500" }, seconds: { type: "string", default: "20" } },
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

// Shopify signs the body only, so a few hundred signed bodies, each sent with its own webhook
// id, keep the load generator light: signing 6 kB per request would load the machine the
// servers run on.
const SIGNED_BODIES = Array.from({ length: 200 }, (_, i) => {
  const body = order(1_000_000 + i);
  return { body, hmac: createHmac("sha256", SECRET).update(body).digest("base64") };
});

function signedRequest(index: number): OpenLoopRequest {
  const { body, hmac } = SIGNED_BODIES[index % SIGNED_BODIES.length];
  return {
    path: "/webhooks",
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-hmac-sha256": hmac,
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

/** Deliveries at a steady rate: the latency Shopify sees at that rate. */
async function atRate(url: string, rate: number, seconds: number): Promise<Measured> {
  console.error(`  ${url}: ${rate}/s for ${seconds} s, open loop`);
  const result = await openLoop({ url, rate, seconds, request: signedRequest });
  return { ...result, rate: result.achieved };
}

/** As many deliveries as the server takes from 64 connections: its ceiling. */
async function atMax(url: string, seconds: number): Promise<Measured> {
  console.error(`  ${url}: max for ${seconds} s, 64 connections`);
  const result = await autocannon({
    url,
    connections: 64,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          method: "POST",
          ...signedRequest(Math.floor(Math.random() * SIGNED_BODIES.length)),
        }),
      },
    ],
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
  await migrate(databaseUrl);
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
  const bare = startProcess("npx", ["tsx", "test/bench/hmac-baseline-server.ts"], {
    ...env,
    PORT: "3902",
  });
  const rows: [string, Measured][] = [];
  try {
    await waitForHttp("http://127.0.0.1:3902/");
    // Warm up at the measured rate (JIT, connection pools, sockets) before measuring.
    await atRate("http://127.0.0.1:3902", RATE, 5);
    rows.push([
      `bare HMAC server at ${RATE}/s`,
      await atRate("http://127.0.0.1:3902", RATE, SECONDS),
    ]);
    rows.push(["bare HMAC server, max", await atMax("http://127.0.0.1:3902", SECONDS)]);
  } finally {
    await bare.stop();
  }
  try {
    // One web process, then one per core (server.ts's production default). On this machine
    // the second core also runs PostgreSQL, Redis and the load generator.
    for (const processes of [1, 2]) {
      const app = startProcess("npx", ["tsx", "server.ts"], {
        ...env,
        PORT: "3901",
        WEB_CONCURRENCY: String(processes),
      });
      try {
        await waitForHttp("http://127.0.0.1:3901/healthz");
        await atRate("http://127.0.0.1:3901", RATE, 5);
        const label = `Propel /webhooks, ${processes} process${processes > 1 ? "es" : ""}`;
        rows.push([`${label}, at ${RATE}/s`, await atRate("http://127.0.0.1:3901", RATE, SECONDS)]);
        rows.push([`${label}, max`, await atMax("http://127.0.0.1:3901", SECONDS)]);
      } finally {
        await app.stop();
      }
    }
    const stored = await countDeliveries(schema);

    console.log(`\nWebhook intake — ${new Date().toISOString().slice(0, 10)} — ${machine()}\n`);
    console.log("| run | deliveries/s | p50 ms | p99 ms | max ms | non-2xx | errors |");
    console.log("|---|---:|---:|---:|---:|---:|---:|");
    for (const [name, m] of rows) {
      console.log(
        `| ${name} | ${m.rate} | ${m.p50} | ${m.p99} | ${m.max} | ${m.non2xx} | ${m.errors} |`,
      );
    }
    const [bareFixed, bareMax, ...apps] = rows.map(([, m]) => m);
    for (const [index, processes] of [1, 2].entries()) {
      const [fixed, max] = apps.slice(index * 2, index * 2 + 2);
      console.log(
        `\n${processes} process(es): at ${RATE}/s p99 ${fixed.p99} ms vs bare ${bareFixed.p99} ms ` +
          `(×${(fixed.p99 / Math.max(bareFixed.p99, 1)).toFixed(1)}); ` +
          `max ${max.rate}/s = ${((max.rate / bareMax.rate) * 100).toFixed(0)}% of bare ${bareMax.rate}/s.`,
      );
    }
    console.log(`Deliveries stored: ${stored}.`);
  } finally {
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
