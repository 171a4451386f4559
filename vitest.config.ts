import tsconfigPaths from "vite-tsconfig-paths";
import { defineConfig } from "vitest/config";

// Four projects: `unit` is pure and parallel; `extensions` runs the UI extensions' bundles as
// the Shopify CLI built them (`npm run build:extensions`) in a DOM with a stub admin host;
// `integration` talks to the real PostgreSQL and Redis, so each worker gets its own database
// schema and Redis key prefix (see test/support/global-setup.ts); `e2e` drives the whole stack
// in headless Chromium through the simulated admin (test/support/app-stack.ts starts it on a
// schema and prefix of its own), one file at a time. `npm run check` runs it after the others,
// so the browser never shares the two cores with the integration tests.
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/simulator/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        extends: true,
        test: {
          name: "extensions",
          include: ["test/extensions/**/*.test.ts"],
          environment: "happy-dom",
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          // Starting the stack includes the backfill and the first recompute of ~1,500 customers.
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
