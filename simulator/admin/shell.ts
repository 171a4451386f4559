/**
 * The admin shell at `${SIM}/store/{store}/apps/{handle}`: a page shaped like the Shopify admin
 * (top bar with the store name, left navigation, the app's nav menu) that embeds the app in an
 * iframe with the signed query Shopify sends (embedded, hmac, host, id_token, locale, session,
 * shop, timestamp) and answers the App Bridge stand-in's postMessage requests.
 */
import { randomUUID } from "node:crypto";
import type { Simulator, ShopRuntime } from "../core.js";

export function hostParam(storeName: string): string {
  return Buffer.from(`admin.shopify.com/store/${storeName}`).toString("base64").replace(/=+$/, "");
}

/** The signed URL Shopify would load in the iframe for `path` of the app. */
export async function appFrameUrl(sim: Simulator, rt: ShopRuntime, path = "/app"): Promise<string> {
  const storeName = rt.domain.replace(/\.myshopify\.com$/, "");
  const idToken = await sim.auth.sessionToken(rt.domain);
  const params: Record<string, string> = {
    embedded: "1",
    host: hostParam(storeName),
    id_token: idToken,
    locale: "en",
    session: randomUUID().replace(/-/g, ""),
    shop: rt.domain,
    timestamp: String(Math.floor(Date.now() / 1000)),
  };
  const url = new URL(path, sim.appUrl + "/");
  // keep the path's own query (if any) and sign everything like Shopify does
  for (const [k, v] of url.searchParams) params[k] = v;
  const hmac = sim.auth.signQuery(params);
  const qs = new URLSearchParams({ ...params, hmac });
  return `${url.origin}${url.pathname}?${qs.toString()}`;
}

const SHELL_CSS = `  * { box-sizing: border-box; }
  body { margin: 0; font: 13px/1.4 -apple-system, BlinkMacSystemFont, "San Francisco", "Segoe UI", Roboto, sans-serif; background: #f1f1f1; color: #303030; }
  header { height: 56px; background: #1a1a1a; color: #e3e3e3; display: flex; align-items: center; padding: 0 16px; gap: 16px; }
  header .logo { font-weight: 700; color: #fff; letter-spacing: .02em; }
  header .badge { font-size: 11px; background: #ffb800; color: #1a1a1a; border-radius: 8px; padding: 2px 8px; font-weight: 600; }
  header .search { flex: 1; max-width: 560px; margin: 0 auto; background: #303030; border-radius: 8px; padding: 7px 12px; color: #8a8a8a; }
  header .store { display: flex; align-items: center; gap: 8px; }
  header .store .avatar { width: 28px; height: 28px; border-radius: 8px; background: #36fba1; color: #1a1a1a; display: grid; place-items: center; font-weight: 700; }
  .layout { display: flex; height: calc(100vh - 56px); }
  nav { width: 240px; padding: 12px 8px; background: #ebebeb; overflow: auto; }
  nav a, nav span { display: block; padding: 6px 10px; border-radius: 8px; color: #303030; text-decoration: none; }
  nav a:hover { background: #fafafa; }
  nav .section { margin-top: 16px; font-size: 12px; color: #616161; padding: 6px 10px; }
  nav .app { font-weight: 600; background: #fafafa; }
  nav .sub a { padding-left: 28px; }
  nav .sub a.active { background: #fff; font-weight: 600; }
  main { flex: 1; display: flex; flex-direction: column; min-width: 0; }
  .titlebar { height: 44px; display: flex; align-items: center; padding: 0 20px; font-weight: 600; font-size: 14px; gap: 8px; }
  .loading { height: 3px; background: transparent; }
  .loading.on { background: linear-gradient(90deg, #36fba1, #1a1a1a); }
  iframe { flex: 1; border: 0; background: #f1f1f1; width: 100%; }
  #toasts { position: fixed; bottom: 24px; left: 50%; transform: translateX(-50%); display: flex; flex-direction: column; gap: 8px; }
  .toast { background: #1a1a1a; color: #fff; padding: 10px 16px; border-radius: 10px; box-shadow: 0 4px 12px rgba(0,0,0,.2); }
  .toast.error { background: #c70a24; }
  main.page { display: block; padding: 16px 24px; overflow: auto; }
  .card { background: #fff; border-radius: 12px; box-shadow: 0 1px 0 rgba(0,0,0,.07); padding: 0; overflow: hidden; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 8px 12px; border-bottom: 1px solid #ebebeb; vertical-align: top; }
  th { background: #f7f7f7; font-weight: 600; color: #616161; }
  .tag { display: inline-block; background: #e3e3e3; border-radius: 8px; padding: 1px 8px; margin: 1px 2px; font-size: 12px; }
  button { font: inherit; border: 1px solid #c9c9c9; background: #fff; border-radius: 8px; padding: 3px 10px; cursor: pointer; }
  button.primary { background: #303030; color: #fff; border-color: #303030; }
  .toolbar { display: flex; gap: 8px; align-items: center; margin: 0 0 12px; }
  .muted { color: #8a8a8a; }
  #save-bar { position: fixed; top: 0; left: 0; right: 0; height: 56px; background: #1a1a1a; color: #e3e3e3; display: flex; align-items: center; padding: 0 16px; gap: 8px; z-index: 10; }
  #save-bar[hidden] { display: none; }
  #save-bar .message { flex: 1; max-width: 560px; margin: 0 auto; font-weight: 600; }
  #save-bar button { background: #303030; color: #e3e3e3; border-color: #616161; }
  #save-bar button.primary { background: #fff; color: #1a1a1a; border-color: #fff; }
`;

function headerHtml(rt: ShopRuntime): string {
  return `<header>
  <span class="logo">shopify</span><span class="badge">simulator</span>
  <div class="search">Search</div>
  <div class="store"><span class="avatar">${esc(rt.store.shop.name.charAt(0).toUpperCase())}</span><span id="store-name">${esc(rt.store.shop.name)}</span></div>
</header>`;
}

function navHtml(sim: Simulator, rt: ShopRuntime, active: string): string {
  const storeName = rt.domain.replace(/\.myshopify\.com$/, "");
  const base = `/store/${esc(storeName)}`;
  const link = (key: string, label: string, href: string): string =>
    `<a href="${href}"${key === active ? ' class="app"' : ""}>${label}</a>`;
  return `<nav>
    <span>Home</span>${link("orders", "Orders", `${base}/orders`)}<span>Products</span>${link("customers", "Customers", `${base}/customers`)}<span>Marketing</span>${link("discounts", "Discounts", `${base}/discounts`)}<span>Analytics</span>
    <div class="section">Apps</div>
    <a class="app" href="${base}/apps/${esc(sim.config.handle)}">${esc(sim.config.name)}</a>
    <div class="sub" id="app-nav"></div>
  </nav>`;
}

/**
 * The admin's icon, inline: without one the browser asks the simulator for /favicon.ico, and
 * the 404 lands in the console the browser tests keep empty.
 */
const FAVICON = `<link rel="icon" href="data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#008060"/></svg>',
)}">`;

/** A plain admin page (Orders, Customers, Discounts) in the shell's frame. */
export function adminPage(
  sim: Simulator,
  rt: ShopRuntime,
  active: string,
  title: string,
  body: string,
): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${FAVICON}
<title>${esc(title)} · ${esc(rt.store.shop.name)} · Shopify (simulator)</title>
<style>
${SHELL_CSS}</style>
</head>
<body>
${headerHtml(rt)}
<div class="layout">
  ${navHtml(sim, rt, active)}
  <main class="page">
    <h2>${esc(title)}</h2>
    ${body}
  </main>
</div>
<div id="toasts"></div>
<script>
function simPost(url, body) {
  return fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) })
    .then(function (r) { return r.json(); })
    .then(function (j) { var t = document.createElement("div"); t.className = "toast"; t.textContent = j.error ? "Error: " + j.error : "Done"; document.getElementById("toasts").appendChild(t); setTimeout(function () { location.reload(); }, 600); });
}
</script>
</body>
</html>`;
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function shellHtml(sim: Simulator, rt: ShopRuntime, frameUrl: string): string {
  const storeName = rt.domain.replace(/\.myshopify\.com$/, "");
  const handle = sim.config.handle;
  const cfg = JSON.stringify({
    shop: rt.domain,
    storeName,
    handle,
    apiKey: sim.options.apiKey,
    appOrigin: new URL(sim.appUrl).origin,
    simOrigin: sim.baseUrl,
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${FAVICON}
<title>${esc(sim.config.name)} · ${esc(rt.store.shop.name)} · Shopify (simulator)</title>
<style>
${SHELL_CSS}</style>
</head>
<body>
${headerHtml(rt)}
<div class="layout">
  ${navHtml(sim, rt, "app")}
  <main>
    <div class="titlebar"><span>${esc(sim.config.name)}</span><span id="title"></span></div>
    <div class="loading" id="loading"></div>
    <iframe id="app-iframe" name="app-iframe" title="${esc(sim.config.name)}" src="${esc(frameUrl)}" allow="clipboard-write"></iframe>
  </main>
</div>
<div id="save-bar" role="region" aria-label="Unsaved changes" hidden>
  <span class="message">Unsaved changes</span>
  <button type="button" id="save-bar-discard">Discard</button>
  <button type="button" id="save-bar-save" class="primary">Save</button>
</div>
<div id="toasts"></div>
<script>
(function () {
  var cfg = ${cfg};
  var frame = document.getElementById("app-iframe");
  function rewrite(url) {
    var u = new URL(url, location.href);
    if (u.hostname === cfg.shop) return cfg.simOrigin + "/shops/" + cfg.shop + u.pathname + u.search;
    if (u.hostname === "admin.shopify.com") return cfg.simOrigin + u.pathname + u.search;
    return u.href;
  }
  function frameFor(path) {
    return fetch("/store/" + cfg.storeName + "/apps/" + cfg.handle + "/_frame?path=" + encodeURIComponent(path))
      .then(function (r) { return r.json(); })
      .then(function (j) { frame.src = j.url; });
  }
  // A menu click is handed to the app, which navigates in its page as it does under App
  // Bridge; an app that has not taken it within a few seconds (still loading) is reloaded at
  // that page instead.
  var pendingNavigation = null;
  function navigateApp(href) {
    clearTimeout(pendingNavigation && pendingNavigation.timer);
    pendingNavigation = { href: href, timer: setTimeout(function () { pendingNavigation = null; frameFor(href); }, 3000) };
    frame.contentWindow.postMessage({ type: "propel-sim:navigate", href: href }, cfg.appOrigin);
  }
  // The contextual save bar covers the admin's top bar while a form of the app has unsaved
  // changes; its buttons act on that form in the app's frame, and a new document there
  // (a reload, a menu entry loaded afresh) takes the bar away with the form.
  var saveBar = document.getElementById("save-bar");
  function saveBarAction(action) {
    frame.contentWindow.postMessage({ type: "propel-sim:save-bar-action", action: action }, cfg.appOrigin);
  }
  document.getElementById("save-bar-save").addEventListener("click", function () { saveBarAction("save"); });
  document.getElementById("save-bar-discard").addEventListener("click", function () { saveBarAction("discard"); });
  frame.addEventListener("load", function () { saveBar.hidden = true; });
  function toast(message, isError) {
    var el = document.createElement("div");
    el.className = "toast" + (isError ? " error" : "");
    el.textContent = message;
    document.getElementById("toasts").appendChild(el);
    setTimeout(function () { el.remove(); }, 5000);
  }
  window.addEventListener("message", function (e) {
    if (e.origin !== cfg.appOrigin) return;
    var d = e.data || {};
    if (d.source !== "propel-sim-app") return;
    if (d.type === "propel-sim:id-token") {
      fetch("/shops/" + cfg.shop + "/_sim/session-token?api_key=" + encodeURIComponent(cfg.apiKey))
        .then(function (r) { return r.json(); })
        .then(function (j) { e.source.postMessage({ type: "propel-sim:id-token-result", requestId: d.requestId, token: j.token }, e.origin); });
    } else if (d.type === "propel-sim:navigate-top") {
      location.href = rewrite(d.url);
    } else if (d.type === "propel-sim:nav-menu") {
      var nav = document.getElementById("app-nav");
      nav.innerHTML = "";
      (d.items || []).forEach(function (item) {
        if (item.home) return;
        var a = document.createElement("a");
        a.href = "#";
        a.textContent = item.label;
        a.dataset.href = item.href;
        a.addEventListener("click", function (ev) { ev.preventDefault(); navigateApp(item.href); });
        nav.appendChild(a);
      });
    } else if (d.type === "propel-sim:location") {
      if (pendingNavigation && d.path.indexOf(pendingNavigation.href) === 0) {
        clearTimeout(pendingNavigation.timer);
        pendingNavigation = null;
      }
      Array.prototype.forEach.call(document.querySelectorAll("#app-nav a"), function (a) {
        a.classList.toggle("active", d.path.indexOf(a.dataset.href) === 0);
      });
    } else if (d.type === "propel-sim:title") {
      document.getElementById("title").textContent = d.title ? "› " + d.title : "";
    } else if (d.type === "propel-sim:save-bar") {
      saveBar.hidden = !d.visible;
    } else if (d.type === "propel-sim:toast") {
      toast(d.message, d.isError);
    } else if (d.type === "propel-sim:loading") {
      document.getElementById("loading").classList.toggle("on", !!d.on);
    }
  });
})();
</script>
</body>
</html>`;
}
