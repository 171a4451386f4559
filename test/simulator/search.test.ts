import { describe, expect, it } from "vitest";
import { compileSearch, parseSearch, type SearchSpec } from "../../simulator/graphql/search.js";
import { compileSegmentQuery } from "../../simulator/model/segment-query.js";
import { generateStore } from "../../simulator/data/generator.js";

interface Row {
  id: number;
  email: string;
  tags: string[];
  updated: number;
}
const rows: Row[] = [
  { id: 1, email: "a@example.com", tags: ["VIP"], updated: Date.parse("2026-01-01T00:00:00Z") },
  { id: 2, email: "b@example.com", tags: [], updated: Date.parse("2026-03-01T00:00:00Z") },
  {
    id: 3,
    email: "c@shop.test",
    tags: ["vip", "wholesale"],
    updated: Date.parse("2026-05-01T00:00:00Z"),
  },
];
const spec: SearchSpec<Row> = {
  fields: {
    id: { type: "number", get: (r) => r.id },
    email: { type: "string", get: (r) => r.email },
    tag: { type: "tags", get: (r) => r.tags },
    updated_at: { type: "date", get: (r) => r.updated },
  },
  text: (r) => [r.email],
};
const ids = (q: string): number[] =>
  rows.filter(compileSearch(q, spec, Date.now()).match).map((r) => r.id);

describe("Shopify search syntax", () => {
  it("parses comparators, quotes, AND/OR/NOT and parentheses", () => {
    expect(parseSearch("updated_at:>'2026-01-01T00:00:00Z' tag:vip")).toEqual({
      kind: "and",
      items: [
        { kind: "term", field: "updated_at", op: ">", value: "2026-01-01T00:00:00Z" },
        { kind: "term", field: "tag", op: "=", value: "vip" },
      ],
    });
    expect(ids("id:>1")).toEqual([2, 3]);
    expect(ids("id:>=2 AND id:<3")).toEqual([2]);
    expect(ids("tag:vip")).toEqual([1, 3]);
    expect(ids("-tag:vip")).toEqual([2]);
    expect(ids("NOT tag:wholesale")).toEqual([1, 2]);
    expect(ids("id:1 OR email:c*")).toEqual([1, 3]);
    expect(ids("(id:1 OR id:2) tag:vip")).toEqual([1]);
    expect(ids(`updated_at:>"2026-02-01T00:00:00Z"`)).toEqual([2, 3]);
    expect(ids("example.com")).toEqual([1, 2]);
  });

  it("ignores unknown fields with a warning, as Shopify does", () => {
    const { match, warnings } = compileSearch("colour:red id:2", spec, Date.now());
    expect(rows.filter(match).map((r) => r.id)).toEqual([2]);
    expect(warnings).toEqual([
      { field: "colour", message: "Invalid search field for this query." },
    ]);
  });
});

describe("segment queries", () => {
  it("evaluates tag, consent and metric conditions", () => {
    const store = generateStore(
      { domain: "seg.myshopify.com" },
      { seed: 1, customers: 50, now: Date.parse("2026-11-01T00:00:00Z") },
    );
    store.setTags(3, ["propel:at-risk"], Date.now());
    const tagged = compileSegmentQuery("customer_tags CONTAINS 'propel:at-risk'");
    expect(tagged).not.toBeNull();
    const members = Array.from({ length: store.customerRows }, (_, c) => c).filter((c) =>
      tagged?.(store, c),
    );
    expect(members).toEqual([3]);
    const not = compileSegmentQuery(
      "customer_tags NOT CONTAINS 'propel:at-risk' AND number_of_orders >= 0",
    );
    expect(not?.(store, 3)).toBe(false);
    expect(not?.(store, 4)).toBe(true);
    expect(compileSegmentQuery("rfm_group = 'CHAMPIONS'")).toBeNull();
  });
});
