import type { PrismaClient } from "@prisma/client";
import { toGid } from "~/sync/gid";
import type { AdminClient } from "./client.server";
import {
  CUSTOMER_TAGS,
  METAFIELDS_SET,
  TAGS_ADD,
  TAGS_REMOVE,
  aliasedMutation,
  type AliasedField,
  type MutationPayload,
  type UserError,
} from "./documents";
import { scoreMetafields } from "./metafields.server";
import {
  finishRows,
  inFlightOf,
  markInFlight,
  needsRequest,
  planChange,
  readPending,
  unchangedOutcome,
  type CustomerChange,
  type PendingRow,
  type RowOutcome,
} from "./sync-state.server";
import { propelTagsPresent } from "./tag-plan";

/**
 * The small-change path: pending customers in id order, several per request through aliases
 * (`f0: tagsAdd(…) f1: tagsRemove(…) f2: metafieldsSet(…)`), each request's requested cost
 * kept well under the bucket, and every request paced by the client to the shop's restore rate.
 */

/** Shopify charges 10 points for every mutation field, whatever it does. */
export const MUTATION_FIELD_COST = 10;

export interface PushOptions {
  /**
   * Mutation fields per request (a customer's fields always travel together); by default
   * half a second of the shop's restore rate.
   */
  fieldsPerRequest?: number;
  /** Rows read from PostgreSQL at a time. */
  chunkSize?: number;
}

export interface PushTotals {
  pushed: number;
  unchanged: number;
  failed: number;
  metafieldsWritten: number;
  /** Mutation fields sent (each costs MUTATION_FIELD_COST points). */
  fields: number;
}

export interface ShopForPush {
  id: number;
  domain: string;
  currencyCode: string;
  writeMetafields: boolean;
}

export const emptyTotals = (): PushTotals => ({
  pushed: 0,
  unchanged: 0,
  failed: 0,
  metafieldsWritten: 0,
  fields: 0,
});

interface FieldOf {
  change: CustomerChange;
  kind: "add" | "remove" | "metafields";
  field: AliasedField;
  metafields: number;
}

function fieldsFor(change: CustomerChange, shop: ShopForPush): FieldOf[] {
  const id = toGid("Customer", change.row.customerId);
  const out: FieldOf[] = [];
  if (change.plan.remove.length > 0)
    out.push({
      change,
      kind: "remove",
      field: { document: TAGS_REMOVE, variables: { id, tags: change.plan.remove } },
      metafields: 0,
    });
  if (change.plan.add.length > 0)
    out.push({
      change,
      kind: "add",
      field: { document: TAGS_ADD, variables: { id, tags: change.plan.add } },
      metafields: 0,
    });
  if (change.scores) {
    const metafields = scoreMetafields(id, change.scores, shop.currencyCode);
    out.push({
      change,
      kind: "metafields",
      field: { document: METAFIELDS_SET, variables: { metafields } },
      metafields: metafields.length,
    });
  }
  return out;
}

const customerGone = (errors: readonly UserError[]) =>
  errors.some((error) => /does not exist|not found/i.test(error.message));

/** What Shopify's answer to a customer's fields means for its row. */
export function outcomeOf(change: CustomerChange, errors: readonly UserError[]): RowOutcome {
  if (errors.length === 0)
    return {
      change,
      failed: false,
      error: null,
      applied: change.plan.after,
      scoresWritten: change.scores !== null,
    };
  if (customerGone(errors))
    return {
      change,
      failed: false,
      error: "customer no longer exists in Shopify",
      applied: null,
      scoresWritten: false,
    };
  return {
    change,
    failed: true,
    error: errors.map((error) => error.message).join("; "),
    applied: change.row.appliedTags,
    scoresWritten: false,
  };
}

/**
 * Rows a crashed run left IN_FLIGHT may or may not have reached Shopify. Their tags are read
 * back, and what Propel's tags are really on the customer becomes the applied set, so the
 * resumed run pushes only what is still missing and nothing twice.
 */
export async function reconcileInFlight(
  client: AdminClient,
  rows: PendingRow[],
): Promise<{ gone: PendingRow[] }> {
  const gone: PendingRow[] = [];
  const inFlight = rows.filter((row) => row.status === "IN_FLIGHT");
  for (let i = 0; i < inFlight.length; i += 100) {
    const batch = inFlight.slice(i, i + 100);
    const data = await client.request<{ nodes: ({ id: string; tags: string[] } | null)[] }>(
      CUSTOMER_TAGS,
      { ids: batch.map((row) => toGid("Customer", row.customerId)) },
      batch.length + 2,
    );
    batch.forEach((row, j) => {
      const node = data.nodes[j];
      if (!node) {
        gone.push(row);
        return;
      }
      row.appliedTags = propelTagsPresent(node.tags, [...row.appliedTags, ...row.desiredTags]);
      row.currentTags = node.tags;
    });
  }
  return { gone };
}

/** Packs customers into requests of at most `limit` fields, never splitting a customer. */
function* requests(changes: CustomerChange[], shop: ShopForPush, limit: number) {
  let batch: FieldOf[] = [];
  for (const change of changes) {
    const fields = fieldsFor(change, shop);
    if (batch.length > 0 && batch.length + fields.length > limit) {
      yield batch;
      batch = [];
    }
    batch.push(...fields);
  }
  if (batch.length > 0) yield batch;
}

async function sendRequest(
  prisma: PrismaClient,
  client: AdminClient,
  shop: ShopForPush,
  fields: FieldOf[],
  totals: PushTotals,
): Promise<void> {
  const changes = [...new Set(fields.map((field) => field.change))];
  await markInFlight(prisma, shop.id, changes.map(inFlightOf));
  const { query, variables } = aliasedMutation(fields.map((field) => field.field));
  const data = await client.request<Record<string, MutationPayload | null>>(
    query,
    variables,
    fields.length * MUTATION_FIELD_COST,
  );
  const errorsOf = new Map<CustomerChange, UserError[]>(changes.map((change) => [change, []]));
  fields.forEach((field, i) => {
    const payload = data[`f${i}`];
    const errors = payload?.userErrors ?? [{ field: null, message: "no answer for this field" }];
    errorsOf.get(field.change)?.push(...errors);
  });
  const outcomes = changes.map((change) => outcomeOf(change, errorsOf.get(change) ?? []));
  await finishRows(prisma, shop.id, outcomes);
  totals.fields += fields.length;
  for (const outcome of outcomes) {
    if (outcome.failed) totals.failed++;
    else totals.pushed++;
    if (outcome.scoresWritten)
      totals.metafieldsWritten +=
        fields.find((f) => f.change === outcome.change && f.kind === "metafields")?.metafields ?? 0;
  }
}

/** Pushes every PENDING (and crash-left IN_FLIGHT) row of the shop through aliased requests. */
export async function pushPendingTags(
  prisma: PrismaClient,
  client: AdminClient,
  shop: ShopForPush,
  options: PushOptions = {},
): Promise<PushTotals> {
  // Half a second of the shop's refill per request (25 fields on Standard, 50 on Plus): few
  // enough requests that their latency never idles the bucket, small enough to pace smoothly.
  const byRestoreRate = Math.min(100, Math.max(25, Math.round(client.restoreRate / 20)));
  const fieldsPerRequest = Math.max(
    3,
    Math.min(
      options.fieldsPerRequest ?? byRestoreRate,
      // One request never asks for more than the bucket holds or Shopify's 1,000-point cap.
      Math.floor(Math.min(1000, client.maximumAvailable) / MUTATION_FIELD_COST),
    ),
  );
  const chunkSize = options.chunkSize ?? 500;
  const totals = emptyTotals();
  let cursor = -1n;
  for (;;) {
    const rows = await readPending(prisma, shop.id, cursor, chunkSize);
    if (rows.length === 0) break;
    cursor = rows[rows.length - 1].customerId;

    const { gone } = await reconcileInFlight(client, rows);
    const goneIds = new Set(gone.map((row) => row.customerId));
    const changes = rows
      .filter((row) => !goneIds.has(row.customerId))
      .map((row) => planChange(row, shop.writeMetafields));
    const idle = changes.filter((change) => !needsRequest(change));
    await finishRows(prisma, shop.id, [
      ...idle.map(unchangedOutcome),
      ...gone.map((row) =>
        outcomeOf(planChange(row, false), [{ field: ["id"], message: "Customer does not exist" }]),
      ),
    ]);
    totals.unchanged += idle.length + gone.length;

    const busy = changes.filter(needsRequest);
    for (const fields of requests(busy, shop, fieldsPerRequest))
      await sendRequest(prisma, client, shop, fields, totals);
  }
  return totals;
}
