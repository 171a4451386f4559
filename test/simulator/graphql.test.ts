import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "../../simulator/server.js";
import { Simulator, type ShopRuntime } from "../../simulator/core.js";
import { ManualClock } from "../../simulator/util/clock.js";
import {
  API_KEY,
  API_SECRET,
  NOW,
  SHOP,
  appConfig,
  at,
  gql,
  installToken,
  startTestSimulator,
  type GqlResponse,
} from "./helpers.js";

let sim: RunningSimulator;
let token: string;

beforeAll(async () => {
  sim = await startTestSimulator();
  token = installToken(sim);
});
afterAll(async () => {
  await sim.close();
});

describe("validation against the real Admin schema", () => {
  it("rejects an unknown field like Shopify (200, undefinedField)", async () => {
    const r = await gql(sim, token, "{ shop { name nonsense } }");
    expect(r.status).toBe(200);
    const errors = r.json.errors;
    expect(Array.isArray(errors)).toBe(true);
    if (!Array.isArray(errors)) return;
    expect(errors[0]?.message).toBe("Field 'nonsense' doesn't exist on type 'Shop'");
    expect(errors[0]?.extensions?.code).toBe("undefinedField");
    expect(errors[0]?.locations).toEqual([{ line: 1, column: 15 }]);
    expect(r.json.data).toBeUndefined();
  });

  it("rejects syntax errors and missing required arguments", async () => {
    const syntax = await gql(sim, token, "{ shop { name ");
    expect(Array.isArray(syntax.json.errors)).toBe(true);
    const missing = await gql(sim, token, "{ customer { id } }");
    const errs = missing.json.errors;
    expect(Array.isArray(errs) && errs[0]?.extensions?.code).toBe("missingRequiredArguments");
  });

  it("answers fields the simulator does not model with a clear error", async () => {
    const r = await gql(sim, token, "{ shop { name weightUnit } }");
    const errs = r.json.errors;
    expect(Array.isArray(errs) && errs[0]?.message).toMatch(
      /not supported by the Propel store simulator/,
    );
  });
});

describe("query cost", () => {
  it("computes Shopify's requested cost and reports the actual cost", async () => {
    const r = await gql(sim, token, "{ customers(first: 10) { edges { node { id email } } } }");
    expect(r.json.extensions?.cost.requestedQueryCost).toBe(12);
    expect(r.json.extensions?.cost.actualQueryCost).toBe(12);
    const nested = await gql(
      sim,
      token,
      "{ orders(first: 5) { nodes { id customer { id } lineItems(first: 10) { nodes { id product { id } } } } } }",
    );
    // 2 + 5 × (1 order + 1 customer + (2 + 10 × (1 + 1)))
    expect(nested.json.extensions?.cost.requestedQueryCost).toBe(2 + 5 * (1 + 1 + 2 + 10 * 2));
    expect(nested.json.extensions?.cost.actualQueryCost).toBeLessThan(
      nested.json.extensions?.cost.requestedQueryCost ?? 0,
    );
    const ts = nested.json.extensions?.cost.throttleStatus;
    expect(ts?.maximumAvailable).toBe(2000);
    expect(ts?.restoreRate).toBe(100);
  });

  it("refuses a single query above 1000 points with MAX_COST_EXCEEDED", async () => {
    const r = await gql(
      sim,
      token,
      "{ customers(first: 250) { nodes { id orders(first: 50) { nodes { id } } } } }",
    );
    const errs = r.json.errors;
    expect(Array.isArray(errs) && errs[0]?.extensions?.code).toBe("MAX_COST_EXCEEDED");
    expect(r.json.data).toBeUndefined();
  });

  it("costs mutations 10", async () => {
    const r = await gql(
      sim,
      token,
      `mutation { tagsAdd(id: "gid://shopify/Customer/1", tags: ["x"]) { userErrors { message } } }`,
    );
    expect(r.json.extensions?.cost.requestedQueryCost).toBe(10);
  });
});

describe("throttling (leaky bucket, injectable clock)", () => {
  it("throttles once the bucket is empty and restores over time", async () => {
    const clock = new ManualClock(NOW);
    const s = new Simulator({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      appConfig: appConfig(),
      clock,
      shops: [{ domain: SHOP, plan: "Basic", generator: { seed: 3, customers: 300, now: NOW } }],
    });
    const rt = s.shop(SHOP) as ShopRuntime;
    const query = { query: "{ customers(first: 250) { nodes { id } } }" }; // requested 252, actual 252
    const run = async (): Promise<GqlResponse> =>
      (await s.graphql(rt, query, "2026-10")).body as GqlResponse;
    const ok: GqlResponse[] = [];
    let throttled: GqlResponse | undefined;
    for (let i = 0; i < 20 && !throttled; i++) {
      const r = await run();
      if (Array.isArray(r.errors) && r.errors[0]?.extensions?.code === "THROTTLED") throttled = r;
      else ok.push(r);
    }
    expect(ok.length).toBe(7); // 2000 / 252
    expect(throttled).toBeDefined();
    const errs = throttled?.errors;
    expect(Array.isArray(errs) && errs[0]).toEqual({
      message: "Throttled",
      extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
    });
    expect(throttled?.extensions?.cost.throttleStatus.currentlyAvailable).toBe(2000 - 7 * 252);
    expect(throttled?.data).toBeUndefined();
    expect(throttled?.extensions?.cost.actualQueryCost).toBeNull();
    expect(rt.bucket.throttledCount).toBe(1);

    clock.advance(100); // 236 + 10 points: still short of 252
    expect(Array.isArray((await run()).errors)).toBe(true);
    clock.advance(1000); // + 100 points
    const again = await run();
    expect(again.errors).toBeUndefined();
    expect(again.extensions?.cost.throttleStatus.currentlyAvailable).toBe(
      2000 - 7 * 252 + 110 - 252,
    );

    s.setPlan(rt, "Plus");
    expect(rt.bucket.status()).toMatchObject({ maximumAvailable: 20000, restoreRate: 1000 });
    s.close();
  });
});

describe("connections", () => {
  const Q = `query($after: String, $q: String) { customers(first: 40, after: $after, query: $q) { edges { cursor node { id legacyResourceId } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }`;

  async function allIds(q?: string): Promise<number[]> {
    const ids: number[] = [];
    let after: string | null = null;
    for (;;) {
      const r = await gql(sim, token, Q, { after, q });
      const conn = at(r.json, "data", "customers") as {
        edges: { node: { legacyResourceId: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string; hasPreviousPage: boolean };
      };
      if (after) expect(conn.pageInfo.hasPreviousPage).toBe(true);
      ids.push(...conn.edges.map((e) => Number(e.node.legacyResourceId)));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    return ids;
  }

  it("pages forward through every customer exactly once, in id order", async () => {
    const ids = await allIds();
    const count = await gql(sim, token, "{ customersCount { count precision } }");
    expect(ids.length).toBe(at(count.json, "data", "customersCount", "count"));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it("filters with Shopify search syntax (id:>, updated_at:>)", async () => {
    const ids = await allIds();
    const pivot = ids[100] ?? 0;
    const after = await allIds(`id:>${pivot}`);
    expect(after).toEqual(ids.slice(101));
    const recent = await gql(
      sim,
      token,
      `{ orders(first: 250, query: "processed_at:>='2026-10-01T00:00:00Z'", sortKey: PROCESSED_AT) { nodes { processedAt } } }`,
    );
    const times = (at(recent.json, "data", "orders", "nodes") as { processedAt: string }[]).map(
      (n) => Date.parse(n.processedAt),
    );
    expect(times.length).toBeGreaterThan(0);
    expect(times.every((t) => t >= Date.parse("2026-10-01T00:00:00Z"))).toBe(true);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it("pages backwards with last/before", async () => {
    const first = await gql(sim, token, "{ orders(first: 5) { edges { cursor node { id } } } }");
    const edges = at(first.json, "data", "orders", "edges") as {
      cursor: string;
      node: { id: string };
    }[];
    const before = edges[4]?.cursor;
    const back = await gql(
      sim,
      token,
      `query($b: String) { orders(last: 2, before: $b) { nodes { id } pageInfo { hasPreviousPage hasNextPage } } }`,
      { b: before },
    );
    expect((at(back.json, "data", "orders", "nodes") as { id: string }[]).map((n) => n.id)).toEqual(
      [edges[2]?.node.id, edges[3]?.node.id],
    );
    expect(at(back.json, "data", "orders", "pageInfo")).toEqual({
      hasPreviousPage: true,
      hasNextPage: true,
    });
  });

  it("requires first or last", async () => {
    const r = await gql(sim, token, "{ customers { nodes { id } } }");
    const errs = r.json.errors;
    expect(Array.isArray(errs) && errs[0]?.message).toBe("you must provide one of first or last");
  });
});

describe("tagsAdd / tagsRemove", () => {
  const ADD = `mutation($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id ... on Customer { tags } } userErrors { field message } } }`;
  const REMOVE = `mutation($id: ID!, $tags: [String!]!) { tagsRemove(id: $id, tags: $tags) { node { id } userErrors { field message } } }`;
  let id: string;

  beforeAll(async () => {
    const r = await gql(sim, token, "{ customers(first: 1, reverse: true) { nodes { id } } }");
    id = (at(r.json, "data", "customers", "nodes", 0, "id") as string) ?? "";
  });

  async function tags(): Promise<string[]> {
    const r = await gql(sim, token, `query($id: ID!) { customer(id: $id) { tags } }`, { id });
    return at(r.json, "data", "customer", "tags") as string[];
  }

  it("normalises, de-duplicates case-insensitively, splits commas and keeps existing casing", async () => {
    await gql(sim, token, ADD, { id, tags: ["Propel: Champions", "  vip  "] });
    const r = await gql(sim, token, ADD, { id, tags: ["propel: champions", "VIP", "a, b", ""] });
    expect(at(r.json, "data", "tagsAdd", "userErrors")).toEqual([]);
    expect(await tags()).toEqual(["a", "b", "Propel: Champions", "vip"]);
    await gql(sim, token, REMOVE, { id, tags: ["PROPEL: CHAMPIONS", "a"] });
    expect(await tags()).toEqual(["b", "vip"]);
  });

  it("refuses more than 250 tags and tags over 255 characters, changing nothing", async () => {
    const many = Array.from({ length: 249 }, (_, i) => `t${i}`);
    const r = await gql(sim, token, ADD, { id, tags: many });
    expect(at(r.json, "data", "tagsAdd", "userErrors")).toEqual([
      { field: ["tags"], message: "Tags cannot be more than 250" },
    ]);
    const long = await gql(sim, token, ADD, { id, tags: ["x".repeat(256)] });
    expect((at(long.json, "data", "tagsAdd", "userErrors") as unknown[]).length).toBe(1);
    expect(await tags()).toEqual(["b", "vip"]);
    const res = await fetch(
      `${sim.url}/_sim/shops/${SHOP}/customers/${id.split("/").pop() ?? ""}/tags`,
    );
    expect(await res.json()).toEqual({ tags: ["b", "vip"] });
  });

  it("answers a missing customer with a userError", async () => {
    const r = await gql(sim, token, ADD, { id: "gid://shopify/Customer/1", tags: ["x"] });
    expect((at(r.json, "data", "tagsAdd", "userErrors") as unknown[]).length).toBe(1);
  });
});

describe("other mutations", () => {
  it("metafieldsSet, segmentCreate, discountCodeBasicCreate, flowTriggerReceive", async () => {
    const c = await gql(sim, token, "{ customers(first: 1) { nodes { id } } }");
    const ownerId = at(c.json, "data", "customers", "nodes", 0, "id") as string;
    const mf = await gql(
      sim,
      token,
      `mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { key namespace value } userErrors { message } } }`,
      {
        m: [
          {
            ownerId,
            namespace: "propel",
            key: "segment",
            type: "single_line_text_field",
            value: "CHAMPIONS",
          },
        ],
      },
    );
    expect(at(mf.json, "data", "metafieldsSet", "metafields", 0, "value")).toBe("CHAMPIONS");
    const read = await gql(
      sim,
      token,
      `query($id: ID!) { customer(id: $id) { metafield(namespace: "propel", key: "segment") { value } } }`,
      { id: ownerId },
    );
    expect(at(read.json, "data", "customer", "metafield", "value")).toBe("CHAMPIONS");

    const seg = await gql(
      sim,
      token,
      `mutation { segmentCreate(name: "Propel champions", query: "customer_tags CONTAINS 'propel:champions'") { segment { id name query } userErrors { message } } }`,
    );
    expect(at(seg.json, "data", "segmentCreate", "segment", "name")).toBe("Propel champions");

    const disc = await gql(
      sim,
      token,
      `mutation($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) { codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { title status codes(first: 1) { nodes { code } } } } } userErrors { field message code } } }`,
      {
        d: {
          title: "Win back",
          code: "COMEBACK15",
          startsAt: "2026-01-01T00:00:00Z",
          customerSelection: { all: true },
          customerGets: { value: { percentage: 0.15 }, items: { all: true } },
        },
      },
    );
    expect(
      at(
        disc.json,
        "data",
        "discountCodeBasicCreate",
        "codeDiscountNode",
        "codeDiscount",
        "codes",
        "nodes",
        0,
        "code",
      ),
    ).toBe("COMEBACK15");
    const dup = await gql(
      sim,
      token,
      `mutation($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) { userErrors { code } } }`,
      {
        d: {
          title: "x",
          code: "comeback15",
          customerSelection: { all: true },
          customerGets: { value: { percentage: 0.1 }, items: { all: true } },
        },
      },
    );
    expect(at(dup.json, "data", "discountCodeBasicCreate", "userErrors", 0, "code")).toBe("TAKEN");

    await gql(
      sim,
      token,
      `mutation { flowTriggerReceive(handle: "segment-entered", payload: { customer_id: 1, segment: "AT_RISK" }) { userErrors { message } } }`,
    );
    const triggers = (await (
      await fetch(`${sim.url}/_sim/shops/${SHOP}/flow-triggers`)
    ).json()) as { handle: string }[];
    expect(triggers.map((t) => t.handle)).toContain("segment-entered");
  });
});

describe("cursors on sorted connections", () => {
  it("seek by value: a row updated while paging by UPDATED_AT moves on instead of shifting pages", async () => {
    const Q = `query($after: String) { customers(first: 20, after: $after, sortKey: UPDATED_AT) { nodes { id updatedAt } pageInfo { hasNextPage endCursor } } }`;
    const first = await gql(sim, token, Q);
    const page1 = at(first.json, "data", "customers", "nodes") as {
      id: string;
      updatedAt: string;
    }[];
    const cursor = at(first.json, "data", "customers", "pageInfo", "endCursor") as string;
    // touch a customer from page 1: it now sorts last
    await gql(
      sim,
      token,
      `mutation($id: ID!) { tagsAdd(id: $id, tags: ["moved"]) { userErrors { message } } }`,
      { id: page1[0]?.id },
    );
    const seen: string[] = page1.map((n) => n.id);
    let after: string | null = cursor;
    while (after) {
      const r = await gql(sim, token, Q, { after });
      const nodes = at(r.json, "data", "customers", "nodes") as { id: string; updatedAt: string }[];
      seen.push(...nodes.map((n) => n.id));
      after = at(r.json, "data", "customers", "pageInfo", "hasNextPage")
        ? (at(r.json, "data", "customers", "pageInfo", "endCursor") as string)
        : null;
    }
    const count = at(
      (await gql(sim, token, "{ customersCount { count } }")).json,
      "data",
      "customersCount",
      "count",
    ) as number;
    // every customer once, plus the moved one again at the end (as with Shopify)
    expect(seen.length).toBe(count + 1);
    expect(new Set(seen).size).toBe(count);
    expect(seen[seen.length - 1]).toBe(page1[0]?.id);
  });
});
