import { shopGraphql } from "~/shopify/admin-graphql.server";
import { CUSTOMER_FIELDS, ORDER_FIELDS, type CustomerNode, type OrderNode } from "./documents";
import { lineItemRow, orderRow, type OrderRow } from "./mapping";

/**
 * Reading a whole store through a bulk operation: Shopify runs the query on its side and
 * hands back a JSONL file, with no cost per object. Used for the install backfill, where
 * paging through a large store at 100 points a second would take hours.
 */
export const BULK_CUSTOMERS = `#graphql
  {
    customers {
      edges {
        node {
          ...PropelCustomer
        }
      }
    }
  }
  ${CUSTOMER_FIELDS}
`;

export const BULK_ORDERS = `#graphql
  {
    orders {
      edges {
        node {
          ...PropelOrder
        }
      }
    }
  }
  ${ORDER_FIELDS}
`;

const RUN_BULK_QUERY = `#graphql
  mutation PropelRunBulkQuery($query: String!) {
    bulkOperationRunQuery(query: $query) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
      }
    }
  }
`;

const BULK_STATUS = `#graphql
  query PropelBulkStatus($id: ID!) {
    node(id: $id) {
      ... on BulkOperation {
        id
        status
        errorCode
        objectCount
        url
      }
    }
  }
`;

const CANCEL_BULK_OPERATION = `#graphql
  mutation PropelCancelBulkOperation($id: ID!) {
    bulkOperationCancel(id: $id) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
      }
    }
  }
`;

interface BulkOperation {
  id: string;
  status: string;
  errorCode: string | null;
  objectCount: string;
  url: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a bulk query; returns its id once Shopify has accepted it. */
export async function startBulkQuery(
  shopDomain: string,
  query: string,
  onStarted: (id: string) => Promise<void> = async () => undefined,
): Promise<string> {
  const started = await shopGraphql<{
    bulkOperationRunQuery: {
      bulkOperation: { id: string } | null;
      userErrors: { message: string }[];
    };
  }>(shopDomain, RUN_BULK_QUERY, { query });
  const { bulkOperation, userErrors } = started.bulkOperationRunQuery;
  if (!bulkOperation) {
    throw new Error(`bulk query refused: ${userErrors.map((e) => e.message).join("; ")}`);
  }
  await onStarted(bulkOperation.id);
  return bulkOperation.id;
}

/**
 * Cancels a bulk query the app no longer needs. Shopify runs a limited number of bulk queries per
 * shop and app at once, so a backfill that failed must not leave its next one waiting behind it.
 */
export async function cancelBulkQuery(shopDomain: string, id: string): Promise<void> {
  // Its userErrors only say that the operation has already finished, which needs nothing.
  await shopGraphql(shopDomain, CANCEL_BULK_OPERATION, { id });
}

export interface BulkWaitOptions {
  /**
   * Whether Shopify's `bulk_operations/finish` webhook for the operation has arrived (see
   * bulk-finish.server). With it, Shopify is asked for the result as soon as the webhook lands
   * and otherwise only every 30 s, in case the webhook is lost; without it, polling backs off
   * to every 5 s.
   */
  finished?: () => Promise<boolean>;
}

const FINISH_CHECK_MS = 500;

/** Waits for a bulk query; returns the URL of its JSONL result (null if empty). */
export async function waitForBulkQuery(
  shopDomain: string,
  id: string,
  options: BulkWaitOptions = {},
): Promise<string | null> {
  const maxDelay = options.finished ? 30_000 : 5_000;
  let delay = 250;
  let nextPoll = Date.now() + delay;
  for (;;) {
    await sleep(options.finished ? Math.min(FINISH_CHECK_MS, nextPoll - Date.now()) : delay);
    const due = Date.now() >= nextPoll || (await options.finished?.()) === true;
    if (!due) continue;
    const { node } = await shopGraphql<{ node: BulkOperation | null }>(shopDomain, BULK_STATUS, {
      id,
    });
    if (!node) throw new Error(`bulk operation ${id} disappeared`);
    if (node.status === "COMPLETED") return node.url;
    if (["FAILED", "CANCELED", "EXPIRED"].includes(node.status)) {
      throw new Error(`bulk operation ${node.id} ${node.status}: ${node.errorCode ?? "no code"}`);
    }
    delay = Math.min(delay * 2, maxDelay);
    nextPoll = Date.now() + delay;
  }
}

/** Starts a bulk query and waits for it; returns the URL of its JSONL result (null if empty). */
export async function runBulkQuery(
  shopDomain: string,
  query: string,
  onStarted: (id: string) => Promise<void> = async () => undefined,
  options: (id: string) => BulkWaitOptions = () => ({}),
): Promise<string | null> {
  const id = await startBulkQuery(shopDomain, query, onStarted);
  return waitForBulkQuery(shopDomain, id, options(id));
}

/**
 * The objects of a JSONL bulk result, parsed a network read at a time: a million orders are
 * three million lines, and handing them out one by one through an async iterator cost more
 * than parsing them.
 */
async function* jsonLineChunks(url: string): AsyncGenerator<Record<string, unknown>[]> {
  const response = await fetch(url);
  if (!response.ok || !response.body) {
    throw new Error(`bulk result download failed: ${response.status}`);
  }
  const decoder = new TextDecoder();
  const parse = (lines: string[]) => {
    const objects: Record<string, unknown>[] = [];
    for (const line of lines) {
      if (line.trim()) objects.push(JSON.parse(line) as Record<string, unknown>);
    }
    return objects;
  };
  let rest = "";
  // Node's web streams are async iterable (the DOM typings do not say so).
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
    const lines = (rest + decoder.decode(bytes, { stream: true })).split("\n");
    rest = lines.pop() ?? "";
    const objects = parse(lines);
    if (objects.length > 0) yield objects;
  }
  const objects = parse([rest + decoder.decode()]);
  if (objects.length > 0) yield objects;
}

/** Customers of a bulk result, in batches. */
export async function* bulkCustomers(url: string, batchSize: number) {
  let batch: CustomerNode[] = [];
  for await (const lines of jsonLineChunks(url)) {
    for (const line of lines) {
      batch.push(line as unknown as CustomerNode);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

type LineItemNode = OrderNode["lineItems"]["nodes"][number];

/**
 * Orders of a bulk result, in batches, each put together by `assemble` from its own line and
 * its line items'. In the JSONL a nested connection's rows follow their parent's row and name
 * it in `__parentId`, so a batch is only handed out when the next order begins.
 */
async function* bulkOrderBatches<Order extends { id: unknown }>(
  url: string,
  batchSize: number,
  assemble: {
    order(line: OrderNode): Order;
    lineItem(order: Order, line: LineItemNode): void;
  },
): AsyncGenerator<Order[]> {
  let batch: Order[] = [];
  const byId = new Map<string, Order>();
  for await (const lines of jsonLineChunks(url)) {
    for (const line of lines) {
      const parentId = line.__parentId;
      if (typeof parentId === "string") {
        const parent = byId.get(parentId);
        if (!parent)
          throw new Error(`bulk line item ${String(line.id)} before its order ${parentId}`);
        assemble.lineItem(parent, line as unknown as LineItemNode);
        continue;
      }
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
        byId.clear();
      }
      const order = line as unknown as OrderNode;
      const assembled = assemble.order(order);
      batch.push(assembled);
      byId.set(order.id, assembled);
    }
  }
  if (batch.length > 0) yield batch;
}

/** Orders of a bulk result, in batches, with their line items put back inside them. */
export function bulkOrders(url: string, batchSize: number): AsyncGenerator<OrderNode[]> {
  return bulkOrderBatches<OrderNode>(url, batchSize, {
    order: (line) => ({ ...line, lineItems: { nodes: [] } }),
    lineItem: (order, line) => order.lineItems.nodes.push(line),
  });
}

/**
 * Orders of a bulk result as rows, in batches. Each line becomes its row as it is read, so
 * what a batch keeps is its rows, not the parsed JSON as well.
 */
export function bulkOrderRows(url: string, batchSize: number): AsyncGenerator<OrderRow[]> {
  return bulkOrderBatches<OrderRow>(url, batchSize, {
    order: (line) => orderRow({ ...line, lineItems: { nodes: [] } }),
    lineItem: (order, line) => order.lineItems.push(lineItemRow(line, order.currency)),
  });
}
