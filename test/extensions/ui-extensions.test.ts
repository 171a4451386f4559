/**
 * Runs each UI extension's bundle exactly as `shopify app build` left it in
 * extensions/<name>/dist (`npm run build:extensions`), in a DOM (happy-dom) with a stub of the
 * admin host's `shopify` global: the bundle registers its target with `shopify.extend`, the
 * host calls the registered function, and the extension renders Polaris web components
 * (`s-*` elements) into `document.body` with Preact.
 *
 * Nothing else in the repository compiles the extensions, so this is where a bundle that
 * builds but renders nothing shows: JSX compiled for React instead of Preact gives elements
 * Preact discards, and the page stays empty.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CustomerBlockData } from "~/customer-block/segments.server";

const EXTENSIONS_DIR = join(import.meta.dirname, "../../extensions");
/** Shopify rejects a UI extension whose compiled script is over 64 KB compressed. */
const COMPRESSED_LIMIT_BYTES = 64 * 1024;

interface BuiltExtension {
  name: string;
  bundles: string[];
  /** The targets the CLI wrote to manifest.json, read from the extension's toml. */
  targets: string[];
}

/** Every UI extension (type "ui_extension" in its toml) with the output of its build. */
function uiExtensions(): BuiltExtension[] {
  return readdirSync(EXTENSIONS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(EXTENSIONS_DIR, entry.name))
    .filter((dir) => {
      const toml = join(dir, "shopify.extension.toml");
      return existsSync(toml) && /^\s*type\s*=\s*"ui_extension"/m.test(readFileSync(toml, "utf8"));
    })
    .map((dir) => {
      const dist = join(dir, "dist");
      const manifest = join(dir, "manifest.json");
      if (!existsSync(dist) || !existsSync(manifest))
        throw new Error(`${dir} is not built: run \`npm run build:extensions\` first`);
      return {
        name: dir.split("/").pop()!,
        bundles: readdirSync(dist)
          .filter((file) => file.endsWith(".js"))
          .map((file) => join(dist, file)),
        targets: Object.keys(JSON.parse(readFileSync(manifest, "utf8")) as object),
      };
    });
}

type Render = (...args: unknown[]) => unknown;

/** The parts of the admin UI extension API the bundles use. */
function stubHost(customerGid: string) {
  const registered = new Map<string, Render>();
  const shopify = {
    extend: (target: string, render: Render) => registered.set(target, render),
    data: { selected: [{ id: customerGid }] },
    extension: { target: "admin.customer-details.block.render" },
    // The admin formats in the merchant's locale; this host's merchant reads English.
    i18n: {
      translate: (key: string) => key,
      formatCurrency: (amount: number, options?: Intl.NumberFormatOptions) =>
        new Intl.NumberFormat("en", { ...options, style: "currency" }).format(amount),
      formatNumber: (value: number, options?: Intl.NumberFormatOptions) =>
        new Intl.NumberFormat("en", options).format(value),
    },
  };
  return { shopify, registered };
}

/** Evaluates a built bundle as the host does: a classic script in the extension's realm. */
function load(bundle: string) {
  new Function(readFileSync(bundle, "utf8"))();
}

const all = uiExtensions();

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("UI extensions built by the Shopify CLI", () => {
  it("finds the built customer-segments-block", () => {
    expect(all.map((e) => e.name)).toContain("customer-segments-block");
  });

  describe.each(all)("$name", (extension) => {
    it("has one bundle per target, each under Shopify's 64 KB compressed limit", () => {
      expect(extension.bundles.length).toBeGreaterThan(0);
      for (const bundle of extension.bundles) {
        const compressed = gzipSync(readFileSync(bundle)).length;
        expect(compressed, bundle).toBeLessThan(COMPRESSED_LIMIT_BYTES);
      }
    });

    it("registers each of its targets with the host", () => {
      const host = stubHost("gid://shopify/Customer/1");
      vi.stubGlobal("shopify", host.shopify);
      vi.stubGlobal("fetch", () => new Promise(() => {}));
      for (const bundle of extension.bundles) load(bundle);
      expect([...host.registered.keys()].sort()).toEqual([...extension.targets].sort());
      expect(extension.targets.length).toBeGreaterThan(0);
    });
  });
});

const BLOCK_TARGET = "admin.customer-details.block.render";

const blockData: CustomerBlockData = {
  customerId: "4242",
  computedAt: "2026-10-02T03:00:00.000Z",
  segments: [
    {
      key: "rfm:CHAMPIONS",
      label: "Champions",
      family: "rfm",
      familyLabel: "RFM group",
      description: "Bought recently, often and for a lot.",
      since: "2026-10-01T00:00:00.000Z",
    },
    {
      key: "churn:HIGH",
      label: "High churn risk",
      family: "churn",
      familyLabel: "Churn risk",
      description: "Probably no longer a customer.",
      since: "2026-10-01T00:00:00.000Z",
    },
  ],
  scores: {
    orders: 7,
    totalSpentMinor: 84_500,
    currency: "EUR",
    rfm: { r: 5, f: 4, m: 5, group: "CHAMPIONS" },
    pAlive: 0.93,
    churnRisk: "HIGH",
    clv12mMinor: 31_250,
    spendTier: "HIGH",
    propensity: 0.41,
    nextOrderAt: null,
  },
  appPath: "/app/customers/4242",
};

describe("customer-segments-block in the admin", () => {
  const block = all.find((e) => e.name === "customer-segments-block");
  let fetchMock: ReturnType<typeof vi.fn>;

  /** Loads the block's bundle and lets the host render it for customer 4242. */
  async function renderBlock(answer: () => Promise<Response>) {
    const host = stubHost("gid://shopify/Customer/4242");
    fetchMock = vi.fn(answer);
    vi.stubGlobal("shopify", host.shopify);
    vi.stubGlobal("fetch", fetchMock);
    for (const bundle of block!.bundles) load(bundle);
    const render = host.registered.get(BLOCK_TARGET);
    expect(render, `${BLOCK_TARGET} registered`).toBeTypeOf("function");
    await render!();
  }

  const adminBlock = () => document.body.querySelector("s-admin-block");

  // Each extension runs in a realm of its own; a new <body> per test keeps one render's Preact
  // tree (kept on the body element) from being diffed by the next bundle's Preact.
  beforeEach(() => {
    document.documentElement.replaceChild(document.createElement("body"), document.body);
  });

  it("shows a spinner while Propel answers, asking the app's API for the customer", async () => {
    await renderBlock(() => new Promise<Response>(() => {}));
    expect(adminBlock()?.getAttribute("heading")).toBe("Propel segments");
    expect(adminBlock()?.querySelector("s-spinner")).not.toBeNull();
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalled());
    expect(fetchMock.mock.calls[0]![0]).toBe("/api/customers/4242/segments");
  });

  it("lists the customer's segments and scores once loaded", async () => {
    await renderBlock(async () => Response.json(blockData));
    await vi.waitFor(() => expect(document.body.querySelectorAll("s-badge")).toHaveLength(2));
    expect(adminBlock()?.querySelector("s-spinner")).toBeNull();
    const badges = [...document.body.querySelectorAll("s-badge")];
    expect(badges.map((b) => b.textContent)).toEqual([
      "RFM group: Champions",
      "Churn risk: High churn risk",
    ]);
    expect(badges.map((b) => b.getAttribute("tone"))).toEqual(["info", "critical"]);
    const cells = [...document.body.querySelectorAll("s-grid s-text")].map((t) => t.textContent);
    expect(cells).toEqual([
      "Orders",
      "7",
      "Total spent",
      "€845.00",
      "Chance still active",
      "93%",
      "Churn risk",
      "HIGH",
      "Predicted 12-month value",
      "€312.50",
      "Spend tier",
      "HIGH",
      "Likely to grow",
      "41%",
    ]);
    const link = document.body.querySelector("s-link");
    expect(link?.getAttribute("href")).toBe("app:app/customers/4242");
    expect(link?.textContent).toBe("Open in Propel");
  });

  it("says when the customer is in no segment yet", async () => {
    await renderBlock(async () => Response.json({ ...blockData, segments: [], scores: null }));
    await vi.waitFor(() => expect(adminBlock()?.textContent).toContain("Not in any segment yet"));
    expect(document.body.querySelector("s-grid")).toBeNull();
  });

  it("says when Propel has not synced the customer (404)", async () => {
    await renderBlock(async () => Response.json({ error: "customer not found" }, { status: 404 }));
    await vi.waitFor(() =>
      expect(adminBlock()?.textContent).toBe("Propel has not synced this customer yet."),
    );
  });

  it("shows a critical banner when Propel answers with an error", async () => {
    await renderBlock(async () => new Response("upstream failed", { status: 502 }));
    await vi.waitFor(() => expect(adminBlock()?.querySelector("s-banner")).toBeTruthy());
    const banner = adminBlock()!.querySelector("s-banner")!;
    expect(banner.getAttribute("tone")).toBe("critical");
    expect(banner.getAttribute("heading")).toBe("Segments unavailable");
    expect(banner.textContent).toBe("Propel answered 502");
  });

  it("shows a critical banner when Propel cannot be reached", async () => {
    await renderBlock(() => Promise.reject(new TypeError("Failed to fetch")));
    await vi.waitFor(() =>
      expect(adminBlock()?.querySelector("s-banner")?.textContent).toBe("Failed to fetch"),
    );
  });
});
