import type { PrismaClient } from "@prisma/client";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { bulkCustomers, runBulkQuery } from "~/sync/bulk.server";
import { legacyId, toGid } from "~/sync/gid";
import type { AdminClient } from "./client.server";
import {
  BULK_CUSTOMER_TAGS,
  BULK_OPERATION,
  BULK_RUN_MUTATION,
  METAFIELDS_SET,
  RUNNING_BULK_MUTATIONS,
  STAGED_UPLOADS_CREATE,
  TAGS_ADD,
  TAGS_REMOVE,
  type UserError,
} from "./documents";
import { scoreMetafields } from "./metafields.server";
import type { PushTotals, ShopForPush } from "./push.server";
import { emptyTotals, outcomeOf } from "./push.server";
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
} from "./sync-state.server";
import { propelTagsPresent } from "./tag-plan";

/**
 * The large-change path: when thousands of customers changed (the first push of a shop, a
 * prefix change), one bulk mutation per kind of change replaces thousands of requests. The
 * variables go up as a staged JSONL file, Shopify runs the mutation once per line off the
 * rate limit, and the result JSONL says line by line what happened.
 *
 * A crash in the middle leaves the rows IN_FLIGHT, and Shopify goes on running the bulk
 * mutation without us. The next run waits for it to finish, reads every customer's tags back
 * with a bulk query (off the rate limit too), and takes what is really on each customer as
 * applied, so it pushes only what the lost run did not, and nothing twice.
 */

export interface BulkOptions {
  chunkSize?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Line {
  change: CustomerChange;
  variables: Record<string, unknown>;
}

interface BulkOperationNode {
  id: string;
  status: string;
  errorCode: string | null;
  url: string | null;
  partialDataUrl: string | null;
}

interface StagedTarget {
  url: string;
  parameters: { name: string; value: string }[];
}

async function waitForRunningMutations(client: AdminClient, wait: (ms: number) => Promise<void>) {
  for (;;) {
    const data = await client.request<{ bulkOperations: { nodes: { id: string }[] } }>(
      RUNNING_BULK_MUTATIONS,
      {},
      12,
    );
    if (data.bulkOperations.nodes.length === 0) return;
    await wait(1_000);
  }
}

async function stageUpload(client: AdminClient, lines: readonly Line[]): Promise<string> {
  const staged = await client.request<{
    stagedUploadsCreate: { stagedTargets: StagedTarget[]; userErrors: UserError[] };
  }>(
    STAGED_UPLOADS_CREATE,
    {
      input: [
        {
          resource: "BULK_MUTATION_VARIABLES",
          filename: "propel-tags.jsonl",
          mimeType: "text/jsonl",
          httpMethod: "POST",
        },
      ],
    },
    10,
  );
  const target = staged.stagedUploadsCreate.stagedTargets[0];
  if (!target)
    throw new Error(
      `staged upload refused: ${staged.stagedUploadsCreate.userErrors.map((e) => e.message).join("; ")}`,
    );
  const form = new FormData();
  for (const parameter of target.parameters) form.append(parameter.name, parameter.value);
  const jsonl = lines.map((line) => JSON.stringify(line.variables)).join("\n") + "\n";
  form.append("file", new Blob([jsonl], { type: "text/jsonl" }), "propel-tags.jsonl");
  const upload = await fetch(target.url, { method: "POST", body: form });
  if (!upload.ok) throw new Error(`staged upload failed: ${upload.status} ${await upload.text()}`);
  const key = target.parameters.find((parameter) => parameter.name === "key")?.value;
  if (!key) throw new Error("staged upload target without a key");
  return key;
}

async function startMutation(
  client: AdminClient,
  mutation: string,
  stagedUploadPath: string,
  clientIdentifier: string,
  wait: (ms: number) => Promise<void>,
): Promise<string> {
  for (;;) {
    const data = await client.request<{
      bulkOperationRunMutation: {
        bulkOperation: { id: string } | null;
        userErrors: UserError[];
      };
    }>(BULK_RUN_MUTATION, { mutation, stagedUploadPath, clientIdentifier }, 10);
    const { bulkOperation, userErrors } = data.bulkOperationRunMutation;
    if (bulkOperation) return bulkOperation.id;
    // Shopify runs a limited number of bulk mutations per shop (one, before 2026-01): wait
    // for the one in progress (another app's, or ours from a crashed run) and try again.
    if (userErrors.some((error) => error.code === "OPERATION_IN_PROGRESS")) {
      await wait(2_000);
      continue;
    }
    throw new Error(`bulk mutation refused: ${userErrors.map((e) => e.message).join("; ")}`);
  }
}

async function waitForCompletion(
  client: AdminClient,
  id: string,
  pollMs: number,
  wait: (ms: number) => Promise<void>,
): Promise<BulkOperationNode> {
  for (let delay = 250; ; delay = Math.min(delay * 2, pollMs)) {
    await wait(delay);
    const { bulkOperation } = await client.request<{ bulkOperation: BulkOperationNode | null }>(
      BULK_OPERATION,
      { id },
      1,
    );
    if (!bulkOperation) throw new Error(`bulk operation ${id} disappeared`);
    if (bulkOperation.status === "COMPLETED") return bulkOperation;
    if (["FAILED", "CANCELED", "EXPIRED"].includes(bulkOperation.status))
      throw new Error(`bulk mutation ${id} ${bulkOperation.status}: ${bulkOperation.errorCode}`);
  }
}

/** Per input line, the userErrors (or GraphQL errors) Shopify reported for it. */
async function lineErrors(url: string | null, field: string): Promise<Map<number, UserError[]>> {
  const errors = new Map<number, UserError[]>();
  if (!url) return errors;
  const response = await fetch(url);
  if (!response.ok || !response.body)
    throw new Error(`bulk mutation result download failed: ${response.status}`);
  const lines = createInterface({
    input: Readable.fromWeb(response.body as NodeReadableStream),
    crlfDelay: Infinity,
  });
  for await (const text of lines) {
    if (!text.trim()) continue;
    const line = JSON.parse(text) as {
      __lineNumber: number;
      data?: Record<string, { userErrors?: UserError[] } | null> | null;
      errors?: { message: string }[];
    };
    const found = [
      ...(line.errors ?? []).map((error) => ({ field: null, message: error.message })),
      ...(line.data?.[field]?.userErrors ?? []),
    ];
    errors.set(line.__lineNumber, found);
  }
  return errors;
}

/** Runs one single-field mutation over every line; returns each line's errors. */
async function runBulkMutation(
  client: AdminClient,
  mutation: string,
  field: string,
  lines: readonly Line[],
  options: Required<Pick<BulkOptions, "pollMs" | "sleep">>,
): Promise<Map<number, UserError[]>> {
  const path = await stageUpload(client, lines);
  const id = await startMutation(client, mutation, path, `propel-${field}`, options.sleep);
  const done = await waitForCompletion(client, id, options.pollMs, options.sleep);
  const errors = await lineErrors(done.url, field);
  // A line missing from the result was never run: report it rather than call it done.
  lines.forEach((_, i) => {
    if (!errors.has(i)) errors.set(i, [{ field: null, message: "not run by the bulk mutation" }]);
  });
  return errors;
}

/** Shopify's tags of the customers a crashed run left IN_FLIGHT. */
async function readBackInFlight(
  prisma: PrismaClient,
  shop: ShopForPush,
): Promise<Map<bigint, string[]> | null> {
  const inFlight = await prisma.tagSyncState.findMany({
    where: { shopId: shop.id, status: "IN_FLIGHT" },
    select: { customerId: true },
  });
  if (inFlight.length === 0) return null;
  const wanted = new Set(inFlight.map((row) => row.customerId));
  const tags = new Map<bigint, string[]>();
  const url = await runBulkQuery(shop.domain, BULK_CUSTOMER_TAGS);
  for await (const batch of url ? bulkCustomers(url, 5_000) : [])
    for (const node of batch) {
      const id = legacyId(node.id);
      if (wanted.has(id)) tags.set(id, node.tags);
    }
  return tags;
}

/** Takes what Shopify really has as applied; false when the customer is gone. */
function reconcile(row: PendingRow, shopifyTags: Map<bigint, string[]> | null): boolean {
  if (row.status !== "IN_FLIGHT" || !shopifyTags) return true;
  const tags = shopifyTags.get(row.customerId);
  if (!tags) return false;
  row.appliedTags = propelTagsPresent(tags, [...row.appliedTags, ...row.desiredTags]);
  row.currentTags = tags;
  return true;
}

export async function pushInBulk(
  prisma: PrismaClient,
  client: AdminClient,
  shop: ShopForPush,
  options: BulkOptions = {},
): Promise<PushTotals> {
  const chunkSize = options.chunkSize ?? 5_000;
  const run = { pollMs: options.pollMs ?? 2_000, sleep: options.sleep ?? sleep };
  const totals = emptyTotals();
  await waitForRunningMutations(client, run.sleep);
  const shopifyTags = await readBackInFlight(prisma, shop);

  const busy: CustomerChange[] = [];
  for (let cursor = -1n; ;) {
    const rows = await readPending(prisma, shop.id, cursor, chunkSize);
    if (rows.length === 0) break;
    cursor = rows[rows.length - 1].customerId;
    const present = rows.filter((row) => reconcile(row, shopifyTags));
    const gone = rows.filter((row) => !present.includes(row));
    const changes = present.map((row) => planChange(row, shop.writeMetafields));
    const idle = changes.filter((change) => !needsRequest(change));
    await finishRows(prisma, shop.id, [
      ...idle.map(unchangedOutcome),
      ...gone.map((row) =>
        outcomeOf(planChange(row, false), [{ field: ["id"], message: "Customer does not exist" }]),
      ),
    ]);
    totals.unchanged += idle.length + gone.length;
    busy.push(...changes.filter(needsRequest));
  }
  for (let i = 0; i < busy.length; i += chunkSize)
    await markInFlight(prisma, shop.id, busy.slice(i, i + chunkSize).map(inFlightOf));

  const gid = (change: CustomerChange) => toGid("Customer", change.row.customerId);
  const kinds = [
    {
      mutation: TAGS_REMOVE,
      field: "tagsRemove",
      lines: busy
        .filter((change) => change.plan.remove.length > 0)
        .map((change) => ({ change, variables: { id: gid(change), tags: change.plan.remove } })),
    },
    {
      mutation: TAGS_ADD,
      field: "tagsAdd",
      lines: busy
        .filter((change) => change.plan.add.length > 0)
        .map((change) => ({ change, variables: { id: gid(change), tags: change.plan.add } })),
    },
    {
      mutation: METAFIELDS_SET,
      field: "metafieldsSet",
      lines: busy
        .filter((change) => change.scores !== null)
        .map((change) => ({
          change,
          variables: {
            metafields: scoreMetafields(gid(change), change.scores!, shop.currencyCode),
          },
        })),
    },
  ];
  const errorsOf = new Map<CustomerChange, UserError[]>(busy.map((change) => [change, []]));
  for (const kind of kinds) {
    if (kind.lines.length === 0) continue;
    const errors = await runBulkMutation(client, kind.mutation, kind.field, kind.lines, run);
    kind.lines.forEach((line, i) => errorsOf.get(line.change)?.push(...(errors.get(i) ?? [])));
    totals.fields += kind.lines.length;
  }

  const outcomes = busy.map((change) => outcomeOf(change, errorsOf.get(change) ?? []));
  for (let i = 0; i < outcomes.length; i += chunkSize)
    await finishRows(prisma, shop.id, outcomes.slice(i, i + chunkSize));
  for (const outcome of outcomes) {
    if (outcome.failed) totals.failed++;
    else totals.pushed++;
    if (outcome.scoresWritten)
      totals.metafieldsWritten += scoreMetafields(
        gid(outcome.change),
        outcome.change.scores!,
        shop.currencyCode,
      ).length;
  }
  return totals;
}
