import type { PlanName } from "../../simulator/model/store";
import { pino } from "pino";
import prisma from "~/db.server";
import { createRedisConnection } from "~/jobs/connection.server";
import { routeShopifyTrafficToSimulator } from "~/shopify/simulator-fetch.server";
import { appFrameUrl } from "../../simulator/admin/shell";
import { startSimulator, type RunningSimulator } from "../../simulator/server";
import { startWorkers } from "../../workers/start";
import { TEST_API_KEY, TEST_API_SECRET } from "./env";
import { startWebhookServer } from "./webhook-server";

/**
 * The app's webhook intake behind a real HTTP port (the simulator delivers to it), the store
 * simulator with one generated shop, and the real workers — everything an end-to-end sync
 * test needs, with Shopify's traffic routed to the simulator through the library's fetch hook.
 */
export async function startStoreHarness(
  shop: string,
  customers: number,
  options: { workers?: boolean; lockDurationMs?: number; plan?: PlanName } = {},
) {
  const intake = await startWebhookServer();
  const appUrl = intake.url;

  const simulator: RunningSimulator = await startSimulator({
    port: 0,
    apiKey: TEST_API_KEY,
    apiSecret: TEST_API_SECRET,
    appUrl,
    shops: [
      {
        domain: shop,
        plan: options.plan ?? "Shopify",
        generator: { seed: 11, customers, years: 2 },
      },
    ],
    webhookRetryScale: 0.0005,
  });
  routeShopifyTrafficToSimulator(simulator.url);

  const connection = createRedisConnection(process.env.REDIS_URL!, "worker");
  // A test that restarts Redis sees this connection drop; the workers reconnect on their own.
  connection.on("error", () => undefined);
  const startInProcessWorkers = () =>
    startWorkers({
      prisma,
      connection,
      prefix: process.env.QUEUE_PREFIX!,
      concurrency: 4,
      lockDurationMs: options.lockDurationMs,
      logger: pino({ level: "silent" }),
    });
  let workers = options.workers === false ? undefined : startInProcessWorkers();

  const control = async (path: string, body?: unknown, method = body ? "POST" : "GET") => {
    const response = await fetch(`${simulator.url}/_sim${path}`, {
      method,
      headers: { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };

  return {
    simulator,
    intake,
    control,
    startWorkers() {
      workers ??= startInProcessWorkers();
    },
    /** The URL the Shopify admin loads in its iframe when the merchant opens the app. */
    async frameUrl(): Promise<string> {
      const runtime = simulator.sim.shops.get(shop);
      if (!runtime) throw new Error(`no shop ${shop} in the simulator`);
      return appFrameUrl(simulator.sim, runtime);
    },
    async close() {
      await workers?.close();
      connection.disconnect();
      await simulator.close();
      await intake.close();
    },
  };
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
