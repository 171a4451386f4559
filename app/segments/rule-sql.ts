/**
 * A custom-segment rule as a SQL condition over a shop's latest metrics, so the segment builder
 * can count and sample a rule's customers in one query instead of loading a million customers
 * into the engine. The condition must select exactly the customers the engine's evaluator
 * (app/segmentation/rules/compile.ts, reading values as engine.ts `readField` does) would put in
 * the segment; test/integration/rule-sql.test.ts checks that equality on a recomputed shop.
 *
 * Assumptions:
 *  - the query aliases "CustomerMetrics" as `cm` and "Customer" as `c` (tags, email consent);
 *  - the shop's model time unit is the day (the app's), so `recency` and `age` are the stored
 *    day counts;
 *  - three-valued logic is SQL's own: a missing value makes a comparison NULL, and WHERE keeps a
 *    customer only when the condition is true, as the evaluator's `matches` does;
 *  - money is stored in minor units: dividing by 10^exponent in double precision gives the same
 *    numbers as `minorToMajor`. CLV and expected spend are stored rounded to the minor unit, so
 *    a threshold within half a cent of a customer's value may differ from the engine's unrounded
 *    value until the next recompute (which evaluates the saved rule itself);
 *  - customer metafields are not loaded by the app's recompute, so `metafield.*` is missing for
 *    every customer there, and here.
 * The rule is type-checked by `compileRule` first; literals only ever travel as parameters.
 */
import { currencyExponent } from "~/segmentation/money";
import { compileRule, type Literal, type RuleNode } from "~/segmentation/rules";

export interface RuleSql {
  /** A boolean SQL expression over `cm` and `c`. */
  condition: string;
  params: unknown[];
}

const ordered = (expression: string) => `(CASE WHEN cm."orders" > 0 THEN ${expression} END)`;
const detail = (key: string) => `(cm."details"->>'${key}')`;
const detailNumber = (key: string) => `${detail(key)}::float8`;

/** SQL of each field's value, as the engine reads it for a rule. */
function fieldExpressions(scale: number): Record<string, string> {
  const major = (minor: string) => `(${minor}::float8 / ${scale}::float8)`;
  return {
    orders: `cm."orders"`,
    frequency: ordered(`cm."frequency"`),
    recency: ordered(`cm."recencyDays"`),
    age: ordered(`cm."ageDays"`),
    daysSinceLast: ordered(detailNumber("daysSinceLast")),
    totalSpend: major(`cm."totalSpentMinor"`),
    aov: ordered(`(cm."totalSpentMinor"::float8 / cm."orders" / ${scale}::float8)`),
    discountShare: ordered(detailNumber("discountShare")),
    discountDepth: ordered(detailNumber("discountDepth")),
    refundShare: ordered(detailNumber("refundShare")),
    valueTrend: ordered(detailNumber("valueTrend")),
    rfmR: ordered(`cm."rScore"`),
    rfmF: ordered(`cm."fScore"`),
    rfmM: ordered(`cm."mScore"`),
    rfmGroup: `cm."rfmGroup"`,
    priceTier: ordered(detailNumber("priceTier")),
    fxvCell: `cm."fxvCell"`,
    valueType: `cm."valueType"`,
    pAlive: `cm."pAlive"`,
    expectedPurchases: `cm."expectedPurchases"`,
    churnRisk: `cm."churnRisk"`,
    expectedSpend: major(detail("expectedSpendMinor")),
    clv12m: major(`cm."clv12mMinor"`),
    spendTier: `cm."spendTier"`,
    propensity: `cm."propensity"`,
    leadingProductType: detail("leadingProductType"),
    leadingVendor: detail("leadingVendor"),
    tags: `c."tags"`,
    emailConsent: `(CASE WHEN c."emailMarketingState" IS NULL THEN NULL
                    ELSE c."emailMarketingState" = 'SUBSCRIBED' END)`,
  };
}

const NUMBER_FIELDS = new Set([
  "orders",
  "frequency",
  "recency",
  "age",
  "daysSinceLast",
  "totalSpend",
  "aov",
  "discountShare",
  "discountDepth",
  "refundShare",
  "valueTrend",
  "rfmR",
  "rfmF",
  "rfmM",
  "priceTier",
  "pAlive",
  "expectedPurchases",
  "expectedSpend",
  "clv12m",
  "propensity",
]);

/**
 * Translates a rule to SQL. Throws the rule's `RuleError` when it does not parse or type-check.
 * `firstParam` is the number of the first `$n` placeholder the condition may use.
 */
export function ruleToSql(
  source: string,
  options: { currency: string; firstParam: number },
): RuleSql {
  const { ast } = compileRule(source);
  const expressions = fieldExpressions(10 ** currencyExponent(options.currency));
  const params: unknown[] = [];
  const param = (value: unknown, cast: string): string => {
    params.push(value);
    return `$${options.firstParam + params.length - 1}::${cast}`;
  };
  const literalValue = (literal: Literal): string | number | boolean =>
    literal.kind === "symbol" ? literal.name : literal.value;

  /** NULL for a field whose value is missing for every customer in the app (metafields). */
  const field = (name: string): string | null => expressions[name] ?? null;

  const build = (node: RuleNode): string => {
    switch (node.kind) {
      case "or":
        return `(${build(node.left)} OR ${build(node.right)})`;
      case "and":
        return `(${build(node.left)} AND ${build(node.right)})`;
      case "not":
        return `(NOT ${build(node.operand)})`;
      case "isNull": {
        const expression = field(node.field.name) ?? "NULL";
        return `(${expression} IS ${node.negated ? "NOT " : ""}NULL)`;
      }
      case "compare": {
        const expression = field(node.field.name);
        if (expression === null) return "(NULL::boolean)";
        const value = literalValue(node.value);
        if (NUMBER_FIELDS.has(node.field.name))
          return `(${expression} ${sqlOperator(node.operator)} ${param(value, "float8")})`;
        if (typeof value === "boolean")
          return `(${expression} ${sqlOperator(node.operator)} ${param(value, "boolean")})`;
        // Text and enum values compare case-insensitively, as the evaluator's `equal` does.
        return `(upper(${expression}) ${sqlOperator(node.operator)} upper(${param(String(value), "text")}))`;
      }
      case "in": {
        const expression = field(node.field.name);
        if (expression === null) return "(NULL::boolean)";
        const numeric = NUMBER_FIELDS.has(node.field.name);
        const options = node.values
          .map((v) => literalValue(v))
          .map((v) => (numeric ? param(v, "float8") : `upper(${param(String(v), "text")})`));
        const inList = `${numeric ? expression : `upper(${expression})`} IN (${options.join(", ")})`;
        return node.negated ? `(NOT (${inList}))` : `(${inList})`;
      }
      case "contains": {
        const expression = field(node.field.name);
        if (expression === null) return "(NULL::boolean)";
        const needle = param(String(literalValue(node.value)).toLowerCase(), "text");
        // Tags match whole and case-insensitively, as Shopify treats them; text by substring.
        if (node.field.name === "tags")
          return `(EXISTS (SELECT 1 FROM unnest(${expression}) AS tag WHERE lower(tag) = ${needle}))`;
        return `(strpos(lower(${expression}), ${needle}) > 0)`;
      }
    }
  };
  return { condition: build(ast), params };
}

function sqlOperator(operator: string): string {
  return operator === "!=" ? "<>" : operator;
}
