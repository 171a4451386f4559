/** Syntax tree of a rule. Every node remembers where it started, for error messages. */
import type { Operator } from "./tokenizer";

export type Literal =
  | { kind: "number"; value: number; position: number }
  | { kind: "string"; value: string; position: number }
  /** A bare word such as HIGH or CHAMPIONS: an enum value. */
  | { kind: "symbol"; name: string; position: number }
  | { kind: "boolean"; value: boolean; position: number };

export interface FieldRef {
  name: string;
  position: number;
}

export type RuleNode =
  | { kind: "or"; left: RuleNode; right: RuleNode; position: number }
  | { kind: "and"; left: RuleNode; right: RuleNode; position: number }
  | { kind: "not"; operand: RuleNode; position: number }
  | { kind: "compare"; field: FieldRef; operator: Operator; value: Literal; position: number }
  | { kind: "in"; field: FieldRef; values: Literal[]; negated: boolean; position: number }
  | { kind: "contains"; field: FieldRef; value: Literal; position: number }
  | { kind: "isNull"; field: FieldRef; negated: boolean; position: number };
