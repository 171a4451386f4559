/**
 * Manual end-to-end check of the admin shell and the App Bridge stand-in in a real browser
 * (Debian's Chromium through playwright-core). Not part of the unit tests because it needs a
 * browser: `npx tsx simulator/check-browser.ts [screenshot.png]`.
 *
 * A tiny fake app is served on a random port; the script checks that the iframe loads with a
 * valid signed query, that same-origin fetches carry `Authorization: Bearer <session token>`,
 * that nav menu links show in the shell and navigate the iframe, that toasts reach the shell
 * and that the session-token bounce page returns with an `id_token`.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium } from "playwright-core";
import { startSimulator } from "./server.js";

const API_KEY = "browser-check-key";
const API_SECRET = "browser-check-secret";

async function main(): Promise<void> {
  let simUrl = "";
  const app = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const page = (body: string): void => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end(
        `<!doctype html><html><head><script src="${simUrl}/app-bridge.js" data-api-key="${API_KEY}"></script></head><body>${body}</body></html>`,
      );
    };
    if (url.pathname === "/api/whoami") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ auth: req.headers.authorization ?? null }));
      return;
    }
    if (url.pathname === "/app") {
      page(`<ui-nav-menu><a href="/app" rel="home">Home</a><a href="/app/segments">Segments</a></ui-nav-menu>
<ui-title-bar title="Overview"></ui-title-bar>
<h1>Fake app home</h1><p id="shop">${url.searchParams.get("shop") ?? ""}</p><p id="auth">…</p>
<script>
fetch("/api/whoami").then(r => r.json()).then(j => { document.getElementById("auth").textContent = j.auth ? "bearer ok" : "no auth"; });
shopify.toast.show("Hello from the app");
</script>`);
      return;
    }
    if (url.pathname === "/app/segments") {
      page(`<h1 id="seg">Segments page</h1>`);
      return;
    }
    if (url.pathname === "/auth/session-token") {
      page(`<p>bouncing…</p>`);
      return;
    }
    if (url.pathname === "/app/reloaded") {
      page(
        `<h1 id="reloaded">${url.searchParams.get("id_token") ? "has id_token" : "missing id_token"}</h1>`,
      );
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => app.listen(0, "127.0.0.1", () => r()));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  const sim = await startSimulator({
    port: 0,
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    appUrl,
    shops: [{ domain: "propel-demo.myshopify.com", generator: { customers: 50 } }],
  });
  simUrl = sim.url;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  });
  const failures: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${sim.url}/store/propel-demo/apps/propel-segments`);
    const frame = page.frameLocator("#app-iframe");
    await frame.locator("#auth", { hasText: "bearer ok" }).waitFor({ timeout: 10_000 });
    await page.locator("#app-nav a", { hasText: "Segments" }).waitFor({ timeout: 5_000 });
    await page.locator(".toast", { hasText: "Hello from the app" }).waitFor({ timeout: 5_000 });
    const title = await page.locator("#title").textContent();
    if (!title?.includes("Overview")) failures.push(`title bar: ${title ?? ""}`);
    const shot = process.argv[2];
    if (shot) await page.screenshot({ path: shot });
    await page.locator("#app-nav a", { hasText: "Segments" }).click();
    await frame.locator("#seg").waitFor({ timeout: 5_000 });
    const bounce = await browser.newPage();
    await bounce.goto(
      `${appUrl}/auth/session-token?shop=propel-demo.myshopify.com&shopify-reload=${encodeURIComponent("/app/reloaded")}`,
    );
    await bounce.locator("#reloaded", { hasText: "has id_token" }).waitFor({ timeout: 10_000 });
    console.log(
      "browser check passed: iframe, bearer fetch, nav menu, title bar, toast, bounce page",
    );
  } catch (e) {
    failures.push(e instanceof Error ? e.message : String(e));
  } finally {
    await browser.close();
    await sim.close();
    await new Promise<void>((r) => app.close(() => r()));
  }
  if (failures.length > 0) {
    console.error("browser check failed:\n" + failures.join("\n"));
    process.exit(1);
  }
}

void main();
