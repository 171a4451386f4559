import pg from "pg";

/**
 * Runs `work` in a transaction on `db`: on the connection itself, or on one the pool lends for
 * the while. A connection that cannot even roll back is closed rather than handed to the next
 * caller.
 */
export async function inTransaction<T>(
  db: pg.Pool | pg.ClientBase,
  work: (client: pg.ClientBase) => Promise<T>,
): Promise<T> {
  const lent = db instanceof pg.Pool ? await db.connect() : undefined;
  const client = lent ?? (db as pg.ClientBase);
  let broken = false;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => (broken = true));
    throw error;
  } finally {
    lent?.release(broken);
  }
}
