/**
 * Type-checks a parsed rule against the field schema and turns it into a predicate. Checking
 * happens once, when the merchant saves the rule, so evaluation over a million customers is a
 * tree of small closures with no type tests left.
 *
 * Missing values (a model was skipped, a metafield is not set) follow three-valued logic as in
 * SQL: a comparison with a missing value is *unknown*, NOT unknown is unknown, false AND unknown
 * is false, true OR unknown is true, and a customer is in the segment only if the rule is true.
 */
import type { FieldRef, Literal, RuleNode } from "./ast";
import { RuleError } from "./errors";
import { lookupField, RULE_FIELDS, type FieldSpec } from "./fields";
import { parseRule } from "./parser";
import type { Operator } from "./tokenizer";

export type RuleValue = number | string | boolean | readonly string[] | null | undefined;
/** Supplies a customer's value for a field name. */
export type FieldReader = (field: string) => RuleValue;
type Truth = boolean | null;
type Predicate = (read: FieldReader) => Truth;

export interface CompiledRule {
  source: string;
  ast: RuleNode;
  /** The fields the rule reads (so callers compute only what is needed). */
  fields: string[];
  matches(read: FieldReader): boolean;
}

export function compileRule(
  source: string,
  fields: Readonly<Record<string, FieldSpec>> = RULE_FIELDS,
): CompiledRule {
  const ast = parseRule(source);
  const used = new Set<string>();
  const fail = (message: string, position: number): never => {
    throw new RuleError(message, position, source);
  };

  const resolve = (ref: FieldRef): FieldSpec => {
    const spec = lookupField(ref.name, fields);
    if (spec === undefined) {
      const suggestion = Object.keys(fields).find(
        (k) => k.toLowerCase() === ref.name.toLowerCase(),
      );
      fail(
        `unknown field "${ref.name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ""}`,
        ref.position,
      );
    }
    used.add(ref.name);
    return spec as FieldSpec;
  };

  /** Checks a literal against the field's type and returns its canonical value. */
  const literalFor = (
    ref: FieldRef,
    spec: FieldSpec,
    literal: Literal,
  ): number | string | boolean => {
    const type = spec.type;
    const shown = literal.kind === "symbol" ? literal.name : JSON.stringify(literal.value);
    switch (type.kind) {
      case "number":
        if (literal.kind !== "number")
          fail(`${ref.name} is a number; ${shown} is not`, literal.position);
        return (literal as { value: number }).value;
      case "enum": {
        const text =
          literal.kind === "symbol"
            ? literal.name
            : literal.kind === "string"
              ? literal.value
              : undefined;
        const match =
          text === undefined
            ? undefined
            : type.values.find((v) => v.toUpperCase() === text.toUpperCase());
        if (match === undefined) {
          fail(
            `${shown} is not a value of ${ref.name} (expected one of ${type.values.join(", ")})`,
            literal.position,
          );
        }
        return match as string;
      }
      case "string":
      case "stringList":
        if (literal.kind !== "string") {
          fail(
            `${ref.name} holds text; write the value in quotes, e.g. "${shown}"`,
            literal.position,
          );
        }
        return (literal as { value: string }).value;
      case "boolean":
        if (literal.kind !== "boolean")
          fail(`${ref.name} is true or false; ${shown} is neither`, literal.position);
        return (literal as { value: boolean }).value;
      case "dynamic":
        return literal.kind === "symbol" ? literal.name : literal.value;
    }
  };

  const build = (node: RuleNode): Predicate => {
    switch (node.kind) {
      case "or": {
        const left = build(node.left);
        const right = build(node.right);
        return (read) => {
          const a = left(read);
          if (a === true) return true;
          const b = right(read);
          return b === true ? true : a === false && b === false ? false : null;
        };
      }
      case "and": {
        const left = build(node.left);
        const right = build(node.right);
        return (read) => {
          const a = left(read);
          if (a === false) return false;
          const b = right(read);
          return b === false ? false : a === true && b === true ? true : null;
        };
      }
      case "not": {
        const operand = build(node.operand);
        return (read) => {
          const a = operand(read);
          return a === null ? null : !a;
        };
      }
      case "isNull": {
        resolve(node.field);
        const name = node.field.name;
        return (read) => {
          const v = read(name);
          const missing =
            v === null || v === undefined || (typeof v === "number" && Number.isNaN(v));
          return node.negated ? !missing : missing;
        };
      }
      case "compare": {
        const spec = resolve(node.field);
        const kind = spec.type.kind;
        if (kind === "stringList") {
          fail(
            `${node.field.name} is a list; use CONTAINS, e.g. ${node.field.name} CONTAINS "vip"`,
            node.position,
          );
        }
        const ordering = node.operator !== "=" && node.operator !== "!=";
        if (ordering && kind !== "number" && kind !== "dynamic") {
          fail(
            `${node.operator} compares numbers, but ${node.field.name} is not a number`,
            node.position,
          );
        }
        const expected = literalFor(node.field, spec, node.value);
        return comparison(node.field.name, node.operator, expected);
      }
      case "in": {
        const spec = resolve(node.field);
        if (spec.type.kind === "stringList" || spec.type.kind === "boolean") {
          fail(`IN is not available for ${node.field.name}`, node.position);
        }
        const options = node.values.map((v) => literalFor(node.field, spec, v));
        const name = node.field.name;
        return (read) => {
          const v = read(name);
          if (v === null || v === undefined || Array.isArray(v)) return null;
          const found = options.some((o) => equal(v as number | string | boolean, o));
          return node.negated ? !found : found;
        };
      }
      case "contains": {
        const spec = resolve(node.field);
        if (
          spec.type.kind !== "stringList" &&
          spec.type.kind !== "string" &&
          spec.type.kind !== "dynamic"
        ) {
          fail(`CONTAINS needs a text or list field; ${node.field.name} is neither`, node.position);
        }
        if (node.value.kind !== "string") {
          fail(`CONTAINS needs a quoted text value`, node.value.position);
        }
        const needle = (node.value as { value: string }).value.toLowerCase();
        const name = node.field.name;
        // Shopify treats tags case-insensitively, and so do we for every CONTAINS.
        return (read) => {
          const v = read(name);
          if (v === null || v === undefined) return null;
          if (Array.isArray(v)) return v.some((tag) => tag.toLowerCase() === needle);
          return String(v).toLowerCase().includes(needle);
        };
      }
    }
  };

  const predicate = build(ast);
  return { source, ast, fields: [...used], matches: (read) => predicate(read) === true };
}

function equal(value: number | string | boolean, expected: number | string | boolean): boolean {
  if (typeof value === "string" && typeof expected === "string")
    return value.toUpperCase() === expected.toUpperCase();
  if (typeof expected === "number" && typeof value === "string") return Number(value) === expected;
  return value === expected;
}

function comparison(
  name: string,
  operator: Operator,
  expected: number | string | boolean,
): Predicate {
  return (read) => {
    const raw = read(name);
    if (raw === null || raw === undefined || Array.isArray(raw)) return null;
    const value = raw as number | string | boolean;
    if (typeof value === "number" && Number.isNaN(value)) return null;
    if (operator === "=") return equal(value, expected);
    if (operator === "!=") return !equal(value, expected);
    const a = typeof value === "number" ? value : Number(value);
    const b = typeof expected === "number" ? expected : Number(expected);
    if (Number.isNaN(a) || Number.isNaN(b)) return null;
    switch (operator) {
      case "<":
        return a < b;
      case "<=":
        return a <= b;
      case ">":
        return a > b;
      default:
        return a >= b;
    }
  };
}

/** Validates a rule without keeping it: `{ ok: true }` or the first error with its position. */
export function checkRule(
  source: string,
  fields: Readonly<Record<string, FieldSpec>> = RULE_FIELDS,
): { ok: true; fields: string[] } | { ok: false; error: RuleError } {
  try {
    return { ok: true, fields: compileRule(source, fields).fields };
  } catch (e) {
    if (e instanceof RuleError) return { ok: false, error: e };
    throw e;
  }
}
