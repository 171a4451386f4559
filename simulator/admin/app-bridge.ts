/**
 * A stand-in for App Bridge v4 (`https://cdn.shopify.com/shopifycloud/app-bridge.js`), served at
 * `${SIM}/app-bridge.js`. The app loads it through APP_BRIDGE_URL. It provides what the app
 * relies on: `window.shopify` (idToken, config, toast, loading, environment, saveBar, modal),
 * `Authorization: Bearer <id_token>` on same-origin fetches, the session-token bounce page,
 * `window.open(url, "_top")` leaving the iframe, `<ui-nav-menu>` / `<ui-title-bar>` forwarded
 * to the admin shell, the shell's menu clicks delivered as `shopify:navigate` events, and the
 * contextual save bar of `form[data-save-bar]` shown by the shell.
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
      // An empty shadow root hides the children without touching the element's attributes:
      // this script runs before React hydrates, and a style set here would be a hydration
      // mismatch ("Extra attributes from the server: style") in the app's console.
      connectedCallback() { if (!this.shadowRoot) this.attachShadow({ mode: "open" }); sync(); }
    });
  }
  function sync() {
    watchForms();
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

  // The contextual save bar of forms marked data-save-bar: the admin shows it while such a form
  // differs from its last loaded, saved or discarded state; its Save submits the form and its
  // Discard resets it, and it goes away with the form. The form's state is read, never
  // written, so nothing changes on the page before React hydrates it.
  var baselines = typeof WeakMap === "function" ? new WeakMap() : null;
  var dirtyForm = null;
  function formState(form) {
    var entries = [];
    try { new FormData(form).forEach(function (v, k) { entries.push([k, typeof v === "string" ? v : v.name]); }); } catch (e) { return ""; }
    return JSON.stringify(entries);
  }
  function rebase(form) { if (baselines) baselines.set(form, formState(form)); }
  function watchForms() {
    if (!baselines) return;
    Array.prototype.forEach.call(document.querySelectorAll("form[data-save-bar]"), function (form) {
      if (!baselines.has(form)) rebase(form);
    });
    if (dirtyForm && !dirtyForm.isConnected) showSaveBar(null);
  }
  function showSaveBar(form) {
    if (form === dirtyForm) return;
    dirtyForm = form;
    post({ type: "propel-sim:save-bar", visible: !!form });
  }
  function saveBarForm(target) {
    var form = target && target.closest ? target.closest("form[data-save-bar]") : null;
    if (!form && target && target.form && target.form.hasAttribute("data-save-bar")) form = target.form;
    return form;
  }
  function onEdit(e) {
    var form = saveBarForm(e.target);
    if (!form || !baselines) return;
    if (!baselines.has(form)) rebase(form);
    // Read once the app has handled the event: a controlled field shows what the app kept.
    setTimeout(function () {
      if (!form.isConnected) return;
      if (formState(form) !== baselines.get(form)) showSaveBar(form);
      else if (dirtyForm === form) showSaveBar(null);
    }, 0);
  }
  document.addEventListener("input", onEdit, true);
  document.addEventListener("change", onEdit, true);
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-save-bar")) return;
    rebase(form);
    if (dirtyForm === form) showSaveBar(null);
  }, true);
  document.addEventListener("reset", function (e) {
    var form = e.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-save-bar")) return;
    if (dirtyForm === form) showSaveBar(null);
    // What the fields show once the reset and the app's own handling of it are done.
    setTimeout(function () { if (form.isConnected) rebase(form); }, 0);
  }, true);
  window.addEventListener("pagehide", function () { if (dirtyForm) showSaveBar(null); });
  window.addEventListener("message", function (e) {
    if (e.origin !== simOrigin) return;
    var d = e.data || {};
    if (d.type !== "propel-sim:save-bar-action" || !dirtyForm) return;
    var form = dirtyForm;
    if (d.action === "save") {
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
    } else if (d.action === "discard") {
      form.reset();
    }
  });
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
