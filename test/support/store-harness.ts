import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import prisma from "~/db.server";
import { createRedisConnection } from "~/jobs/connection.server";
import { action as webhookAction } from "~/routes/webhooks";
import { routeShopifyTrafficToSimulator } from "~/shopify/simulator-fetch.server";
import { appFrameUrl } from "../../simulator/admin/shell";
import { startSimulator, type RunningSimulator } from "../../simulator/server";
import { startWorkers } from "../../workers/start";
import { TEST_API_KEY, TEST_API_SECRET } from "./env";

/**
 * The app's webhook route behind a real HTTP port (the simulator delivers to it), the store
 * simulator with one generated shop, and the real workers — everything an end-to-end sync
 * test needs, with Shopify's traffic routed to the simulator through the library's fetch hook.
 */
export async function startStoreHarness(
  shop: string,
  customers: number,
  options: { workers?: boolean; lockDurationMs?: number } = {},
) {
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers: Object.entries(req.headers).flatMap(([name, value]) =>
        typeof value === "string" ? [[name, value] as [string, string]] : [],
      ),
      body: req.method === "POST" ? Buffer.concat(chunks) : undefined,
    });
    let response: Response;
    try {
      response = await webhookAction({ request, params: {}, context: {} });
    } catch (thrown) {
      response =
        thrown instanceof Response ? thrown : new Response(String(thrown), { status: 500 });
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const simulator: RunningSimulator = await startSimulator({
    port: 0,
    apiKey: TEST_API_KEY,
    apiSecret: TEST_API_SECRET,
    appUrl,
    shops: [{ domain: shop, plan: "Shopify", generator: { seed: 11, customers, years: 2 } }],
    webhookRetryScale: 0.0005,
  });
  routeShopifyTrafficToSimulator(simulator.url);

  const connection = createRedisConnection(process.env.REDIS_URL!, "worker");
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
      await new Promise((resolve) => server.close(resolve));
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
