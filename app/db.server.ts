import { PrismaClient } from "@prisma/client";
import { config } from "./config.server";
import { createPgAdapter } from "./db/adapter";

declare global {
  // Reused across Vite's hot reloads in development, so each reload does not open a new pool.
  var __prisma: PrismaClient | undefined;
}

export function createPrismaClient(databaseUrl: string, poolSize?: number): PrismaClient {
  return new PrismaClient({ adapter: createPgAdapter(databaseUrl, { max: poolSize }) });
}

const prisma = (globalThis.__prisma ??= createPrismaClient(
  config().DATABASE_URL,
  config().DATABASE_POOL_SIZE,
));

export default prisma;
