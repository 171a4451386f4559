import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../../simulator/server.js";
import { SHOP, at, gql, installToken, startTestSimulator } from "./helpers.js";

let sim: RunningSimulator;
let token: string;

beforeAll(async () => {
  sim = await startTestSimulator({ bulkChunkSize: 37 });
  token = installToken(sim);
});
afterAll(async () => {
  await sim.close();
});

async function waitDone(type: "QUERY" | "MUTATION"): Promise<Record<string, unknown>> {
  for (let i = 0; i < 500; i++) {
    const r = await gql(
      sim,
      token,
      `{ currentBulkOperation(type: ${type}) { id status url objectCount rootObjectCount errorCode fileSize } }`,
    );
    const op = at(r.json, "data", "currentBulkOperation") as Record<string, unknown>;
    if (op.status !== "CREATED" && op.status !== "RUNNING") return op;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error("bulk operation did not finish");
}

describe("bulk operations", () => {
  it("runs a bulk query and writes Shopify-shaped JSONL (nested nodes with __parentId)", async () => {
    const query = `{ customers(query: "orders_count:>0") { edges { node { id email numberOfOrders orders { edges { node { id name totalPriceSet { shopMoney { amount } } } } } } } } }`;
    const r = await gql(
      sim,
      token,
      `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message code } } }`,
      { q: query },
    );
    expect(at(r.json, "data", "bulkOperationRunQuery", "userErrors")).toEqual([]);
    expect(at(r.json, "data", "bulkOperationRunQuery", "bulkOperation", "status")).toBe("CREATED");
    const op = await waitDone("QUERY");
    expect(op.status).toBe("COMPLETED");
    expect(typeof op.url).toBe("string");
    const text = await (await fetch(String(op.url))).text();
    const lines = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBe(Number(op.objectCount));
    const customers = lines.filter((l) => String(l.id).includes("/Customer/"));
    const orders = lines.filter((l) => String(l.id).includes("/Order/"));
    expect(customers.length).toBe(Number(op.rootObjectCount));
    expect(
      customers.every(
        (c) => !("orders" in c) && !("__parentId" in c) && typeof c.email === "string",
      ),
    ).toBe(true);
    expect(orders.length).toBeGreaterThan(customers.length - 1);
    // each order line follows its parent and points at it
    const seen = new Set<string>();
    for (const l of lines) {
      if (l.__parentId) expect(seen.has(String(l.__parentId))).toBe(true);
      else seen.add(String(l.id));
    }
    const byParent = new Map<string, number>();
    for (const o of orders)
      byParent.set(String(o.__parentId), (byParent.get(String(o.__parentId)) ?? 0) + 1);
    // numberOfOrders leaves out test orders; the orders connection lists them
    for (const c of customers)
      expect(byParent.get(String(c.id)) ?? 0).toBeGreaterThanOrEqual(Number(c.numberOfOrders));
    expect(orders.length).toBe([...byParent.values()].reduce((a, b) => a + b, 0));
    const count = await gql(sim, token, `{ customersCount(query: "orders_count:>0") { count } }`);
    expect(customers.length).toBe(at(count.json, "data", "customersCount", "count"));
    expect(sim.sim.webhooks.log.some((d) => d.topic === "bulk_operations/finish")).toBe(true);
  });

  it("rejects invalid bulk queries with userErrors", async () => {
    const r = await gql(
      sim,
      token,
      `mutation { bulkOperationRunQuery(query: "{ shop { name } }") { bulkOperation { id } userErrors { message code } } }`,
    );
    expect(at(r.json, "data", "bulkOperationRunQuery", "userErrors", 0, "code")).toBe("INVALID");
  });

  it("runs a bulk mutation from a staged JSONL upload", async () => {
    const staged = await gql(
      sim,
      token,
      `mutation { stagedUploadsCreate(input: [{ resource: BULK_MUTATION_VARIABLES, filename: "tags.jsonl", mimeType: "text/jsonl", httpMethod: POST }]) { stagedTargets { url resourceUrl parameters { name value } } userErrors { message } } }`,
    );
    const target = at(staged.json, "data", "stagedUploadsCreate", "stagedTargets", 0) as {
      url: string;
      parameters: { name: string; value: string }[];
    };
    const ids = at(
      await gql(sim, token, "{ customers(first: 3) { nodes { id } } }").then((r) => r.json),
      "data",
      "customers",
      "nodes",
    ) as { id: string }[];
    const jsonl =
      ids.map((c) => JSON.stringify({ id: c.id, tags: ["propel:bulk"] })).join("\n") + "\n";
    const form = new FormData();
    for (const p of target.parameters) form.append(p.name, p.value);
    form.append("file", new Blob([jsonl], { type: "text/jsonl" }), "tags.jsonl");
    const up = await fetch(target.url, { method: "POST", body: form });
    expect(up.status).toBe(201);
    const key = target.parameters.find((p) => p.name === "key")?.value ?? "";
    const run = await gql(
      sim,
      token,
      `mutation($m: String!, $p: String!) { bulkOperationRunMutation(mutation: $m, stagedUploadPath: $p) { bulkOperation { id } userErrors { message code } } }`,
      {
        m: "mutation tag($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { message } } }",
        p: key,
      },
    );
    expect(at(run.json, "data", "bulkOperationRunMutation", "userErrors")).toEqual([]);
    const op = await waitDone("MUTATION");
    expect(op.status).toBe("COMPLETED");
    const out = (await (await fetch(String(op.url))).text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { data: unknown; __lineNumber: number });
    expect(out.map((l) => l.__lineNumber)).toEqual([0, 1, 2]);
    expect(at(out[0], "data", "tagsAdd", "node", "id")).toBe(ids[0]?.id);
    const tags = await fetch(
      `${sim.url}/_sim/shops/${SHOP}/customers/${ids[1]?.id.split("/").pop() ?? ""}/tags`,
    );
    expect(((await tags.json()) as { tags: string[] }).tags).toContain("propel:bulk");
  });
});

describe("bulkOperations connection (2026-10)", () => {
  it("lists operations newest first and filters by status and type", async () => {
    const all = await gql(sim, token, `{ bulkOperations(first: 10) { nodes { id type status } } }`);
    const nodes = at(all.json, "data", "bulkOperations", "nodes") as {
      id: string;
      type: string;
      status: string;
    }[];
    expect(nodes.map((n) => n.type)).toEqual(["MUTATION", "QUERY"]);
    const done = await gql(
      sim,
      token,
      `{ bulkOperations(first: 10, query: "status:completed operation_type:query") { nodes { type status } } }`,
    );
    expect(at(done.json, "data", "bulkOperations", "nodes")).toEqual([
      { type: "QUERY", status: "COMPLETED" },
    ]);
  });
});

describe("bulk queries through the lean executor", () => {
  // Two simulators with the same store: one runs bulk queries through graphql-js's execute.
  let lean: RunningSimulator;
  let reference: RunningSimulator;

  beforeAll(async () => {
    lean = await startTestSimulator({ bulkChunkSize: 40 });
    reference = await startTestSimulator({ bulkChunkSize: 40, leanBulkExecution: false });
  });
  afterAll(async () => {
    await lean.close();
    await reference.close();
  });

  async function bulkFile(on: RunningSimulator, query: string): Promise<Record<string, unknown>> {
    const token = installToken(on);
    const r = await gql(
      on,
      token,
      `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }`,
      { q: query },
    );
    const id = at(r.json, "data", "bulkOperationRunQuery", "bulkOperation", "id");
    expect(at(r.json, "data", "bulkOperationRunQuery", "userErrors")).toEqual([]);
    for (let i = 0; i < 1000; i++) {
      const s = await gql(
        on,
        token,
        `query($id: ID!) { node(id: $id) { ... on BulkOperation { status url objectCount errorCode } } }`,
        { id },
      );
      const op = at(s.json, "data", "node") as Record<string, unknown>;
      if (op.status !== "CREATED" && op.status !== "RUNNING") {
        const text = op.url ? await (await fetch(String(op.url))).text() : "";
        return { ...op, url: undefined, text };
      }
      await new Promise((res) => setTimeout(res, 5));
    }
    throw new Error("bulk operation did not finish");
  }

  const queries = {
    "the app's orders backfill": `{ orders { edges { node { ...O } } } }
      fragment O on Order {
        id name createdAt updatedAt processedAt cancelledAt test currencyCode
        displayFinancialStatus sourceName discountCodes customer { id }
        totalPriceSet { shopMoney { amount } } subtotalPriceSet { shopMoney { amount } }
        totalDiscountsSet { shopMoney { amount } } totalRefundedSet { shopMoney { amount } }
        lineItems(first: 10) { nodes { id name quantity vendor
          originalUnitPriceSet { shopMoney { amount } } totalDiscountSet { shopMoney { amount } }
          product { id productType } variant { id } } }
      }`,
    "customers with aliases, __typename, directives, inline fragments and nested orders": `{
      customers(query: "orders_count:>0", sortKey: UPDATED_AT) { edges { cursor node {
        __typename id mail: email tags createdAt
        emailMarketingConsent { marketingState }
        skipped: firstName @skip(if: true)
        kept: lastName @include(if: true)
        ... on Customer { numberOfOrders amountSpent { amount currencyCode } }
        ... on Node { id }
        orders(first: 5) { edges { node { id name totalPriceSet { shopMoney { amount } } } } }
      } } } }`,
    "an enum, a list of objects and a missing customer": `{ orders(query: "test:true") { nodes {
      id displayFulfillmentStatus cancelReason refunds { id totalRefundedSet { shopMoney { amount } } }
      customer { id displayName }
    } } }`,
  };

  for (const [name, query] of Object.entries(queries)) {
    it(`writes what graphql-js's execute writes: ${name}`, async () => {
      const [fast, slow] = [await bulkFile(lean, query), await bulkFile(reference, query)];
      expect(fast.status).toBe(slow.status);
      expect(fast.text).toBe(slow.text);
      expect(fast).toEqual(slow);
    });
  }

  it("falls back to graphql-js for a field the simulator does not support, and fails the same way", async () => {
    const query = `{ customers { edges { node { id mergeable { isMergeable } } } } }`;
    const [fast, slow] = [await bulkFile(lean, query), await bulkFile(reference, query)];
    expect(slow.status).toBe("FAILED");
    expect(fast).toEqual(slow);
  });
});
