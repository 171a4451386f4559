/**
 * `npm run demo`: Propel on its demo store, with no accounts and no internet.
 * Starts the local store simulator with a generated store, prepares the database, starts the
 * web app (Remix dev server) and the workers, installs the app on the demo store and prints the URL of
 * the simulated Shopify admin with Propel open in it. Ctrl-C stops everything.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { Redis } from "ioredis";
import { ensureDatabase } from "../app/db/ensure-database";

const PORT = Number(process.env.PORT ?? 3000);
const SIMULATOR_PORT = Number(process.env.SIMULATOR_PORT ?? 4100);
const SHOP = process.env.DEMO_SHOP ?? "propel-demo.myshopify.com";
const CUSTOMERS = Number(process.env.DEMO_CUSTOMERS ?? 2000);

if (existsSync(".env")) process.loadEnvFile(".env");

// The simulator is on 127.0.0.1 too: a same-site frame keeps sessionStorage usable in Chromium.
const appUrl = `http://127.0.0.1:${PORT}`;
const simulatorUrl = `http://127.0.0.1:${SIMULATOR_PORT}`;
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_ENV: "development",
  PORT: String(PORT),
  SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY || "propel-demo-app",
  // A fresh secret each run: the simulator and the app share it, nothing else needs it.
  SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET || randomBytes(24).toString("hex"),
  SHOPIFY_APP_URL: appUrl,
  SCOPES:
    process.env.SCOPES ||
    "read_customers,write_customers,read_orders,read_all_orders,read_products,read_discounts,write_discounts",
  DATABASE_URL:
    process.env.DATABASE_URL || "postgresql://postgres:postgres@127.0.0.1:5432/propel_demo",
  REDIS_URL: process.env.REDIS_URL || "redis://127.0.0.1:6379",
  QUEUE_PREFIX: process.env.QUEUE_PREFIX || "propel-demo",
  OPS_USERNAME: process.env.OPS_USERNAME || "support",
  OPS_PASSWORD: process.env.OPS_PASSWORD || randomBytes(12).toString("hex"),
  // Tokens are encrypted at rest in the demo too. The key is derived from the database URL so
  // that sessions stored by an earlier demo run stay readable; a real deployment sets a random
  // one (.env.example).
  TOKEN_ENCRYPTION_KEY:
    process.env.TOKEN_ENCRYPTION_KEY ||
    createHash("sha256")
      .update(`propel-demo-token-key\n${process.env.DATABASE_URL ?? "propel_demo"}`)
      .digest("base64"),
  SIMULATOR_URL: simulatorUrl,
  APP_BRIDGE_URL: `${simulatorUrl}/app-bridge.js`,
};

const children: ChildProcess[] = [];

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { env, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed`);
}

/**
 * Each service runs in a process group of its own: `npx tsx server.ts` is npx, then tsx, then
 * node, and a signal to npx alone left the server orphaned and still answering on its port.
 * Stopping signals the whole group.
 */
function start(name: string, command: string, args: string[]) {
  const child = spawn(command, args, {
    env: { ...env, PROPEL_SERVICE: name },
    stdio: "inherit",
    detached: true,
  });
  child.on("exit", (code) => {
    if (!stopping) {
      console.error(`[demo] ${name} exited with ${code}; stopping`);
      void stop(1);
    }
  });
  children.push(child);
}

/**
 * The demo store is generated afresh on every run, so the demo database starts empty too
 * (unless DATABASE_URL names a database of your own, which is only created when missing).
 */
/**
 * A fresh demo database restarts delivery ids at 1, and BullMQ ignores a job whose id it has
 * already seen: the demo's queues start empty with it.
 */
async function clearQueues(redisUrl: string, prefix: string) {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }))
    if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
  redis.disconnect();
}

async function waitFor(url: string, label: string) {
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${label} did not come up at ${url}`);
}

let stopping = false;
let closeSimulator: (() => Promise<void>) | undefined;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

const STOP_GRACE_MS = 10_000;

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  const exited = Promise.all(
    running.map((child) => new Promise((resolve) => child.once("exit", resolve))),
  );
  for (const child of children) signalGroup(child, "SIGTERM");
  // Graceful shutdown lets the workers finish their jobs; past the grace, nothing may linger.
  const grace = setTimeout(() => {
    for (const child of children) signalGroup(child, "SIGKILL");
  }, STOP_GRACE_MS);
  await exited;
  clearTimeout(grace);
  // A child that exited on its own may have left the rest of its group behind.
  for (const child of children) signalGroup(child, "SIGKILL");
  await closeSimulator?.();
  process.exit(code);
}

process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

async function main() {
  console.log("[demo] preparing the database");
  const fresh = !process.env.DATABASE_URL;
  await ensureDatabase(env.DATABASE_URL!, { fresh });
  if (fresh && !process.env.QUEUE_PREFIX) await clearQueues(env.REDIS_URL!, env.QUEUE_PREFIX!);
  run("npx", ["prisma", "migrate", "deploy"]);

  const { startDemoStore } = await import("./demo-store");
  const store = await startDemoStore({
    port: SIMULATOR_PORT,
    apiKey: env.SHOPIFY_API_KEY!,
    apiSecret: env.SHOPIFY_API_SECRET!,
    appUrl,
    shop: SHOP,
    customers: CUSTOMERS,
  });
  closeSimulator = store.close;

  // The development server (Vite): the demo is development (the simulator is refused in
  // production).
  start("web", "npx", ["tsx", "server.ts"]);
  start("worker", "npx", ["tsx", "workers/index.ts"]);
  await waitFor(`${appUrl}/healthz`, "the web app");
  await store.install();

  console.log(`
  Propel is running on its demo store.

    Shopify admin (simulated), with Propel open:  ${store.adminUrl}
    Propel web app:                               ${appUrl}
    Health:                                       ${appUrl}/healthz
    Store simulator control API:                  ${simulatorUrl}/_sim
    Ops pages (user ${env.OPS_USERNAME}, password ${env.OPS_PASSWORD}): ${appUrl}/ops

  Ctrl-C stops everything.
`);
}

main().catch(async (error: unknown) => {
  console.error("[demo]", error instanceof Error ? error.message : error);
  await stop(1);
});
