/**
 * CLI of the store simulator.
 *
 *   npm run simulator                       start (env/flags below)
 *   npm run simulator -- --customers 20000 --seed 7 --plan Advanced --port 4100
 *   npm run simulator -- order --shop propel-demo --customer 7300000000123 [--value 120] [--code SAVE15]
 *   npm run simulator -- cancel --shop propel-demo --order 6100000000042
 *   npm run simulator -- refund --shop propel-demo --order 6100000000042 [--amount 10]
 *   npm run simulator -- activity --shop propel-demo --orders 25   live orders (some redeem the app's discounts)
 *   npm run simulator -- customers --shop propel-demo      list a few customers
 *   npm run simulator -- tags --shop propel-demo --customer 7300000000123
 *   npm run simulator -- shops
 *
 * Environment: SIMULATOR_PORT (4100), SHOPIFY_API_KEY, SHOPIFY_API_SECRET, SHOPIFY_APP_URL
 * (http://localhost:3000), SIMULATOR_SHOPS (propel-demo), SIMULATOR_SEED, SIMULATOR_CUSTOMERS,
 * SIMULATOR_INSTALLED=1,
 * SIMULATOR_YEARS, SIMULATOR_PLAN, SIMULATOR_URL (for the client commands), SIMULATOR_CDNOW
 * (path of a CDNOW file to load instead of generated data).
 */
import { startSimulator } from "./server.js";
import type { PlanName } from "./model/store.js";
import type { ShopSpec } from "./core.js";

function parseArgs(argv: string[]): { command: string; flags: Record<string, string> } {
  const flags: Record<string, string> = {};
  let command = "serve";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (a.startsWith("--")) {
      const [k, inline] = a.slice(2).split("=", 2);
      const next = argv[i + 1];
      if (inline !== undefined) flags[k ?? ""] = inline;
      else if (next !== undefined && !next.startsWith("--")) {
        flags[k ?? ""] = next;
        i++;
      } else flags[k ?? ""] = "true";
    } else if (i === 0) command = a;
  }
  return { command, flags };
}

function shopDomain(s: string): string {
  return s.includes(".") ? s : `${s}.myshopify.com`;
}

async function client(method: string, path: string, body?: unknown): Promise<unknown> {
  const base = (
    process.env.SIMULATOR_URL ?? `http://127.0.0.1:${process.env.SIMULATOR_PORT ?? "4100"}`
  ).replace(/\/$/, "");
  const res = await fetch(base + path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: unknown = await res.json();
  if (!res.ok) throw new Error(`${res.status}: ${JSON.stringify(json)}`);
  return json;
}

async function main(): Promise<void> {
  const { command, flags } = parseArgs(process.argv.slice(2));
  const shop = shopDomain(
    flags.shop ?? (process.env.SIMULATOR_SHOPS ?? "propel-demo").split(",")[0] ?? "propel-demo",
  );
  const print = (v: unknown): void => console.log(JSON.stringify(v, null, 2));
  switch (command) {
    case "order":
      print(
        await client("POST", `/_sim/shops/${shop}/orders`, {
          customerId: flags.customer,
          email: flags.email,
          value: flags.value ? Number(flags.value) : undefined,
          discountCode: flags.code,
        }),
      );
      return;
    case "cancel":
      print(
        await client("POST", `/_sim/shops/${shop}/orders/${flags.order ?? ""}/cancel`, {
          reason: flags.reason,
        }),
      );
      return;
    case "refund":
      print(
        await client("POST", `/_sim/shops/${shop}/orders/${flags.order ?? ""}/refund`, {
          amount: flags.amount ? Number(flags.amount) : undefined,
        }),
      );
      return;
    case "activity":
      print(
        await client("POST", `/_sim/shops/${shop}/activity`, {
          orders: flags.orders ? Number(flags.orders) : undefined,
          redeemShare: flags["redeem-share"] ? Number(flags["redeem-share"]) : undefined,
        }),
      );
      return;
    case "customers":
      print(await client("GET", `/_sim/shops/${shop}/customers?limit=${flags.limit ?? "20"}`));
      return;
    case "tags":
      print(await client("GET", `/_sim/shops/${shop}/customers/${flags.customer ?? ""}/tags`));
      return;
    case "shops":
      print(await client("GET", `/_sim/shops`));
      return;
    case "uninstall":
      print(await client("POST", `/_sim/shops/${shop}/uninstall`, {}));
      return;
    case "serve":
      break;
    default:
      console.error(`unknown command ${command}`);
      process.exit(2);
  }

  const env = process.env;
  const apiKey = flags["api-key"] ?? env.SHOPIFY_API_KEY ?? "00000000000000000000000000000000";
  const apiSecret = flags["api-secret"] ?? env.SHOPIFY_API_SECRET ?? "propel-dev-secret";
  const customers = Number(flags.customers ?? env.SIMULATOR_CUSTOMERS ?? 2000);
  const seed = flags.seed ?? env.SIMULATOR_SEED ?? "42";
  const years = Number(flags.years ?? env.SIMULATOR_YEARS ?? 3);
  const plan = (flags.plan ?? env.SIMULATOR_PLAN ?? "Shopify") as PlanName;
  const cdnow = flags.cdnow ?? env.SIMULATOR_CDNOW;
  const shops: ShopSpec[] = (flags.shops ?? env.SIMULATOR_SHOPS ?? "propel-demo")
    .split(",")
    .map((name) => ({
      domain: shopDomain(name.trim()),
      plan,
      installed: flags.installed === "true" || env.SIMULATOR_INSTALLED === "1",
      generator: { seed, customers, years },
      ...(cdnow ? { cdnow: { path: cdnow, shiftDays: Number(flags["shift-days"] ?? 0) } } : {}),
    }));
  const started = Date.now();
  const running = await startSimulator({
    port: Number(flags.port ?? env.SIMULATOR_PORT ?? 4100),
    host: flags.host ?? env.SIMULATOR_HOST ?? "127.0.0.1",
    publicUrl: env.SIMULATOR_URL,
    apiKey,
    apiSecret,
    appUrl: flags["app-url"] ?? env.SHOPIFY_APP_URL ?? env.APP_URL ?? "http://localhost:3000",
    appTomlPath: flags.toml,
    shops,
    seed,
    log: flags.verbose === "true" ? (l) => console.log(l) : undefined,
  });
  console.log(
    `Propel store simulator listening on ${running.url} (ready in ${Date.now() - started} ms)`,
  );
  for (const rt of running.sim.shops.values()) {
    const name = rt.domain.replace(/\.myshopify\.com$/, "");
    console.log(
      `  ${rt.domain}: ${rt.store.customersAlive} customers, ${rt.store.ordersAlive} orders, plan ${rt.store.shop.plan}` +
        `\n    admin: ${running.url}/store/${name}/apps/${running.sim.config.handle}`,
    );
  }
  console.log(
    `  App Bridge stand-in: ${running.url}/app-bridge.js   control API: ${running.url}/_sim/shops`,
  );
  const stop = (): void => {
    void running.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
