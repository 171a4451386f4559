import { randomBytes, scryptSync } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import {
  BASE_DATABASE_URL,
  TEST_API_KEY,
  TEST_API_SECRET,
  TEST_REDIS_URL,
  migrate,
  uniqueName,
  withSchema,
} from "./env";

/** An OPS_USERS entry, hashed as app/ops/auth.server.ts checks it. */
function opsUser(user: string, password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, { N: 16_384, r: 8, p: 1 });
  return `${user}:scrypt$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/**
 * Integration tests run against the real PostgreSQL and Redis. Each run gets a fresh schema,
 * migrated with the checked-in migrations, and its own BullMQ key prefix, so two runs on one
 * machine cannot see each other. Both are removed at the end.
 */
export default async function setup() {
  const schema = uniqueName("test");
  const prefix = uniqueName("propel-test");
  const databaseUrl = withSchema(BASE_DATABASE_URL, schema);
  await migrate(databaseUrl);

  Object.assign(process.env, {
    NODE_ENV: "test",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_API_SECRET,
    SHOPIFY_APP_URL: "http://localhost:3999",
    SCOPES:
      "read_customers,write_customers,read_orders,read_all_orders,read_products,read_discounts,write_discounts",
    OPS_USERNAME: "support",
    OPS_PASSWORD: "test-ops-password",
    // Per-user ops credentials beside the shared one (test/integration/ops.test.ts).
    OPS_USERS: ["auditor", "lockout"].map((user) => opsUser(user, `${user}-password`)).join(","),
    // Tokens are encrypted at rest in the tests too; the previous key exercises rotation.
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    TOKEN_ENCRYPTION_OLD_KEYS: randomBytes(32).toString("hex"),
  });

  return async () => {
    const client = new pg.Client({ connectionString: BASE_DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  };
}
