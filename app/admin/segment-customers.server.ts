import type { SortKey } from "~/components/member-sorts";
import prisma from "~/db.server";
import type { IntervalHistory } from "./export-intervals.server";

/**
 * A segment's members, a page at a time: SegmentMembership's primary key (shopId, segmentKey,
 * customerId) finds them, and each member's metrics and name come by primary key. Sizes come
 * from the latest snapshot, not from counting here.
 */

export const PAGE_SIZE = 50;
/**
 * Past this offset a merchant is better served by search or the CSV export; deeper offsets
 * cost more than the pages' 300 ms budget at a million customers (docs/benchmarks-pages.md).
 */
export const MAX_OFFSET = 5_000;

/** The SQL behind each sort; "nullable" columns put unknown values last. */
export const SORTS: Record<SortKey, { column: string; nullable: boolean }> = {
  clv: { column: `cm."clv12mMinor"`, nullable: true },
  spent: { column: `cm."totalSpentMinor"`, nullable: false },
  orders: { column: `cm."orders"`, nullable: false },
  // Days since the last order, at the last recompute: age minus recency, both from the first order.
  lastOrder: { column: `(cm."ageDays" - cm."recencyDays")`, nullable: false },
};
export type { SortKey };
export type SortDirection = "asc" | "desc";

export interface MemberQuery {
  sort: SortKey;
  direction: SortDirection;
  page: number;
  search: string;
}

export function parseMemberQuery(params: URLSearchParams): MemberQuery {
  const sort = params.get("sort");
  const direction = params.get("direction");
  const page = Number.parseInt(params.get("page") ?? "1", 10);
  return {
    // Own keys only: `in` would take "constructor" or "toString" from the prototype.
    sort: sort !== null && Object.hasOwn(SORTS, sort) ? (sort as SortKey) : "clv",
    // "Last order" reads naturally most recent first, which is the fewest days since.
    direction:
      direction === "asc" || direction === "desc"
        ? direction
        : sort === "lastOrder"
          ? "asc"
          : "desc",
    page: Number.isFinite(page) && page >= 1 ? Math.min(page, maxPage()) : 1,
    search: (params.get("q") ?? "").trim().slice(0, 100),
  };
}

const maxPage = () => Math.floor(MAX_OFFSET / PAGE_SIZE) + 1;

export interface MemberRow {
  id: string;
  email: string | null;
  name: string | null;
  orders: number;
  totalSpentMinor: number;
  clv12mMinor: number | null;
  currency: string;
  rfmGroup: string;
  churnRisk: string | null;
  pAlive: number | null;
  lastOrderDate: string | null;
  since: string;
}

interface RawMember {
  id: bigint;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  orders: number;
  totalSpentMinor: bigint;
  clv12mMinor: bigint | null;
  currency: string;
  rfmGroup: string;
  churnRisk: string | null;
  pAlive: number | null;
  lastOrderDate: string | null;
  since: Date;
}

/** `%` and `_` in a merchant's search are literal characters, not wildcards. */
export const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function loadSegmentMembers(shopId: number, segmentKey: string, query: MemberQuery) {
  const { column, nullable } = SORTS[query.sort];
  const direction = query.direction === "asc" ? "ASC" : "DESC";
  const wanted = PAGE_SIZE + 1;
  const offset = (query.page - 1) * PAGE_SIZE;
  const page = (filter: string, order: string, limit: number, skip: number) =>
    selectMembers(shopId, segmentKey, query.search, filter, order, limit, skip);
  // A search matches few customers: find them first, then sort. Sorting on `column + 0` keeps
  // the planner from walking a sort index in the hope of meeting matches early, which reads
  // the whole shop when there are none.
  const sortBy = query.search ? `(${column} + 0)` : column;

  let rows: RawMember[];
  if (!nullable) {
    rows = await page("", `${sortBy} ${direction}, cm."customerId" ${direction}`, wanted, offset);
  } else {
    // Unknown values come last in either direction. Asking for the known ones alone lets the
    // planner walk the (shopId, clv12mMinor) index and stop after a page, instead of sorting
    // the whole segment; the unknown ones are read only once the known ones run out.
    const known = `${column} IS NOT NULL`;
    rows = await page(
      known,
      `${sortBy} ${direction}, cm."customerId" ${direction}`,
      wanted,
      offset,
    );
    if (rows.length < wanted) {
      const knownTotal =
        rows.length > 0 || offset === 0
          ? offset + rows.length
          : await countMembers(shopId, segmentKey, query.search, known);
      const unknown = await page(
        `${column} IS NULL`,
        `cm."customerId" ${direction}`,
        wanted - rows.length,
        Math.max(0, offset - knownTotal),
      );
      rows = [...rows, ...unknown];
    }
  }
  return {
    rows: rows.slice(0, PAGE_SIZE).map(toMemberRow),
    hasNext: rows.length > PAGE_SIZE && query.page < maxPage(),
    hasPrevious: query.page > 1,
  };
}

/**
 * The search text as a prefix of the email, first name or last name, or, with a space, as
 * "first name, then the start of the last name". Written against lower(…) so that prefix
 * indexes on those expressions (see docs/benchmarks-pages.md) can answer it.
 */
function searchFilter(search: string, first: number): { sql: string; params: string[] } {
  if (!search) return { sql: "", params: [] };
  const text = search.toLowerCase();
  const space = text.indexOf(" ");
  if (space > 0) {
    return {
      sql: `AND lower(c."firstName") = $${first} AND lower(c."lastName") LIKE $${first + 1}`,
      params: [text.slice(0, space), likePrefix(text.slice(space + 1).trim())],
    };
  }
  const p = `$${first}`;
  return {
    sql: `AND (lower(c."email") LIKE ${p} OR lower(c."firstName") LIKE ${p} OR lower(c."lastName") LIKE ${p})`,
    params: [likePrefix(text)],
  };
}

const MEMBERS_FROM = `
       FROM "SegmentMembership" m
       JOIN "CustomerMetrics" cm ON cm."shopId" = m."shopId" AND cm."customerId" = m."customerId"
       JOIN "Customer" c ON c."shopId" = m."shopId" AND c."id" = m."customerId"
      WHERE m."shopId" = $1 AND m."segmentKey" = $2`;

function selectMembers(
  shopId: number,
  segmentKey: string,
  search: string,
  filter: string,
  order: string,
  limit: number,
  offset: number,
) {
  const matching = searchFilter(search, 5);
  return prisma.$queryRawUnsafe<RawMember[]>(
    `SELECT m."customerId" AS id, c."email", c."firstName", c."lastName", cm."orders",
            cm."totalSpentMinor", cm."clv12mMinor", cm."currency", cm."rfmGroup", cm."churnRisk",
            cm."pAlive", cm."details"->>'lastOrderDate' AS "lastOrderDate", m."since"
       ${MEMBERS_FROM} ${filter ? `AND ${filter}` : ""} ${matching.sql}
      ORDER BY ${order}
      LIMIT $3 OFFSET $4`,
    shopId,
    segmentKey,
    limit,
    offset,
    ...matching.params,
  );
}

async function countMembers(shopId: number, segmentKey: string, search: string, filter: string) {
  const matching = searchFilter(search, 3);
  const [row] = await prisma.$queryRawUnsafe<{ n: bigint }[]>(
    `SELECT count(*) AS n ${MEMBERS_FROM} AND ${filter} ${matching.sql}`,
    shopId,
    segmentKey,
    ...matching.params,
  );
  return Number(row.n);
}

function toMemberRow(row: RawMember): MemberRow {
  const name = [row.firstName, row.lastName].filter(Boolean).join(" ");
  return {
    id: row.id.toString(),
    email: row.email,
    name: name || null,
    orders: row.orders,
    totalSpentMinor: Number(row.totalSpentMinor),
    clv12mMinor: row.clv12mMinor === null ? null : Number(row.clv12mMinor),
    currency: row.currency,
    rfmGroup: row.rfmGroup,
    churnRisk: row.churnRisk,
    pAlive: row.pAlive,
    lastOrderDate: row.lastOrderDate,
    since: row.since.toISOString(),
  };
}

export const EXPORT_BATCH = 5_000;

export interface ExportRow extends MemberRow {
  firstName: string | null;
  lastName: string | null;
  aovMinor: number;
  rScore: number | null;
  fScore: number | null;
  mScore: number | null;
  valueType: string | null;
  expectedPurchases: number | null;
  spendTier: string | null;
  propensity: number | null;
  churnScore: number | null;
  nextOrderProbability: number | null;
  nextOrderDate: string | null;
  /** Under the shop's purchase model (export-intervals.server.ts). */
  history: IntervalHistory;
}

/**
 * Every member, in pages of `EXPORT_BATCH` walked by customer id along the membership primary
 * key, so an export of a million customers never holds more than one page.
 */
export async function* exportSegmentMembers(
  shopId: number,
  segmentKey: string,
): AsyncGenerator<ExportRow[]> {
  let after = -1n;
  for (;;) {
    const rows = await prisma.$queryRawUnsafe<(RawMember & RawExport)[]>(
      `SELECT m."customerId" AS id, c."email", c."firstName", c."lastName", cm."orders",
              cm."totalSpentMinor", cm."aovMinor", cm."clv12mMinor", cm."currency", cm."rfmGroup",
              cm."rScore", cm."fScore", cm."mScore", cm."valueType", cm."churnRisk", cm."pAlive",
              cm."expectedPurchases", cm."spendTier", cm."propensity",
              (cm."details"->>'churnScore')::float8 AS "churnScore",
              (cm."details"->>'nextOrderProbability')::float8 AS "nextOrderProbability",
              cm."nextOrderAt", cm."frequency", cm."recencyDays", cm."ageDays",
              (cm."details"->>'expectedSpendMinor')::float8 AS "expectedSpendMinor",
              cm."details"->>'lastOrderDate' AS "lastOrderDate", m."since"
         FROM "SegmentMembership" m
         JOIN "Customer" c ON c."shopId" = m."shopId" AND c."id" = m."customerId"
         LEFT JOIN "CustomerMetrics" cm
           ON cm."shopId" = m."shopId" AND cm."customerId" = m."customerId"
        WHERE m."shopId" = $1 AND m."segmentKey" = $2 AND m."customerId" > $3
        ORDER BY m."customerId"
        LIMIT $4`,
      shopId,
      segmentKey,
      after,
      EXPORT_BATCH,
    );
    if (rows.length === 0) return;
    yield rows.map((row) => ({
      ...toMemberRow(row),
      firstName: row.firstName,
      lastName: row.lastName,
      aovMinor: Number(row.aovMinor ?? 0n),
      rScore: row.rScore,
      fScore: row.fScore,
      mScore: row.mScore,
      valueType: row.valueType,
      expectedPurchases: row.expectedPurchases,
      spendTier: row.spendTier,
      propensity: row.propensity,
      churnScore: row.churnScore,
      nextOrderProbability: row.nextOrderProbability,
      nextOrderDate: row.nextOrderAt ? row.nextOrderAt.toISOString().slice(0, 10) : null,
      history: {
        orders: row.orders ?? 0,
        frequency: row.frequency ?? 0,
        recencyDays: row.recencyDays ?? 0,
        ageDays: row.ageDays ?? 0,
        expectedSpendMinor: row.expectedSpendMinor,
      },
    }));
    if (rows.length < EXPORT_BATCH) return;
    after = rows[rows.length - 1].id;
  }
}

interface RawExport {
  aovMinor: bigint | null;
  rScore: number | null;
  fScore: number | null;
  mScore: number | null;
  valueType: string | null;
  expectedPurchases: number | null;
  spendTier: string | null;
  propensity: number | null;
  churnScore: number | null;
  nextOrderProbability: number | null;
  nextOrderAt: Date | null;
  frequency: number | null;
  recencyDays: number | null;
  ageDays: number | null;
  expectedSpendMinor: number | null;
}
