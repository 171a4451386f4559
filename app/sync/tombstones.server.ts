import { createHmac } from "node:crypto";
import { config } from "~/config.server";
import type { Database } from "./store.server";

/**
 * Tombstones of redacted customers and orders. A customers/redact can arrive while a backfill
 * or reconcile is reading the store (Shopify sends it for a customer it may still return for a
 * while); without a record the next upsert would import the customer again. The record is a
 * keyed hash of the shop and the id, so it cannot be read back as the id: the app secret is
 * the key, which the hash is checked against only from inside the app.
 */
export type TombstoneKind = "customer" | "order";

export function tombstoneHash(shopId: number, kind: TombstoneKind, id: bigint): string {
  return createHmac("sha256", config().SHOPIFY_API_SECRET)
    .update(`propel-tombstone\n${shopId}\n${kind}\n${id}`)
    .digest("base64url");
}

/** The shop's tombstoned ids among `ids`, of one kind. */
export async function tombstoned(
  db: Database,
  shopId: number,
  kind: TombstoneKind,
  ids: Iterable<bigint>,
): Promise<Set<bigint>> {
  const byHash = new Map<string, bigint>();
  for (const id of ids) byHash.set(tombstoneHash(shopId, kind, id), id);
  if (byHash.size === 0) return new Set();
  const { rows } = await db.query<{ subjectHash: string }>(
    `SELECT "subjectHash" FROM "RedactionTombstone"
      WHERE "shopId" = $1 AND "kind" = $2 AND "subjectHash" = ANY($3::text[])`,
    [shopId, kind, [...byHash.keys()]],
  );
  return new Set(rows.map((row) => byHash.get(row.subjectHash)!));
}
