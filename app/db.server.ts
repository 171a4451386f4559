import { PrismaClient } from "@prisma/client";
import type pg from "pg";
import { config } from "./config.server";
import { createPgAdapter, createPgPool } from "./db/adapter";

declare global {
  // Reused across Vite's hot reloads in development, so each reload does not open a new pool.
  var __database: { prisma: PrismaClient; pool: pg.Pool } | undefined;
}

export function createPrismaClient(databaseUrl: string, poolSize?: number): PrismaClient {
  return new PrismaClient({ adapter: createPgAdapter(databaseUrl, { max: poolSize }) });
}

const database = (globalThis.__database ??= (() => {
  const source = createPgPool(config().DATABASE_URL, { max: config().DATABASE_POOL_SIZE });
  return { prisma: new PrismaClient({ adapter: createPgAdapter(source) }), pool: source.pool };
})());

/**
 * The process's pg pool, shared with Prisma. Only for statements where Prisma's per-query cost
 * shows: the webhook intake, and the store writes of app/sync/store.server (rows passed as
 * arrays); everything else goes through Prisma.
 */
export const pool = database.pool;

const prisma = database.prisma;
export default prisma;
