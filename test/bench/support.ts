import { execSync, spawn, type ChildProcess } from "node:child_process";
import { cpus, totalmem } from "node:os";
import pg from "pg";
import {
  BASE_DATABASE_URL,
  TEST_API_KEY,
  TEST_API_SECRET,
  TEST_REDIS_URL,
  migrate,
  uniqueName,
  withSchema,
} from "../support/env";

/** The machine a benchmark ran on, for docs/benchmarks.md. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const memory = `${Math.round(totalmem() / 2 ** 30)} GiB`;
  const pg = safe(() => execSync("psql --version", { encoding: "utf8" }).trim());
  const redis = safe(() => execSync("redis-server --version", { encoding: "utf8" }).split(" ")[2]);
  return `${cpus().length} × ${cpu}, ${memory}, Node ${process.version}, ${pg}, Redis ${redis}`;
}

function safe(read: () => string | undefined): string {
  try {
    return read() ?? "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Starts a server in its own process group, so stopping it also stops what npx started; stop()
 * waits for the group to exit, killing it after 15 s.
 */
export function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(command, args, {
    env,
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  return {
    child,
    async stop() {
      signal("SIGTERM");
      const force = setTimeout(() => signal("SIGKILL"), 15_000);
      await exited;
      clearTimeout(force);
    },
  };
}

export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/**
 * Points the app's configuration at a fresh PostgreSQL schema and Redis prefix of a benchmark's
 * own, migrated; call before importing app modules (they read the configuration on import).
 */
export async function benchEnvironment(
  name: string,
  scopes = "read_customers,write_customers,read_orders",
) {
  const schema = uniqueName(`bench_${name}`);
  const databaseUrl = withSchema(BASE_DATABASE_URL, schema);
  Object.assign(process.env, {
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: uniqueName("propel-bench"),
    SHOPIFY_API_KEY: TEST_API_KEY,
    SHOPIFY_API_SECRET: TEST_API_SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1:9",
    SCOPES: scopes,
    OPS_USERNAME: "bench",
    OPS_PASSWORD: "bench-password-123",
  });
  await migrate(databaseUrl);
  return {
    schema,
    databaseUrl,
    async dropSchema() {
      // BENCH_KEEP_SCHEMA=1 keeps the seeded data, to EXPLAIN a query against it afterwards.
      if (process.env.BENCH_KEEP_SCHEMA === "1") {
        console.error(`kept schema ${schema}: ${databaseUrl}`);
        return;
      }
      const client = new pg.Client({ connectionString: BASE_DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}
