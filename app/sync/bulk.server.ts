import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { shopGraphql } from "~/shopify/admin-graphql.server";
import { CUSTOMER_FIELDS, ORDER_FIELDS, type CustomerNode, type OrderNode } from "./documents";

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

interface BulkOperation {
  id: string;
  status: string;
  errorCode: string | null;
  objectCount: string;
  url: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a bulk query and waits for it; returns the URL of its JSONL result (null if empty). */
export async function runBulkQuery(
  shopDomain: string,
  query: string,
  onStarted: (id: string) => Promise<void> = async () => undefined,
): Promise<string | null> {
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
  for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
    await sleep(delay);
    const { node } = await shopGraphql<{ node: BulkOperation | null }>(shopDomain, BULK_STATUS, {
      id: bulkOperation.id,
    });
    if (!node) throw new Error(`bulk operation ${bulkOperation.id} disappeared`);
    if (node.status === "COMPLETED") return node.url;
    if (["FAILED", "CANCELED", "EXPIRED"].includes(node.status)) {
      throw new Error(`bulk operation ${node.id} ${node.status}: ${node.errorCode ?? "no code"}`);
    }
  }
}

async function* jsonLines(url: string): AsyncGenerator<Record<string, unknown>> {
  const response = await fetch(url);
  if (!response.ok || !response.body) {
    throw new Error(`bulk result download failed: ${response.status}`);
  }
  const lines = createInterface({
    input: Readable.fromWeb(response.body as NodeReadableStream),
    crlfDelay: Infinity,
  });
  for await (const line of lines) {
    if (line.trim()) yield JSON.parse(line) as Record<string, unknown>;
  }
}

/** Customers of a bulk result, in batches. */
export async function* bulkCustomers(url: string, batchSize: number) {
  let batch: CustomerNode[] = [];
  for await (const line of jsonLines(url)) {
    batch.push(line as unknown as CustomerNode);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

type LineItemNode = OrderNode["lineItems"]["nodes"][number];

/**
 * Orders of a bulk result, in batches, with their line items put back inside them. In the
 * JSONL a nested connection's rows follow their parent's row and name it in `__parentId`, so
 * a batch is only handed out when the next order begins.
 */
export async function* bulkOrders(url: string, batchSize: number) {
  let batch: OrderNode[] = [];
  const byId = new Map<string, OrderNode>();
  for await (const line of jsonLines(url)) {
    const parentId = line.__parentId;
    if (typeof parentId === "string") {
      const parent = byId.get(parentId);
      if (!parent)
        throw new Error(`bulk line item ${String(line.id)} before its order ${parentId}`);
      parent.lineItems.nodes.push(line as unknown as LineItemNode);
      continue;
    }
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
      byId.clear();
    }
    const order = { ...(line as unknown as OrderNode), lineItems: { nodes: [] } };
    batch.push(order);
    byId.set(order.id, order);
  }
  if (batch.length > 0) yield batch;
}
