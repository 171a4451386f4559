import pg from "pg";

/**
 * Creates the URL's database when it is missing (a fresh machine has only `postgres`); with
 * `fresh`, drops it first. For the demo, the tests and the benchmarks, which own their
 * databases; a production database is provisioned, not created by the app.
 */
export async function ensureDatabase(
  databaseUrl: string,
  options: { fresh?: boolean } = {},
): Promise<void> {
  const admin = new URL(databaseUrl);
  const name = admin.pathname.slice(1);
  admin.pathname = "/postgres";
  admin.search = "";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    if (options.fresh) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } catch (error) {
    // Two runs starting together may both find it missing; the second create then fails.
    if ((error as { code?: string }).code !== "42P04") throw error;
  } finally {
    await client.end();
  }
}
