/**
 * The demo store: the local store simulator with one generated shop, and the install of Propel
 * on it the way Shopify's managed install does it — the admin opens the app in its iframe with
 * a session token, and the app exchanges that token for an offline access token.
 */
import { appFrameUrl } from "../simulator/admin/shell";
import { startSimulator } from "../simulator/server";

export interface DemoStoreOptions {
  port: number;
  apiKey: string;
  apiSecret: string;
  appUrl: string;
  shop: string;
  customers: number;
  seed?: number;
}

const BROWSER_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";

export async function startDemoStore(options: DemoStoreOptions) {
  const simulator = await startSimulator({
    port: options.port,
    apiKey: options.apiKey,
    apiSecret: options.apiSecret,
    appUrl: options.appUrl,
    shops: [
      {
        domain: options.shop,
        plan: "Shopify",
        generator: { seed: options.seed ?? 42, customers: options.customers },
      },
    ],
  });
  const storeName = options.shop.replace(/\.myshopify\.com$/, "");
  const runtime = simulator.sim.shops.get(options.shop);
  if (!runtime) throw new Error(`the simulator did not create ${options.shop}`);

  return {
    url: simulator.url,
    adminUrl: `${simulator.url}/store/${storeName}/apps/${simulator.sim.config.handle}`,
    close: () => simulator.close(),
    /** Opens the app once as the admin would; the app's token exchange installs it. */
    async install(): Promise<void> {
      const frameUrl = await appFrameUrl(simulator.sim, runtime);
      const response = await fetch(frameUrl, { headers: { "User-Agent": BROWSER_AGENT } });
      if (!response.ok) {
        throw new Error(`opening the app failed: ${response.status} ${await response.text()}`);
      }
    },
  };
}
