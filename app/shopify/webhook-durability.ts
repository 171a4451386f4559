/**
 * Which webhook deliveries must be on disk before Shopify is told they arrived.
 *
 * Shopify stops retrying once a delivery is acknowledged, so a delivery acknowledged and then
 * lost in a database crash is gone, unless something else brings its data back. For most
 * topics something does: the reconcile job re-reads every order and customer updated since the
 * last sync (a refund or an edit updates its order), and the backfill polls a bulk operation as
 * well as waiting for its `bulk_operations/finish`. Those deliveries are committed without
 * waiting for the WAL flush (PostgreSQL's `synchronous_commit = off`: the row is flushed within
 * three `wal_writer_delay`s, 600 ms by default), which takes the disk's occasional
 * several-hundred-millisecond fsync stalls off the acknowledgement.
 *
 * Deletions, uninstalls, scope changes and the compliance topics leave nothing for a later read
 * to find, and a lost `customers/redact` is a broken legal duty: a batch holding any of them is
 * committed durably before it is acknowledged.
 */
const REPAIRED_BY_A_LATER_READ: ReadonlySet<string> = new Set([
  "orders/create",
  "orders/updated",
  "orders/edited",
  "orders/cancelled",
  "refunds/create",
  "customers/create",
  "customers/update",
  "bulk_operations/finish",
]);

/** True when a batch of deliveries with these topics must be flushed to disk before the ack. */
export function needsDurableCommit(topics: Iterable<string>): boolean {
  for (const topic of topics) if (!REPAIRED_BY_A_LATER_READ.has(topic)) return true;
  return false;
}
