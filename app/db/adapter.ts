import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

interface PoolOptions {
  max?: number;
  allowExitOnIdle?: boolean;
}

/**
 * A pg pool for a connection URL. A `?schema=` parameter in the URL becomes the connections'
 * search_path, which is how each test run gets its own schema in one database.
 */
export function createPgPool(connectionString: string, options: PoolOptions = {}) {
  const url = new URL(connectionString);
  const schema = url.searchParams.get("schema") ?? undefined;
  url.searchParams.delete("schema");
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: options.max,
    allowExitOnIdle: options.allowExitOnIdle,
    options: schema ? `-c search_path="${schema}"` : undefined,
  });
  // A connection dropped by the server (a PostgreSQL restart) is an 'error' event: on the pool
  // when the connection was idle, on the connection itself when it was checked out (a query or
  // a transaction in flight, which also fails with the error). Unheard, either ends the
  // process. The pool discards that connection and opens another on the next query, which is
  // the recovery wanted.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  return { pool, schema };
}

/** The pg driver adapter over a pool, for the app's Prisma client and the Prisma CLI. */
export function createPgAdapter(
  source: string | ReturnType<typeof createPgPool>,
  options: PoolOptions = {},
): PrismaPg {
  const { pool, schema } = typeof source === "string" ? createPgPool(source, options) : source;
  // Prisma owns the pool: $disconnect ends it.
  return new PrismaPg(pool, { schema, disposeExternalPool: true });
}
