import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEnumType, parse, validate } from "graphql";
import * as documents from "~/sync/documents";
import type { RunningSimulator } from "../../simulator/server.js";
import { createShopInfo } from "../../simulator/data/generator.js";
import { adminSchema } from "../../simulator/graphql/schema.js";
import { Store } from "../../simulator/model/store.js";
import { computeStatistics } from "../../simulator/model/statistics.js";
import { ManualClock } from "../../simulator/util/clock.js";
import { NOW, gql, installToken, startTestSimulator } from "./helpers.js";

const DAY = 86_400_000;

function enumValues(name: string): string[] {
  const type = adminSchema().getType(name);
  if (!isEnumType(type)) throw new Error(`${name} is not an enum`);
  return type.getValues().map((value) => value.name);
}

describe("Propel's sync documents against the 2026-10 Admin schema", () => {
  it("every document validates, the customer fragment with statistics { rfmGroup predictedSpendTier }", () => {
    const texts: [string, string][] = Object.entries(documents as Record<string, unknown>).flatMap(
      ([name, value]) => (typeof value === "string" ? [[name, value] as [string, string]] : []),
    );
    expect(texts.map(([name]) => name)).toContain("NODES_BY_ID");
    let checked = 0;
    for (const [name, text] of texts) {
      // Fragments are checked inside the queries that spread them.
      if (!/^\s*(#graphql\s*)?(query|mutation|\{)/.test(text)) continue;
      checked++;
      const errors = validate(adminSchema(), parse(text));
      expect(errors.map((e) => `${name}: ${e.message}`)).toEqual([]);
    }
    expect(checked).toBe(4); // the customers and orders pages, the nodes re-read, the shop
    expect(documents.CUSTOMER_FIELDS).toMatch(
      /statistics\s*\{\s*rfmGroup\s+predictedSpendTier\s*\}/,
    );
  });
});

describe("Shopify's daily statistics as the simulator computes them", () => {
  const asOf = Date.parse("2026-11-01T00:00:00Z");

  function store() {
    const s = new Store(
      createShopInfo({ domain: "stats.myshopify.com" }, asOf - 1000 * DAY, "USD"),
    );
    s.taxRate = 0;
    return s;
  }
  const customer = (s: Store, createdAt = asOf - 900 * DAY) =>
    s.addCustomer({ createdAt, firstNameIdx: 0, lastNameIdx: 0, consent: "NOT_SUBSCRIBED" });
  const order = (s: Store, c: number, processedAt: number, cents: number, test = false) =>
    s.addOrder({
      customerIdx: c,
      processedAt,
      lines: [{ productIdx: 0, quantity: 1, unitCents: cents }],
      test,
    });

  it("splits ties by position, as an NTILE does: identical customers land in different groups", () => {
    const s = store();
    const rows = Array.from({ length: 10 }, () => customer(s));
    for (const c of rows) order(s, c, asOf - 30 * DAY, 5_000);
    const { byCustomer } = computeStatistics(s, asOf);
    // R, F and M all split the ten by id: 1,1,2,2,3,3,4,4,5,5.
    expect(rows.map((c) => byCustomer[c]?.rfmGroup)).toEqual([
      "DORMANT",
      "DORMANT",
      "ALMOST_LOST",
      "ALMOST_LOST",
      "NEEDS_ATTENTION",
      "NEEDS_ATTENTION",
      "LOYAL",
      "LOYAL",
      "CHAMPIONS",
      "CHAMPIONS",
    ]);
  });

  it("counts two years of non-test orders before the day's run, and knows no customer created since", () => {
    const s = store();
    const prospect = customer(s);
    const lapsed = customer(s);
    order(s, lapsed, asOf - 800 * DAY, 90_000);
    const onlyTest = customer(s);
    order(s, onlyTest, asOf - 10 * DAY, 9_000, true);
    const boughtToday = customer(s);
    order(s, boughtToday, asOf + 3_600_000, 9_000);
    const active = customer(s);
    order(s, active, asOf - 5 * DAY, 9_000);
    const createdToday = customer(s, asOf + 60_000);
    const deleted = customer(s);
    s.deleteCustomer(deleted);

    const { byCustomer } = computeStatistics(s, asOf);
    expect(byCustomer[prospect]).toEqual({ rfmGroup: "PROSPECTS", predictedSpendTier: "LOW" });
    expect(byCustomer[lapsed]).toEqual({ rfmGroup: "DORMANT", predictedSpendTier: "LOW" });
    expect(byCustomer[onlyTest]?.rfmGroup).toBe("PROSPECTS");
    expect(byCustomer[boughtToday]?.rfmGroup).toBe("PROSPECTS");
    // The one buyer in the window scores 1 on everything; their spend is recent: not LOW.
    expect(byCustomer[active]).toEqual({ rfmGroup: "DORMANT", predictedSpendTier: "HIGH" });
    expect(byCustomer[createdToday]).toBeNull();
    expect(byCustomer[deleted]).toBeNull();
  });

  it("ranks spend by what was paid net of refunds", () => {
    const s = store();
    const big = customer(s);
    const refunded = customer(s);
    const small = customer(s);
    order(s, big, asOf - 20 * DAY, 50_000);
    const o = order(s, refunded, asOf - 20 * DAY, 60_000);
    s.refundOrder(o, asOf - 10 * DAY, 55_000);
    order(s, small, asOf - 20 * DAY, 10_000);
    const snapshot = computeStatistics(s, asOf);
    const again = computeStatistics(s, asOf);
    expect(again).toEqual(snapshot);
    // Same R and F (split by id); M: refunded (5,000 left) < small < big.
    expect(snapshot.byCustomer[big]?.predictedSpendTier).toBe("HIGH");
    expect(snapshot.byCustomer[refunded]?.predictedSpendTier).toBe("LOW");
  });
});

describe("Customer.statistics through the Admin API", () => {
  let sim: RunningSimulator;
  let token: string;

  beforeAll(async () => {
    sim = await startTestSimulator({ clock: new ManualClock(NOW) });
    token = installToken(sim);
  });
  afterAll(async () => {
    await sim.close();
  });

  const query = `{
    customers(first: 150) {
      nodes { id createdAt numberOfOrders statistics { rfmGroup predictedSpendTier } }
    }
  }`;
  interface Node {
    id: string;
    createdAt: string;
    numberOfOrders: string;
    statistics: { rfmGroup: string | null; predictedSpendTier: string | null };
  }

  it("answers every customer with values of Shopify's enums, the same on every read", async () => {
    const first = await gql(sim, token, query);
    expect(first.json.errors).toBeUndefined();
    const nodes = (first.json.data?.customers as { nodes: Node[] }).nodes;
    expect(nodes).toHaveLength(150);
    const groups = enumValues("CustomerRfmGroup");
    const tiers = enumValues("CustomerPredictedSpendTier");
    const dayStart = Date.parse("2026-11-01T00:00:00Z");
    for (const node of nodes) {
      if (Date.parse(node.createdAt) >= dayStart) {
        expect(node.statistics).toEqual({ rfmGroup: null, predictedSpendTier: null });
        continue;
      }
      expect(groups).toContain(node.statistics.rfmGroup);
      expect(tiers).toContain(node.statistics.predictedSpendTier);
      if (node.numberOfOrders === "0") expect(node.statistics.rfmGroup).toBe("PROSPECTS");
    }
    // A plausible spread over the groups, not one answer for everyone.
    expect(new Set(nodes.map((n) => n.statistics.rfmGroup)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(nodes.map((n) => n.statistics.predictedSpendTier)).size).toBe(3);

    const second = await gql(sim, token, query);
    expect(second.json.data).toEqual(first.json.data);
  });

  it("writes them into a bulk query's JSONL, as the backfill reads them", async () => {
    const direct = await gql(sim, token, query);
    const answered = new Map(
      (direct.json.data?.customers as { nodes: Node[] }).nodes.map((n) => [n.id, n.statistics]),
    );
    const bulk = `{ customers { edges { node { ...PropelCustomer } } } } ${documents.CUSTOMER_FIELDS}`;
    const started = await gql(
      sim,
      token,
      `mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { message } } }`,
      { q: bulk },
    );
    expect(started.json.errors).toBeUndefined();
    let op: { status: string; url: string | null } | undefined;
    for (let i = 0; i < 500 && (!op || op.status === "CREATED" || op.status === "RUNNING"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const r = await gql(sim, token, `{ currentBulkOperation(type: QUERY) { status url } }`);
      op = r.json.data?.currentBulkOperation as typeof op;
    }
    expect(op?.status).toBe("COMPLETED");
    const lines = (await (await fetch(String(op?.url))).text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: string; statistics: Node["statistics"] });
    expect(lines).toHaveLength(150);
    for (const line of lines) expect(line.statistics).toEqual(answered.get(line.id));
  });
});
