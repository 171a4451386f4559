/**
 * Tokenizer of the custom-segment rule language. Words are case-insensitive keywords (AND, OR,
 * NOT, IN, CONTAINS, IS, NULL, TRUE, FALSE) or identifiers (letters, digits, `_` and `.`, so
 * `metafield.loyalty.tier` is one identifier). Strings are in double or single quotes with
 * backslash escapes. Numbers are decimal, optionally negative.
 */
import { RuleError } from "./errors";

export type Keyword = "AND" | "OR" | "NOT" | "IN" | "CONTAINS" | "IS" | "NULL" | "TRUE" | "FALSE";
export type Operator = "=" | "!=" | "<" | "<=" | ">" | ">=";

export type Token =
  | { kind: "keyword"; keyword: Keyword; position: number }
  | { kind: "identifier"; name: string; position: number }
  | { kind: "number"; value: number; text: string; position: number }
  | { kind: "string"; value: string; position: number }
  | { kind: "operator"; operator: Operator; position: number }
  | { kind: "("; position: number }
  | { kind: ")"; position: number }
  | { kind: ","; position: number }
  | { kind: "end"; position: number };

const KEYWORDS: ReadonlySet<string> = new Set([
  "AND",
  "OR",
  "NOT",
  "IN",
  "CONTAINS",
  "IS",
  "NULL",
  "TRUE",
  "FALSE",
]);

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "(" || ch === ")" || ch === ",") {
      tokens.push({ kind: ch, position: start });
      i++;
    } else if (ch === '"' || ch === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= source.length) throw new RuleError("unterminated string", start, source);
        const c = source[i];
        if (c === ch) break;
        if (c === "\\") {
          const next = source[i + 1];
          if (next === undefined) throw new RuleError("unterminated string", start, source);
          value += next === "n" ? "\n" : next === "t" ? "\t" : next;
          i += 2;
        } else {
          value += c;
          i++;
        }
      }
      i++;
      tokens.push({ kind: "string", value, position: start });
    } else if (/[0-9]/.test(ch) || (ch === "-" && /[0-9.]/.test(source[i + 1] ?? ""))) {
      const m = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i));
      if (m === null) throw new RuleError(`malformed number`, start, source);
      i += m[0].length;
      if (/[A-Za-z_]/.test(source[i] ?? ""))
        throw new RuleError(`malformed number "${m[0]}${source[i]}"`, start, source);
      tokens.push({ kind: "number", value: Number(m[0]), text: m[0], position: start });
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(source.slice(i));
      const word = m === null ? ch : m[0];
      i += word.length;
      const upper = word.toUpperCase();
      if (KEYWORDS.has(upper))
        tokens.push({ kind: "keyword", keyword: upper as Keyword, position: start });
      else tokens.push({ kind: "identifier", name: word, position: start });
    } else if ("=!<>".includes(ch)) {
      const two = source.slice(i, i + 2);
      const operator: Operator | undefined =
        two === "!=" || two === "<>"
          ? "!="
          : two === "<="
            ? "<="
            : two === ">="
              ? ">="
              : two === "=="
                ? "="
                : ch === "=" || ch === "<" || ch === ">"
                  ? ch
                  : undefined;
      if (operator === undefined)
        throw new RuleError(`unexpected character "${ch}"`, start, source);
      i += two === "!=" || two === "<>" || two === "<=" || two === ">=" || two === "==" ? 2 : 1;
      tokens.push({ kind: "operator", operator, position: start });
    } else {
      throw new RuleError(`unexpected character "${ch}"`, start, source);
    }
  }
  tokens.push({ kind: "end", position: source.length });
  return tokens;
}
