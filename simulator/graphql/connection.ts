/**
 * Relay connections over row indexes: `first/last/after/before/reverse`, `edges{cursor node}`,
 * `nodes`, `pageInfo`. Cursors are opaque base64 JSON like Shopify's
 * (`{"last_id":123,"last_value":"…"}`).
 */
import { GraphQLError } from "graphql";

export const MAX_PAGE_SIZE = 250;

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  reverse?: boolean | null;
}

export interface Ordering {
  /** Number of positions. */
  size: number;
  /** Row at a position. */
  at(pos: number): number;
  /** Position of a row (or -1). */
  posOf(row: number): number;
  /** Sort key of a row (sorted orderings): cursors then seek by value, like Shopify's. */
  key?(row: number): number;
  /** Positions whose (key, row) sorts below (inclusive: at or below) the given pair. */
  rank?(key: number, row: number, inclusive: boolean): number;
}

export interface CursorPayload {
  last_id: number;
  last_value: string | number;
  /** numeric sort key (simulator detail; cursors are opaque) */
  k?: number;
}

export function encodeCursor(p: CursorPayload): string {
  return Buffer.from(JSON.stringify(p)).toString("base64");
}

export function decodeCursor(cursor: string): CursorPayload {
  try {
    const p = JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as Partial<CursorPayload>;
    if (typeof p.last_id === "number") {
      const k = typeof p.k === "number" ? { k: p.k } : {};
      return { last_id: p.last_id, last_value: p.last_value ?? p.last_id, ...k };
    }
  } catch {
    // fall through
  }
  throw new GraphQLError(`Invalid cursor for current pagination sort.`, {
    extensions: { code: "BAD_REQUEST" },
  });
}

export function checkPageArgs(args: ConnectionArgs, bulk: boolean): void {
  if (bulk) return;
  if (args.first == null && args.last == null) {
    throw new GraphQLError("you must provide one of first or last", {
      extensions: { code: "BAD_REQUEST" },
    });
  }
  for (const k of ["first", "last"] as const) {
    const v = args[k];
    if (v != null && (v < 0 || v > MAX_PAGE_SIZE)) {
      throw new GraphQLError(
        `${k} cannot exceed ${MAX_PAGE_SIZE}. To query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
        { extensions: { code: "BAD_REQUEST" } },
      );
    }
  }
}

export interface Page<N> {
  edges: { cursor: string; node: N }[];
  nodes: N[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

// No function is made per call below: under tsx (esbuild's keepNames) each arrow function kept
// in a variable is renamed through Object.defineProperty as it is made, and paginate runs for
// every order of a bulk query (its line items).

function logicalAt(ordering: Ordering, rev: boolean, k: number): number {
  return ordering.at(rev ? ordering.size - 1 - k : k);
}

function cursorPos(
  ordering: Ordering,
  rev: boolean,
  rowFromId: (id: number) => number,
  c: string,
): number {
  const payload = decodeCursor(c);
  const row = rowFromId(payload.last_id);
  const p = row < 0 ? -1 : ordering.posOf(row);
  const logical = p < 0 ? -1 : rev ? ordering.size - 1 - p : p;
  if (logical < 0)
    throw new GraphQLError("Invalid cursor for current pagination sort.", {
      extensions: { code: "BAD_REQUEST" },
    });
  return logical;
}

// Sorted orderings seek by the cursor's value (like Shopify), so a row updated while paging
// moves on instead of shifting the pages.
function boundary(
  ordering: Ordering,
  rev: boolean,
  rowFromId: (id: number) => number,
  rowFromIdAny: (id: number) => number,
  c: string,
  forAfter: boolean,
): number {
  const payload = decodeCursor(c);
  const row = rowFromIdAny(payload.last_id);
  if (ordering.rank && payload.k !== undefined && row >= 0) {
    if (!rev) return ordering.rank(payload.k, row, forAfter);
    return ordering.size - ordering.rank(payload.k, row, !forAfter);
  }
  const p = cursorPos(ordering, rev, rowFromId, c);
  return forAfter ? p + 1 : p;
}

/** A page whose edges and cursors are built when asked for. */
class PageOf<N> implements Page<N> {
  private built: Page<N>["edges"] | undefined;
  readonly pageInfo: Page<N>["pageInfo"];

  constructor(
    private readonly rows: number[],
    readonly nodes: N[],
    hasNextPage: boolean,
    hasPreviousPage: boolean,
    private readonly cursors: Cursors,
  ) {
    this.pageInfo = new PageInfoOf(rows, hasNextPage, hasPreviousPage, cursors);
  }

  // On the prototype: `{ ...page }` does not copy edges (callers that spread a page give their
  // own).
  get edges(): Page<N>["edges"] {
    return (this.built ??= this.rows.map(
      (r, i) => new EdgeOf(r, this.nodes[i] as N, this.cursors),
    ));
  }
}

class EdgeOf<N> {
  constructor(
    private readonly row: number,
    readonly node: N,
    private readonly cursors: Cursors,
  ) {}

  get cursor(): string {
    return this.cursors.of(this.row);
  }
}

class PageInfoOf {
  constructor(
    private readonly rows: number[],
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
    private readonly cursors: Cursors,
  ) {}

  get startCursor(): string | null {
    const first = this.rows[0];
    return first === undefined ? null : this.cursors.of(first);
  }

  get endCursor(): string | null {
    const last = this.rows[this.rows.length - 1];
    return last === undefined ? null : this.cursors.of(last);
  }
}

class Cursors {
  constructor(
    private readonly ordering: Ordering,
    private readonly rowIdOf: (row: number) => number,
    private readonly cursorValue: (row: number) => string | number,
  ) {}

  of(r: number): string {
    return encodeCursor({
      last_id: this.rowIdOf(r),
      last_value: this.cursorValue(r),
      ...(this.ordering.key ? { k: this.ordering.key(r) } : {}),
    });
  }
}

/**
 * Page through `ordering` (reversed if asked), keeping rows that `match`. Scans only as far as
 * needed, so a page over a million rows costs what the page costs.
 */
export function paginate<N>(
  ordering: Ordering,
  match: (row: number) => boolean,
  args: ConnectionArgs,
  rowIdOf: (row: number) => number,
  rowFromId: (id: number) => number,
  cursorValue: (row: number) => string | number,
  toNode: (row: number) => N,
  bulk = false,
  rowFromIdAny: (id: number) => number = rowFromId,
): Page<N> {
  checkPageArgs(args, bulk);
  const n = ordering.size;
  const rev = !!args.reverse;
  let lo = 0; // inclusive
  let hi = n; // exclusive
  if (args.after) lo = boundary(ordering, rev, rowFromId, rowFromIdAny, args.after, true);
  if (args.before) hi = boundary(ordering, rev, rowFromId, rowFromIdAny, args.before, false);
  const rows: number[] = [];
  let hasNextPage = false;
  let hasPreviousPage = false;
  const limitFirst = args.first ?? (bulk && args.last == null ? Infinity : undefined);
  if (limitFirst !== undefined) {
    let k = lo;
    for (; k < hi && rows.length < limitFirst; k++) {
      const r = logicalAt(ordering, rev, k);
      if (match(r)) rows.push(r);
    }
    for (; k < hi; k++) {
      if (match(logicalAt(ordering, rev, k))) {
        hasNextPage = true;
        break;
      }
    }
    for (let j = lo - 1; j >= 0; j--) {
      if (match(logicalAt(ordering, rev, j))) {
        hasPreviousPage = true;
        break;
      }
    }
    if (args.last != null && rows.length > args.last) {
      rows.splice(0, rows.length - args.last);
      hasPreviousPage = true;
    }
  } else {
    const limit = args.last ?? 0;
    let k = hi - 1;
    for (; k >= lo && rows.length < limit; k--) {
      const r = logicalAt(ordering, rev, k);
      if (match(r)) rows.push(r);
    }
    for (; k >= lo; k--) {
      if (match(logicalAt(ordering, rev, k))) {
        hasPreviousPage = true;
        break;
      }
    }
    for (let j = hi; j < n; j++) {
      if (match(logicalAt(ordering, rev, j))) {
        hasNextPage = true;
        break;
      }
    }
    rows.reverse();
  }
  const nodes = rows.map(toNode);
  return new PageOf(
    rows,
    nodes,
    hasNextPage,
    hasPreviousPage,
    new Cursors(ordering, rowIdOf, cursorValue),
  );
}

/** Identity ordering (sort by id). */
export function idOrdering(size: number): Ordering {
  return { size, at: (p) => p, posOf: (r) => (r >= 0 && r < size ? r : -1) };
}

/** Ordering by a numeric key, ties by row (= id). Built once per store version. */
export function sortedOrdering(size: number, key: (row: number) => number): Ordering {
  const order = new Uint32Array(size);
  const keys = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    order[i] = i;
    keys[i] = key(i);
  }
  order.sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
  const pos = new Int32Array(size);
  for (let p = 0; p < size; p++) pos[order[p] as number] = p;
  const rank = (k: number, row: number, inclusive: boolean): number => {
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const r = order[mid] as number;
      const kk = keys[r] as number;
      if (kk < k || (kk === k && (inclusive ? r <= row : r < row))) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    size,
    at: (p) => order[p] as number,
    posOf: (r) => (r >= 0 && r < size ? (pos[r] as number) : -1),
    key: (r) => keys[r] as number,
    rank,
  };
}

/** Ordering over an explicit list of rows (e.g. one customer's orders). */
export function listOrdering(rows: readonly number[]): Ordering {
  return new ListOrdering(rows);
}

class ListOrdering implements Ordering {
  private positions: Map<number, number> | undefined;

  constructor(private readonly rows: readonly number[]) {}

  get size(): number {
    return this.rows.length;
  }

  at(p: number): number {
    return this.rows[p] as number;
  }

  posOf(r: number): number {
    if (!this.positions) {
      this.positions = new Map();
      for (let i = 0; i < this.rows.length; i++) this.positions.set(this.rows[i] as number, i);
    }
    return this.positions.get(r) ?? -1;
  }
}
