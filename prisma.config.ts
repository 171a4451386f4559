import { defineConfig } from "prisma/config";
import { createPgAdapter } from "./app/db/adapter";

// Prisma 6.19 with the JS engine and the pg driver adapter: the CLI then needs no downloaded
// engine binaries, so `generate` and `migrate deploy` work offline.
export default defineConfig({
  schema: "prisma/schema.prisma",
  engine: "js",
  experimental: { adapter: true },
  async adapter() {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set");
    // Idle connections must not keep the CLI alive after its work is done.
    return createPgAdapter(connectionString, { allowExitOnIdle: true });
  },
});
