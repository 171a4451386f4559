import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  server: {
    port: Number(process.env.PORT ?? 3000),
    fs: { allow: ["app", "node_modules"] },
  },
  plugins: [
    remix({
      ignoredRouteFiles: ["**/.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
        v3_singleFetch: true,
        v3_routeConfig: false,
      },
    }),
    tsconfigPaths(),
  ],
  build: { assetsInlineLimit: 0 },
  // Dependencies are pre-bundled once, at start-up, and never discovered later. Remix's dev
  // server walks the server modules' imports through the client's module graph (to collect
  // CSS), so with discovery on, a server package such as `pg` was "found" mid-session; Vite
  // then re-bundled and reloaded, and the embedded page, reloaded without its session token,
  // fell to the login page. The list is what the browser's module graph imports; a package
  // missing from it is served unbundled (and fails in the browser if it is CommonJS).
  optimizeDeps: {
    noDiscovery: true,
    include: [
      "react",
      "react/jsx-runtime",
      "react/jsx-dev-runtime",
      "react-dom/client",
      "@remix-run/react",
      "@shopify/app-bridge-react",
      "@shopify/polaris",
      "@shopify/polaris-viz",
      "@shopify/shopify-app-remix/react",
      // app/routes/app.tsx's ErrorBoundary and headers use `boundary`, as Shopify's template.
      "@shopify/shopify-app-remix/server",
      "zod",
    ],
  },
});
