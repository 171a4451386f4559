import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { ensureDatabase } from "~/db/ensure-database";

/** Shared test settings; the integration global setup gives each run its own schema and prefix. */
export const TEST_API_KEY = "test-api-key";
export const TEST_API_SECRET = "test-api-secret-not-for-production";

export const BASE_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? "postgresql://postgres:postgres@127.0.0.1:5432/propel_test";
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

export function withSchema(databaseUrl: string, schema: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set("schema", schema);
  return url.toString();
}

/** Runs the project's own `prisma migrate deploy` against a database URL, creating it first. */
export async function migrate(databaseUrl: string): Promise<string> {
  await ensureDatabase(databaseUrl);
  const result = spawnSync("npx", ["prisma", "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`prisma migrate deploy failed:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}
