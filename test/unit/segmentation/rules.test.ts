import { describe, expect, it } from "vitest";
import { checkRule, compileRule, parseRule, RuleError, type RuleValue } from "~/segmentation/rules";

const EXAMPLE =
  'churnRisk = HIGH AND clv12m > 200 OR (rfmGroup IN (CHAMPIONS, LOYAL) AND NOT tags CONTAINS "vip")';

function reader(values: Record<string, RuleValue>) {
  return (field: string): RuleValue => values[field];
}

function errorOf(source: string): RuleError {
  try {
    compileRule(source);
  } catch (e) {
    if (e instanceof RuleError) return e;
    throw e;
  }
  throw new Error(`expected "${source}" to fail`);
}

describe("rule parser", () => {
  it("AND binds tighter than OR", () => {
    const ast = parseRule("orders > 1 OR orders < 5 AND totalSpend > 3");
    expect(ast.kind).toBe("or");
    if (ast.kind === "or") expect(ast.right.kind).toBe("and");
  });
  it("parses the example rule", () => {
    const ast = parseRule(EXAMPLE);
    expect(ast.kind).toBe("or");
    if (ast.kind === "or") {
      expect(ast.left.kind).toBe("and");
      expect(ast.right.kind).toBe("and");
    }
  });
  it("keywords are case-insensitive; NOT IN, IS NULL, single quotes and escapes", () => {
    expect(parseRule("rfmGroup not in (DORMANT) and leadingVendor = 'O\\'Neil'").kind).toBe("and");
    expect(parseRule("clv12m IS NOT NULL").kind).toBe("isNull");
  });
});

describe("rule evaluation", () => {
  const rule = compileRule(EXAMPLE);
  it("evaluates the example", () => {
    expect(
      rule.matches(reader({ churnRisk: "HIGH", clv12m: 250, rfmGroup: "DORMANT", tags: [] })),
    ).toBe(true);
    expect(
      rule.matches(reader({ churnRisk: "HIGH", clv12m: 150, rfmGroup: "DORMANT", tags: [] })),
    ).toBe(false);
    expect(
      rule.matches(
        reader({ churnRisk: "LOW", clv12m: 10, rfmGroup: "LOYAL", tags: ["wholesale"] }),
      ),
    ).toBe(true);
    // Tags compare case-insensitively, as in Shopify.
    expect(
      rule.matches(reader({ churnRisk: "LOW", clv12m: 10, rfmGroup: "LOYAL", tags: ["VIP"] })),
    ).toBe(false);
    expect(rule.fields.sort()).toEqual(["churnRisk", "clv12m", "rfmGroup", "tags"]);
  });
  it("missing values are unknown, not false (three-valued logic)", () => {
    const notHigh = compileRule("NOT churnRisk = HIGH");
    expect(notHigh.matches(reader({ churnRisk: null }))).toBe(false);
    expect(notHigh.matches(reader({ churnRisk: "LOW" }))).toBe(true);
    const either = compileRule("churnRisk = HIGH OR orders > 2");
    expect(either.matches(reader({ churnRisk: null, orders: 3 }))).toBe(true);
    expect(compileRule("clv12m IS NULL").matches(reader({ clv12m: null }))).toBe(true);
  });
  it("enum values are case-insensitive and metafields are dynamic", () => {
    expect(compileRule("churnRisk = high").matches(reader({ churnRisk: "HIGH" }))).toBe(true);
    const tier = compileRule('metafield.loyalty.tier = "gold" AND metafield.loyalty.points >= 100');
    expect(
      tier.matches(reader({ "metafield.loyalty.tier": "Gold", "metafield.loyalty.points": 120 })),
    ).toBe(true);
    expect(tier.matches(reader({ "metafield.loyalty.tier": "Gold" }))).toBe(false);
  });
});

describe("rule errors point at the problem", () => {
  it.each([
    ["churnRisk = HIGH AND clv > 200", /unknown field "clv"/, 21],
    ["churnRisk = HIHG", /"?HIHG"? is not a value of churnRisk/, 12],
    ["churnRisk = HIGH AND (orders > 2", /expected "\)"/, 32],
    ['tags CONTAINS "vip', /unterminated string/, 14],
    ["orders > ", /expected a value/, 9],
    ["orders >> 2", /expected a value/, 8],
    ["rfmGroup > CHAMPIONS", /compares numbers/, 0],
    ['tags = "vip"', /is a list; use CONTAINS/, 0],
    ["orders > 2 totalSpend > 3", /expected AND, OR or the end/, 11],
    ["", /empty/, 0],
    ["orders = 'two'", /is a number/, 9],
    ["emailConsent = 1", /true or false/, 15],
    ["orders # 3", /unexpected character "#"/, 7],
  ])("%s", (source, message, position) => {
    const error = errorOf(source);
    expect(error.message).toMatch(message);
    expect(error.position).toBe(position);
    expect(error.column).toBe(position + 1);
    expect(error.pointer().split("\n")[1]).toBe(`${" ".repeat(position)}^`);
  });
  it("suggests a field with different capitalisation", () => {
    expect(errorOf("CLV12M > 3").message).toMatch(/did you mean "clv12m"/);
  });
  it("reports line and column in multi-line rules", () => {
    const error = errorOf("orders > 2\nAND churnRisk = NOPE");
    expect(error.line).toBe(2);
    expect(error.column).toBe(17);
  });
  it("checkRule returns errors instead of throwing", () => {
    const result = checkRule("orders >");
    expect(result.ok).toBe(false);
    expect(checkRule(EXAMPLE).ok).toBe(true);
  });
});
