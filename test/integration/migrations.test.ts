import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { BASE_DATABASE_URL, migrate, uniqueName, withSchema } from "../support/env";

describe("prisma migrations", () => {
  const schema = uniqueName("migrate");
  const client = new pg.Client({ connectionString: BASE_DATABASE_URL });

  afterAll(async () => {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it("migrate a fresh schema to the full data model, and a second deploy changes nothing", async () => {
    const first = await migrate(withSchema(BASE_DATABASE_URL, schema));
    expect(first).toMatch(/successfully applied/);

    await client.connect();
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
      [schema],
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual([
      "Customer",
      "CustomerMetrics",
      "CustomerMonth",
      "OpsAccess",
      "Order",
      "OrderLineItem",
      "Promotion",
      "PromotionAssignment",
      "RecoveryMark",
      "RedactionTombstone",
      "SegmentEvent",
      "SegmentMembership",
      "SegmentSnapshot",
      "Session",
      "Shop",
      "ShopifySegment",
      "SyncRun",
      "TagSyncState",
      "WebhookDelivery",
      "_prisma_migrations",
    ]);

    // Every unique key of a shop-owned table includes the shop.
    const keys = await client.query<{ table: string; columns: string[] }>(
      `SELECT t.relname AS table, array_agg(a.attname::text ORDER BY a.attname) AS columns
         FROM pg_index i
         JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey)
        WHERE n.nspname = $1 AND i.indisunique
          AND t.relname IN ('Customer','Order','OrderLineItem','CustomerMetrics','SegmentMembership','TagSyncState','WebhookDelivery')
          AND NOT (t.relname = 'WebhookDelivery' AND i.indisprimary)
        GROUP BY t.relname, i.indexrelid`,
      [schema],
    );
    expect(keys.rows.length).toBeGreaterThanOrEqual(7);
    for (const key of keys.rows) {
      expect(key.columns.some((column) => column === "shopId" || column === "shopDomain")).toBe(
        true,
      );
    }

    const second = await migrate(withSchema(BASE_DATABASE_URL, schema));
    expect(second).toMatch(/No pending migrations/);
  });
});
