/**
 * Recursive-descent parser. Grammar (keywords case-insensitive; AND binds tighter than OR):
 *
 *   rule       := or END
 *   or         := and ( "OR" and )*
 *   and        := unary ( "AND" unary )*
 *   unary      := "NOT" unary | "(" or ")" | condition
 *   condition  := field operator literal
 *               | field ["NOT"] "IN" "(" literal ( "," literal )* ")"
 *               | field "CONTAINS" literal
 *               | field "IS" ["NOT"] "NULL"
 *   literal    := number | string | TRUE | FALSE | identifier      (an identifier is an enum value)
 */
import type { FieldRef, Literal, RuleNode } from "./ast";
import { RuleError } from "./errors";
import { tokenize, type Keyword, type Token } from "./tokenizer";

export function parseRule(source: string): RuleNode {
  const tokens = tokenize(source);
  let index = 0;
  const peek = (): Token => tokens[index];
  const advance = (): Token => tokens[index++];
  const describe = (t: Token): string =>
    t.kind === "end"
      ? "end of rule"
      : t.kind === "keyword"
        ? t.keyword
        : t.kind === "identifier"
          ? `"${t.name}"`
          : t.kind === "number"
            ? t.text
            : t.kind === "string"
              ? `"${t.value}"`
              : t.kind === "operator"
                ? `"${t.operator}"`
                : `"${t.kind}"`;
  const fail = (message: string, t: Token = peek()): never => {
    throw new RuleError(`${message}, found ${describe(t)}`, t.position, source);
  };
  const isKeyword = (t: Token, keyword: Keyword) => t.kind === "keyword" && t.keyword === keyword;

  const parseOr = (): RuleNode => {
    let left = parseAnd();
    while (isKeyword(peek(), "OR")) {
      advance();
      left = { kind: "or", left, right: parseAnd(), position: left.position };
    }
    return left;
  };
  const parseAnd = (): RuleNode => {
    let left = parseUnary();
    while (isKeyword(peek(), "AND")) {
      advance();
      left = { kind: "and", left, right: parseUnary(), position: left.position };
    }
    return left;
  };
  const parseUnary = (): RuleNode => {
    const t = peek();
    if (isKeyword(t, "NOT")) {
      advance();
      return { kind: "not", operand: parseUnary(), position: t.position };
    }
    if (t.kind === "(") {
      advance();
      const inner = parseOr();
      if (peek().kind !== ")") fail(`expected ")" to close the "(" at column ${t.position + 1}`);
      advance();
      return inner;
    }
    return parseCondition();
  };
  const parseCondition = (): RuleNode => {
    const t = advance();
    if (t.kind !== "identifier") return fail("expected a field name", t);
    const field: FieldRef = { name: t.name, position: t.position };
    const next = peek();
    if (next.kind === "operator") {
      advance();
      return {
        kind: "compare",
        field,
        operator: next.operator,
        value: parseLiteral(),
        position: t.position,
      };
    }
    if (isKeyword(next, "NOT") || isKeyword(next, "IN")) {
      const negated = isKeyword(next, "NOT");
      advance();
      if (negated && !isKeyword(peek(), "IN")) fail(`expected IN after NOT`);
      if (negated) advance();
      if (peek().kind !== "(") fail(`expected "(" to start the IN list`);
      advance();
      const values = [parseLiteral()];
      while (peek().kind === ",") {
        advance();
        values.push(parseLiteral());
      }
      if (peek().kind !== ")") fail(`expected "," or ")" in the IN list`);
      advance();
      return { kind: "in", field, values, negated, position: t.position };
    }
    if (isKeyword(next, "CONTAINS")) {
      advance();
      return { kind: "contains", field, value: parseLiteral(), position: t.position };
    }
    if (isKeyword(next, "IS")) {
      advance();
      const negated = isKeyword(peek(), "NOT");
      if (negated) advance();
      if (!isKeyword(peek(), "NULL")) fail("expected NULL");
      advance();
      return { kind: "isNull", field, negated, position: t.position };
    }
    return fail(
      `expected an operator (=, !=, <, <=, >, >=, IN, CONTAINS, IS) after "${t.name}"`,
      next,
    );
  };
  const parseLiteral = (): Literal => {
    const t = advance();
    switch (t.kind) {
      case "number":
        return { kind: "number", value: t.value, position: t.position };
      case "string":
        return { kind: "string", value: t.value, position: t.position };
      case "identifier":
        return { kind: "symbol", name: t.name, position: t.position };
      case "keyword":
        if (t.keyword === "TRUE" || t.keyword === "FALSE") {
          return { kind: "boolean", value: t.keyword === "TRUE", position: t.position };
        }
        return fail("expected a value", t);
      default:
        return fail("expected a value", t);
    }
  };

  if (peek().kind === "end") fail("the rule is empty");
  const rule = parseOr();
  if (peek().kind !== "end") fail("expected AND, OR or the end of the rule");
  return rule;
}
