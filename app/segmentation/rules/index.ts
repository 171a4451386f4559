/**
 * Custom segments: a small, safe rule language over the computed metrics, e.g.
 *
 *   churnRisk = HIGH AND clv12m > 200 OR (rfmGroup IN (CHAMPIONS, LOYAL) AND NOT tags CONTAINS "vip")
 *
 * tokenizer.ts → parser.ts (recursive descent to ast.ts) → compile.ts (type check against
 * fields.ts, then a predicate). Nothing is ever evaluated as code.
 */
export {
  compileRule,
  checkRule,
  type CompiledRule,
  type FieldReader,
  type RuleValue,
} from "./compile";
export { RuleError } from "./errors";
export { RULE_FIELDS, lookupField, type FieldSpec, type FieldType } from "./fields";
export { parseRule } from "./parser";
export type { RuleNode, Literal } from "./ast";
