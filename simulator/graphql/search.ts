/**
 * Shopify search syntax for `query:` arguments: `field:value`, comparators `:>`, `:>=`, `:<`,
 * `:<=`, quoted values, implicit AND, `AND`, `OR`, `NOT`/`-`, parentheses, `*` prefix
 * wildcards and free text. Unknown fields are ignored with a warning, as Shopify does.
 */

export type Op = "=" | ">" | ">=" | "<" | "<=";
export type FieldValue = string | number | boolean | null | readonly string[];

export type SearchNode =
  | { kind: "and"; items: SearchNode[] }
  | { kind: "or"; items: SearchNode[] }
  | { kind: "not"; item: SearchNode }
  | { kind: "term"; field: string | null; op: Op; value: string };

export interface SearchWarning {
  field: string;
  message: string;
}

type Token = { t: "word"; v: string; quoted: boolean } | { t: "(" } | { t: ")" };

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const ch = q.charAt(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "(" || ch === ")") {
      out.push({ t: ch });
      i++;
      continue;
    }
    let v = "";
    let quoted = false;
    while (i < q.length && !/[\s()]/.test(q.charAt(i))) {
      const c = q.charAt(i);
      if (c === "'" || c === '"') {
        quoted = true;
        const end = q.indexOf(c, i + 1);
        const stop = end < 0 ? q.length : end;
        v += q.slice(i + 1, stop);
        i = stop + 1;
      } else {
        v += c;
        i++;
      }
    }
    out.push({ t: "word", v, quoted });
  }
  return out;
}

export function parseSearch(q: string): SearchNode {
  const tokens = tokenize(q);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (tok: Token | undefined, w: string): boolean =>
    tok !== undefined && tok.t === "word" && !tok.quoted && tok.v === w;

  function parseOr(): SearchNode {
    const items = [parseAnd()];
    while (isWord(peek(), "OR")) {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? (items[0] as SearchNode) : { kind: "or", items };
  }
  function parseAnd(): SearchNode {
    const items: SearchNode[] = [];
    for (;;) {
      const tok = peek();
      if (!tok || tok.t === ")" || isWord(tok, "OR")) break;
      if (isWord(tok, "AND")) {
        pos++;
        continue;
      }
      items.push(parseUnary());
    }
    return items.length === 1 ? (items[0] as SearchNode) : { kind: "and", items };
  }
  function parseUnary(): SearchNode {
    const tok = peek();
    if (isWord(tok, "NOT")) {
      pos++;
      return { kind: "not", item: parseUnary() };
    }
    if (tok && tok.t === "(") {
      pos++;
      const inner = parseOr();
      if (peek()?.t === ")") pos++;
      return inner;
    }
    pos++;
    if (!tok || tok.t !== "word") return { kind: "and", items: [] };
    let word = tok.v;
    if (!tok.quoted && word.startsWith("-") && word.length > 1) {
      return { kind: "not", item: termOf(word.slice(1)) };
    }
    return termOf(word);
    function termOf(w: string): SearchNode {
      word = w;
      const m = word.match(/^([a-zA-Z_][\w.]*):(>=|<=|>|<|=)?(.*)$/);
      if (!m) return { kind: "term", field: null, op: "=", value: word };
      return {
        kind: "term",
        field: (m[1] ?? "").toLowerCase(),
        op: (m[2] as Op | undefined) ?? "=",
        value: m[3] ?? "",
      };
    }
  }
  const root = parseOr();
  return root;
}

export type FieldGetter<R> = (row: R) => FieldValue;
export interface SearchSpec<R> {
  fields: Record<
    string,
    { get: FieldGetter<R>; type: "string" | "number" | "date" | "boolean" | "tags" }
  >;
  text: (row: R) => string[];
}

function cmp(a: number, op: Op, b: number): boolean {
  switch (op) {
    case "=":
      return a === b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
  }
}

function parseDate(v: string, now: number): number {
  const lower = v.toLowerCase();
  if (lower === "now") return now;
  if (lower === "today") return Math.floor(now / 86_400_000) * 86_400_000;
  const rel = lower.match(/^-(\d+)(d|w|m|y)$/);
  if (rel) {
    const unit = { d: 1, w: 7, m: 30, y: 365 }[rel[2] as "d" | "w" | "m" | "y"];
    return now - Number(rel[1]) * unit * 86_400_000;
  }
  return Date.parse(v);
}

function strMatch(actual: string, wanted: string): boolean {
  const a = actual.toLowerCase();
  const w = wanted.toLowerCase();
  return w.endsWith("*") ? a.startsWith(w.slice(0, -1)) : a === w;
}

/** Compile a search string into a row predicate (plus warnings for ignored fields). */
export function compileSearch<R>(
  query: string | null | undefined,
  spec: SearchSpec<R>,
  now: number,
): { match: (row: R) => boolean; warnings: SearchWarning[] } {
  const warnings: SearchWarning[] = [];
  if (!query || !query.trim()) return { match: () => true, warnings };
  const ast = parseSearch(query);
  const build = (n: SearchNode): ((row: R) => boolean) => {
    if (n.kind === "and" || n.kind === "or") {
      const fs = n.items.map(build);
      return n.kind === "and" ? (r) => fs.every((f) => f(r)) : (r) => fs.some((f) => f(r));
    }
    if (n.kind === "not") {
      const f = build(n.item);
      return (r) => !f(r);
    }
    if (n.field === null) {
      const v = n.value.toLowerCase();
      if (!v) return () => true;
      return (r) => spec.text(r).some((s) => s.toLowerCase().includes(v));
    }
    const field = spec.fields[n.field];
    if (!field) {
      warnings.push({ field: n.field, message: "Invalid search field for this query." });
      return () => true;
    }
    const { get, type } = field;
    const op = n.op;
    const raw = n.value;
    if (type === "number" || type === "date") {
      const target = type === "date" ? parseDate(raw, now) : Number(raw);
      if (Number.isNaN(target)) {
        warnings.push({ field: n.field, message: `Invalid value for ${n.field}.` });
        return () => false;
      }
      return (r) => {
        const v = get(r);
        return typeof v === "number" && !Number.isNaN(v) && cmp(v, op, target);
      };
    }
    if (type === "boolean") {
      const want = raw.toLowerCase() === "true";
      return (r) => get(r) === want;
    }
    if (type === "tags") {
      return (r) => {
        const v = get(r);
        return Array.isArray(v) && v.some((t: string) => strMatch(t, raw));
      };
    }
    return (r) => {
      const v = get(r);
      if (raw === "*") return v !== null && v !== "";
      return typeof v === "string" && strMatch(v, raw);
    };
  };
  return { match: build(ast), warnings };
}
