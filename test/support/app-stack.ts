/**
 * The whole of Propel for the browser tests, started the way `npm run demo` starts it: the store
 * simulator in this process with one generated shop (about 1,500 customers, two years of
 * orders), the web app as the Remix Vite dev server (or, with `production`, the production
 * server on the Vite build in build/, which must exist) and the workers as child processes, on
 * a database schema and a Redis key prefix of their own that are removed at the end.
 *
 * The install itself is left to the test (opening the app in the simulated admin installs it,
 * as Shopify's managed install does); `waitForSegments` then waits for the backfill and the
 * first recompute.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { PrismaClient } from "@prisma/client";
import { Redis } from "ioredis";
import pg from "pg";
import { createPgAdapter } from "~/db/adapter";
import { appFrameUrl } from "../../simulator/admin/shell";
import { startSimulator, type RunningSimulator } from "../../simulator/server";
import {
  BASE_DATABASE_URL,
  TEST_API_KEY,
  TEST_API_SECRET,
  TEST_REDIS_URL,
  migrate,
  uniqueName,
  withSchema,
} from "./env";
import { DESKTOP_AGENT } from "./browser";

export interface AppStackOptions {
  shop?: string;
  customers?: number;
  years?: number;
  seed?: number;
  /**
   * NODE_ENV=production: `server.ts` serves the Vite build (`npx remix vite:build` first), one
   * web process, for measuring what merchants get rather than the dev server's unbundled modules.
   */
  production?: boolean;
}

export interface AppStack {
  shop: string;
  appUrl: string;
  simulator: RunningSimulator;
  /** The simulated admin with Propel open: http://127.0.0.1:<port>/store/<store>/apps/<handle>. */
  adminUrl: string;
  prisma: PrismaClient;
  /** The simulator's control API (JSON), e.g. `control("/orders", {...})` for this shop. */
  control: (path: string, body?: unknown) => Promise<Record<string, unknown>>;
  /** Opens the app once outside a browser (the admin's signed iframe URL): installs it. */
  install: () => Promise<void>;
  waitForInstall: (timeoutMs?: number) => Promise<number>;
  waitForSegments: (timeoutMs?: number) => Promise<void>;
  /** The last lines the web app and the workers printed, for a failing test's message. */
  logs: () => string;
  close: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function poll<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs: number,
  intervalMs = 500,
  context?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${context ? `\n${context()}` : ""}`);
    await sleep(intervalMs);
  }
}

async function dropSchema(databaseUrl: string, schema: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

/**
 * The sync's advisory lock is keyed by shop id and advisory locks are per database, not per
 * schema: stacks running at the same time (two test runs, a benchmark beside the tests) would
 * each number their shop 1, and one stack's backfill would skip as "another sync of this shop
 * is running" while the other's held the lock. Each schema starts its shop ids elsewhere.
 */
async function numberShopsApart(databaseUrl: string, schema: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const start = 1 + Math.floor(Math.random() * 1_000_000_000);
  await client.query(`ALTER SEQUENCE "${schema}"."Shop_id_seq" RESTART WITH ${start}`);
  await client.end();
}

/** Keeps the last lines of a child's output. */
function tail(child: ChildProcess, name: string, lines: string[], max = 200) {
  const push = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n"))
      if (line.trim()) {
        lines.push(`[${name}] ${line}`);
        if (lines.length > max) lines.shift();
      }
  };
  child.stdout?.on("data", push);
  child.stderr?.on("data", push);
}

export async function startAppStack(options: AppStackOptions = {}): Promise<AppStack> {
  const shop = options.shop ?? "propel-e2e.myshopify.com";
  const schema = uniqueName("e2e");
  const prefix = uniqueName("propel-e2e");
  const databaseUrl = withSchema(BASE_DATABASE_URL, schema);
  await migrate(databaseUrl);
  await numberShopsApart(BASE_DATABASE_URL, schema);

  const port = await freePort();
  // The same site as the simulator's admin (127.0.0.1): Chromium denies storage to a
  // cross-site iframe when third-party cookies are blocked, and Remix's route discovery
  // needs sessionStorage on every client-side navigation.
  const appUrl = `http://127.0.0.1:${port}`;
  const simulator = await startSimulator({
    port: 0,
    apiKey: TEST_API_KEY,
    apiSecret: TEST_API_SECRET,
    appUrl,
    shops: [
      {
        domain: shop,
        plan: "Shopify",
        generator: {
          seed: options.seed ?? 42,
          customers: options.customers ?? 1_500,
          years: options.years ?? 2,
        },
      },
    ],
  });

  const production = options.production ?? false;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: production ? "production" : "development",
    ...(production
      ? { SIMULATOR_IN_PRODUCTION_FOR_BENCHMARKS: "yes", WEB_CONCURRENCY: "1" }
      : { VITE_CONFIG: "test/support/vite.e2e.config.ts" }),
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "warn",
    PORT: String(port),
    HOST: "127.0.0.1",
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_API_SECRET,
    SHOPIFY_APP_URL: appUrl,
    SCOPES:
      "read_customers,write_customers,read_orders,read_all_orders,read_products,read_discounts,write_discounts",
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    OPS_USERNAME: "support",
    OPS_PASSWORD: randomBytes(12).toString("hex"),
    TOKEN_ENCRYPTION_KEY: process.env.TOKEN_ENCRYPTION_KEY ?? randomBytes(32).toString("base64"),
    SIMULATOR_URL: simulator.url,
    APP_BRIDGE_URL: `${simulator.url}/app-bridge.js`,
  };
  delete env.VITEST;
  delete env.VITEST_POOL_ID;
  delete env.VITEST_WORKER_ID;

  const lines: string[] = [];
  const children: ChildProcess[] = [];
  const start = (name: string, command: string, args: string[]) => {
    const child = spawn(command, args, {
      cwd: process.cwd(),
      env: { ...env, PROPEL_SERVICE: name },
      stdio: ["ignore", "pipe", "pipe"],
    });
    tail(child, name, lines);
    children.push(child);
    return child;
  };
  const bin = (name: string) => `${process.cwd()}/node_modules/.bin/${name}`;
  start("web", bin("tsx"), ["server.ts"]);
  start("worker", bin("tsx"), ["workers/index.ts"]);
  const logs = () => lines.slice(-80).join("\n");

  const prisma = new PrismaClient({ adapter: createPgAdapter(databaseUrl, { max: 2 }) });
  const runtime = simulator.sim.shops.get(shop);
  if (!runtime) throw new Error(`the simulator did not create ${shop}`);
  const storeName = shop.replace(/\.myshopify\.com$/, "");

  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const force = setTimeout(() => child.kill("SIGKILL"), 15_000);
            child.once("exit", () => {
              clearTimeout(force);
              resolve();
            });
            child.kill("SIGTERM");
          }),
      ),
    );
    await simulator.close();
    await prisma.$disconnect();
    await dropSchema(BASE_DATABASE_URL, schema);
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  };

  try {
    await poll(
      async () => ((await fetch(`${appUrl}/healthz`)).ok ? true : undefined),
      "the web app's /healthz",
      120_000,
      500,
      logs,
    );
  } catch (error) {
    await close();
    throw error;
  }

  return {
    shop,
    appUrl,
    simulator,
    adminUrl: `${simulator.url}/store/${storeName}/apps/${simulator.sim.config.handle}`,
    prisma,
    logs,
    close,
    async control(path, body) {
      const response = await fetch(`${simulator.url}/_sim/shops/${shop}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, unknown>;
    },
    async install() {
      const response = await fetch(await appFrameUrl(simulator.sim, runtime), {
        headers: { "User-Agent": DESKTOP_AGENT },
      });
      if (!response.ok) throw new Error(`opening the app failed: ${response.status}`);
    },
    async waitForInstall(timeoutMs = 60_000) {
      return poll(
        async () => (await prisma.shop.findUnique({ where: { domain: shop } }))?.id,
        `${shop} to be installed`,
        timeoutMs,
        500,
        logs,
      );
    },
    async waitForSegments(timeoutMs = 300_000) {
      await poll(
        async () => {
          const row = await prisma.shop.findUnique({
            where: { domain: shop },
            select: { lastRecomputeAt: true },
          });
          return row?.lastRecomputeAt ? true : undefined;
        },
        "the backfill and the first recompute",
        timeoutMs,
        1_000,
        logs,
      );
    },
  };
}
