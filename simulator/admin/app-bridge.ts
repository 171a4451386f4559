/**
 * A stand-in for App Bridge v4 (`https://cdn.shopify.com/shopifycloud/app-bridge.js`), served at
 * `${SIM}/app-bridge.js`. The app loads it through APP_BRIDGE_URL. It provides what the app
 * relies on: `window.shopify` (idToken, config, toast, loading, environment, saveBar, modal),
 * `Authorization: Bearer <id_token>` on same-origin fetches, the session-token bounce page,
 * `window.open(url, "_top")` leaving the iframe, `<ui-nav-menu>` / `<ui-title-bar>` forwarded
 * to the admin shell, and the shell's menu clicks delivered as `shopify:navigate` events.
 */
export const APP_BRIDGE_JS = String.raw`(function () {
  "use strict";
  if (window.shopify && window.shopify.__propelSim) return;
  var script = document.currentScript;
  var simOrigin = script && script.src ? new URL(script.src).origin : location.origin;
  var params = new URLSearchParams(location.search);
  var meta = document.querySelector('meta[name="shopify-api-key"]');
  var apiKey = (script && script.getAttribute("data-api-key")) || (meta && meta.getAttribute("content")) || "";
  function remember(k, v) { try { if (v) sessionStorage.setItem("propel-sim:" + k, v); return v || sessionStorage.getItem("propel-sim:" + k) || ""; } catch (e) { return v || ""; } }
  var shop = remember("shop", params.get("shop"));
  var host = remember("host", params.get("host"));
  var inFrame = window.top !== window.self;
  var seq = 0;
  var pending = {};
  var origFetch = window.fetch.bind(window);

  function post(msg) {
    if (!inFrame) return;
    msg.source = "propel-sim-app";
    window.parent.postMessage(msg, simOrigin);
  }

  window.addEventListener("message", function (e) {
    if (e.origin !== simOrigin) return;
    var d = e.data || {};
    if (d.type === "propel-sim:id-token-result" && pending[d.requestId]) {
      pending[d.requestId](d.token);
      delete pending[d.requestId];
    } else if (d.type === "propel-sim:navigate") {
      // A click in the admin's app menu: App Bridge dispatches shopify:navigate on the menu's
      // link, and the app's router (shopify-app-remix's AppProvider) follows it in the page.
      var link = Array.prototype.find.call(document.querySelectorAll("ui-nav-menu a"), function (a) {
        return a.getAttribute("href") === d.href;
      });
      if (link) link.dispatchEvent(new CustomEvent("shopify:navigate", { bubbles: true }));
    }
  });

  function directToken() {
    var url = simOrigin + "/shops/" + encodeURIComponent(shop) + "/_sim/session-token?api_key=" + encodeURIComponent(apiKey);
    return origFetch(url).then(function (r) { return r.json(); }).then(function (j) { return j.token; });
  }

  function idToken() {
    if (!inFrame) return directToken();
    return new Promise(function (resolve, reject) {
      var id = ++seq;
      pending[id] = resolve;
      post({ type: "propel-sim:id-token", requestId: id, apiKey: apiKey });
      setTimeout(function () {
        if (pending[id]) { delete pending[id]; directToken().then(resolve, reject); }
      }, 2000);
    });
  }

  window.fetch = function (input, init) {
    var raw = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    var url;
    try { url = new URL(raw, location.href); } catch (e) { return origFetch(input, init); }
    if (url.origin !== location.origin) return origFetch(input, init);
    return idToken().then(function (token) {
      var headers = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined));
      if (!headers.has("Authorization")) headers.set("Authorization", "Bearer " + token);
      var next = Object.assign({}, init || {}, { headers: headers });
      return origFetch(input, next);
    });
  };

  var origOpen = window.open;
  window.open = function (url, target, features) {
    if (target === "_top" || target === "_parent") {
      var abs = new URL(String(url), location.href).href;
      if (inFrame) post({ type: "propel-sim:navigate-top", url: abs });
      else location.href = abs;
      return null;
    }
    return origOpen.call(window, url, target, features);
  };

  var toastSeq = 0;
  window.shopify = {
    __propelSim: true,
    origin: simOrigin,
    config: { apiKey: apiKey, shop: shop, host: host, locale: params.get("locale") || "en" },
    environment: { embedded: inFrame, mobile: false, pos: false },
    idToken: idToken,
    toast: {
      show: function (message, opts) { var id = "toast-" + ++toastSeq; post({ type: "propel-sim:toast", message: String(message), isError: !!(opts && opts.isError) }); return id; },
      hide: function () {},
    },
    loading: function (on) { post({ type: "propel-sim:loading", on: on !== false }); },
    user: function () { return Promise.resolve({ accountAccess: "Account owner" }); },
    saveBar: { show: function () { return Promise.resolve(); }, hide: function () { return Promise.resolve(); }, toggle: function () { return Promise.resolve(); }, leaveConfirmation: function () { return Promise.resolve(); } },
    modal: { show: function () { return Promise.resolve(); }, hide: function () { return Promise.resolve(); }, toggle: function () { return Promise.resolve(); } },
    resourcePicker: function () { return Promise.resolve(undefined); },
    intents: { invoke: function () { return Promise.resolve({ code: "closed" }); } },
    scanner: { capture: function () { return Promise.reject(new Error("not available in the simulator")); } },
  };

  // Custom elements App Bridge React renders: hidden, forwarded to the shell.
  function defineHidden(name) {
    if (!window.customElements || customElements.get(name)) return;
    customElements.define(name, class extends HTMLElement {
      connectedCallback() { this.style.display = "none"; sync(); }
    });
  }
  function sync() {
    var menu = document.querySelector("ui-nav-menu");
    if (menu) {
      var items = Array.prototype.map.call(menu.querySelectorAll("a"), function (a) {
        return { label: (a.textContent || "").trim(), href: a.getAttribute("href") || "/", home: a.getAttribute("rel") === "home" };
      });
      post({ type: "propel-sim:nav-menu", items: items });
    }
    var title = document.querySelector("ui-title-bar");
    if (title) post({ type: "propel-sim:title", title: title.getAttribute("title") || "" });
  }
  ["ui-nav-menu", "ui-title-bar", "ui-modal", "ui-save-bar"].forEach(defineHidden);
  if (window.MutationObserver) {
    var scheduled = false;
    new MutationObserver(function () {
      if (scheduled) return;
      scheduled = true;
      setTimeout(function () { scheduled = false; sync(); }, 50);
    }).observe(document.documentElement, { childList: true, subtree: true, attributes: true, characterData: true });
  }
  // The admin follows the app's location, for its menu and its URL, across in-page navigations.
  function postLocation() { post({ type: "propel-sim:location", path: location.pathname + location.search }); }
  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    history[name] = function () { var result = original.apply(this, arguments); postLocation(); return result; };
  });
  window.addEventListener("popstate", postLocation);
  document.addEventListener("DOMContentLoaded", function () { sync(); postLocation(); });

  // The session-token bounce page: get a token, go back with id_token added.
  var reload = params.get("shopify-reload");
  if (location.pathname.indexOf("/session-token") !== -1 && reload) {
    idToken().then(function (token) {
      var u = new URL(reload, location.href);
      u.searchParams.set("id_token", token);
      location.replace(u.href);
    });
  }
})();
`;
