import { PrismaPg } from "@prisma/adapter-pg";

/**
 * The pg driver adapter for both the app's Prisma client and the Prisma CLI.
 * A `?schema=` parameter in the URL becomes the connection's search_path, which is how each
 * test run gets its own schema in one database.
 */
export function createPgAdapter(
  connectionString: string,
  pool: { max?: number; allowExitOnIdle?: boolean } = {},
): PrismaPg {
  const url = new URL(connectionString);
  const schema = url.searchParams.get("schema");
  url.searchParams.delete("schema");
  return new PrismaPg(
    {
      connectionString: url.toString(),
      max: pool.max,
      allowExitOnIdle: pool.allowExitOnIdle,
      options: schema ? `-c search_path="${schema}"` : undefined,
    },
    schema ? { schema } : undefined,
  );
}
