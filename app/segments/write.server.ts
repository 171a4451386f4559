import type { Prisma } from "@prisma/client";
import { BUILT_IN_SEGMENTS, customSegmentKey, desiredTags } from "~/segmentation/catalog";
import { majorToMinor } from "~/segmentation/money";
import { segmentKeysOf, type ModelReference, type ScoredCustomers } from "~/segmentation/reference";
import { movementKey, type SnapshotCounts, type SnapshotMovements } from "~/segmentation/snapshot";

/**
 * Writes one recompute's results inside a transaction: customer metrics, segment memberships
 * (only the differences), the ENTERED/LEFT outbox for Flow, the tags each customer should carry,
 * and the segment totals before and after, from which the snapshot is made. The customers in
 * scope are staged in a temporary table so every step is one set-based statement, whether the
 * scope is three customers or a million.
 */
type Tx = Prisma.TransactionClient;

const BATCH = 5_000;
const MEMBERSHIP_BATCH = 50_000;

const utc = (value: Date) => value.toISOString().slice(0, -1);

export async function stageScope(tx: Tx, shopId: number, scope: readonly bigint[] | null) {
  await tx.$executeRawUnsafe(
    `CREATE TEMP TABLE stage_scope (customer_id bigint PRIMARY KEY) ON COMMIT DROP`,
  );
  await tx.$executeRawUnsafe(
    `CREATE TEMP TABLE stage_membership (customer_id bigint, segment_key text) ON COMMIT DROP`,
  );
  if (scope === null) {
    await tx.$executeRawUnsafe(
      `INSERT INTO stage_scope SELECT "id" FROM "Customer" WHERE "shopId" = $1`,
      shopId,
    );
  } else {
    for (let i = 0; i < scope.length; i += MEMBERSHIP_BATCH) {
      await tx.$executeRawUnsafe(
        `INSERT INTO stage_scope SELECT DISTINCT unnest($1::bigint[]) ON CONFLICT DO NOTHING`,
        scope.slice(i, i + MEMBERSHIP_BATCH).map(String),
      );
    }
  }
  // Temporary tables have no statistics until analysed; without them the planner guesses and
  // joins three customers against every membership of the shop.
  await tx.$executeRawUnsafe(`ANALYZE stage_scope`);
}

interface TotalsRow {
  segmentKey: string;
  customers: bigint;
  orders: bigint | null;
  revenue: bigint | null;
  clv: bigint | null;
}

const toCounts = (rows: TotalsRow[]): SnapshotCounts =>
  Object.fromEntries(
    rows.map((row) => [
      row.segmentKey,
      {
        customers: Number(row.customers),
        orders: Number(row.orders ?? 0n),
        revenueMinor: Number(row.revenue ?? 0n),
        clvMinor: Number(row.clv ?? 0n),
      },
    ]),
  );

/** Segment totals over the customers in scope. */
export async function segmentTotals(tx: Tx, shopId: number): Promise<SnapshotCounts> {
  const rows = await tx.$queryRawUnsafe<TotalsRow[]>(
    `SELECT m."segmentKey", count(*) AS customers, sum(cm."orders")::bigint AS orders,
            sum(cm."totalSpentMinor")::bigint AS revenue,
            sum(COALESCE(cm."clv12mMinor", 0))::bigint AS clv
       FROM "SegmentMembership" m
       JOIN stage_scope s ON s.customer_id = m."customerId"
       LEFT JOIN "CustomerMetrics" cm
         ON cm."shopId" = m."shopId" AND cm."customerId" = m."customerId"
      WHERE m."shopId" = $1
      GROUP BY m."segmentKey"`,
    shopId,
  );
  return toCounts(rows);
}

function metricsRow(scored: ScoredCustomers, i: number, currency: string) {
  const c = scored.columns;
  const s = c.summaries;
  const record = scored.customerRecord(i);
  const minor = (major: number | null) => (major === null ? null : majorToMinor(major, currency));
  return {
    id: s.customerIds[i],
    orders: s.orders[i],
    frequency: s.frequency[i],
    recencyDays: s.recencyDays[i],
    ageDays: s.ageDays[i],
    totalSpent: String(s.totalSpendMinor[i]),
    aov: String(Math.round(s.aovMinor[i])),
    r: record.rfm?.r ?? null,
    f: record.rfm?.f ?? null,
    m: record.rfm?.m ?? null,
    rfmGroup: record.rfmGroup,
    fxv: record.frequencyValue,
    valueType: record.valueType,
    pAlive: record.pAlive,
    expectedPurchases: record.expectedPurchases,
    churnRisk: record.churnRisk,
    clv: minor(record.clv)?.toString() ?? null,
    spendTier: record.spendTier,
    propensity: record.propensity,
    nextOrderAt: record.expectedNextOrderDate ? `${record.expectedNextOrderDate}T00:00:00` : null,
    details: JSON.stringify({
      firstOrderDate: record.firstOrderDate,
      lastOrderDate: record.lastOrderDate,
      daysSinceLast: Number.isNaN(s.daysSinceLast[i]) ? null : s.daysSinceLast[i],
      meanGapDays: Number.isNaN(s.meanGapDays[i]) ? null : s.meanGapDays[i],
      purchaseDays: s.purchaseDays[i],
      fm: record.rfm?.fm ?? null,
      priceTier: record.priceTier,
      expectedSpendMinor: minor(record.expectedSpend),
      monetaryValueMinor: Math.round(s.meanRepeatValueMinor[i]),
      discountShare: s.discountShare[i],
      discountDepth: s.discountDepth[i],
      refundShare: s.refundShare[i],
      valueTrend: s.valueTrend[i],
      leadingProductType: record.leadingProductType,
      leadingVendor: record.leadingVendor,
      customSegments: record.customSegments,
      churnScore: record.churnScore,
      nextOrderProbability: record.nextOrderProbability,
    }),
  };
}

/** Replaces the metrics of the customers in scope with the scored ones. */
export async function writeMetrics(
  tx: Tx,
  shopId: number,
  scored: ScoredCustomers,
  currency: string,
  computedAt: Date,
) {
  await tx.$executeRawUnsafe(
    `DELETE FROM "CustomerMetrics" cm USING stage_scope s
      WHERE cm."shopId" = $1 AND cm."customerId" = s.customer_id`,
    shopId,
  );
  for (let start = 0; start < scored.customerCount; start += BATCH) {
    const rows: ReturnType<typeof metricsRow>[] = [];
    for (let i = start; i < Math.min(start + BATCH, scored.customerCount); i++)
      rows.push(metricsRow(scored, i, currency));
    const col = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key]);
    await tx.$executeRawUnsafe(
      `INSERT INTO "CustomerMetrics" ("shopId", "customerId", "computedAt", "orders", "frequency",
          "recencyDays", "ageDays", "totalSpentMinor", "aovMinor", "currency", "rScore", "fScore",
          "mScore", "rfmGroup", "fxvCell", "valueType", "pAlive", "expectedPurchases", "churnRisk",
          "clv12mMinor", "spendTier", "propensity", "nextOrderAt", "details")
       SELECT $1::int, r.id, $2::timestamp, r.orders, r.frequency, r.recency, r.age, r.spent, r.aov, $3,
              r.rs, r.fs, r.ms, r.grp, r.fxv, r.vt, r.palive, r.expected, r.churn, r.clv, r.tier,
              r.propensity, r.next_at, r.details
         FROM unnest($4::bigint[], $5::int[], $6::int[], $7::float8[], $8::float8[], $9::bigint[],
                     $10::bigint[], $11::int[], $12::int[], $13::int[], $14::text[], $15::text[],
                     $16::text[], $17::float8[], $18::float8[], $19::text[], $20::bigint[],
                     $21::text[], $22::float8[], $23::timestamp[], $24::jsonb[])
           AS r(id, orders, frequency, recency, age, spent, aov, rs, fs, ms, grp, fxv, vt, palive,
                expected, churn, clv, tier, propensity, next_at, details)`,
      shopId,
      utc(computedAt),
      currency,
      col("id"),
      col("orders"),
      col("frequency"),
      col("recencyDays"),
      col("ageDays"),
      col("totalSpent"),
      col("aov"),
      col("r"),
      col("f"),
      col("m"),
      col("rfmGroup"),
      col("fxv"),
      col("valueType"),
      col("pAlive"),
      col("expectedPurchases"),
      col("churnRisk"),
      col("clv"),
      col("spendTier"),
      col("propensity"),
      col("nextOrderAt"),
      col("details"),
    );
  }
}

/** Stages the new memberships of the scored customers. */
export async function stageMemberships(tx: Tx, scored: ScoredCustomers, reference: ModelReference) {
  let customers: string[] = [];
  let keys: string[] = [];
  const flush = async () => {
    if (customers.length === 0) return;
    await tx.$executeRawUnsafe(
      `INSERT INTO stage_membership SELECT * FROM unnest($1::bigint[], $2::text[])`,
      customers,
      keys,
    );
    customers = [];
    keys = [];
  };
  for (let i = 0; i < scored.customerCount; i++) {
    const id = scored.columns.summaries.customerIds[i];
    for (const key of segmentKeysOf(scored.customerRecord(i), reference)) {
      customers.push(id);
      keys.push(key);
    }
    if (customers.length >= MEMBERSHIP_BATCH) await flush();
  }
  await flush();
  await tx.$executeRawUnsafe(`ANALYZE stage_membership`);
}

export interface MembershipChanges {
  entered: number;
  left: number;
  movements: SnapshotMovements;
}

/**
 * Applies the staged memberships to the customers in scope: what is new is ENTERED, what is
 * gone is LEFT. Within a family a customer holds one segment, so a LEFT and an ENTERED of the
 * same family are one movement ("rfm:LOYAL->rfm:AT_RISK").
 */
export async function applyMemberships(
  tx: Tx,
  shopId: number,
  options: { emitEvents: boolean; at: Date },
): Promise<MembershipChanges> {
  await tx.$executeRawUnsafe(
    `CREATE TEMP TABLE stage_entered ON COMMIT DROP AS
       SELECT customer_id, segment_key FROM stage_membership
       EXCEPT
       SELECT m."customerId", m."segmentKey" FROM "SegmentMembership" m
         JOIN stage_scope s ON s.customer_id = m."customerId" WHERE m."shopId" = $1`,
    shopId,
  );
  await tx.$executeRawUnsafe(
    `CREATE TEMP TABLE stage_left ON COMMIT DROP AS
       SELECT m."customerId" AS customer_id, m."segmentKey" AS segment_key
         FROM "SegmentMembership" m JOIN stage_scope s ON s.customer_id = m."customerId"
        WHERE m."shopId" = $1
       EXCEPT
       SELECT customer_id, segment_key FROM stage_membership`,
    shopId,
  );
  const pairs = await tx.$queryRawUnsafe<{ from: string | null; to: string | null; n: bigint }[]>(
    `WITH l AS (SELECT customer_id, segment_key, split_part(segment_key, ':', 1) AS family
                  FROM stage_left WHERE segment_key NOT LIKE 'custom:%'),
          e AS (SELECT customer_id, segment_key, split_part(segment_key, ':', 1) AS family
                  FROM stage_entered WHERE segment_key NOT LIKE 'custom:%')
     SELECT l.segment_key AS "from", e.segment_key AS "to", count(*) AS n
       FROM l FULL JOIN e ON l.customer_id = e.customer_id AND l.family = e.family
      GROUP BY 1, 2
     UNION ALL
     SELECT segment_key, NULL, count(*) FROM stage_left
      WHERE segment_key LIKE 'custom:%' GROUP BY segment_key
     UNION ALL
     SELECT NULL, segment_key, count(*) FROM stage_entered
      WHERE segment_key LIKE 'custom:%' GROUP BY segment_key`,
  );
  const movements: SnapshotMovements = {};
  for (const pair of pairs) movements[movementKey(pair.from, pair.to)] = Number(pair.n);

  if (options.emitEvents) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "SegmentEvent" ("shopId", "customerId", "segmentKey", "change", "occurredAt")
       SELECT $1::int, customer_id, segment_key, 'LEFT'::"SegmentChange", $2::timestamp FROM stage_left
       UNION ALL
       SELECT $1::int, customer_id, segment_key, 'ENTERED'::"SegmentChange", $2::timestamp
         FROM stage_entered`,
      shopId,
      utc(options.at),
    );
  }
  const left = await tx.$executeRawUnsafe(
    `DELETE FROM "SegmentMembership" m USING stage_left l
      WHERE m."shopId" = $1 AND m."customerId" = l.customer_id AND m."segmentKey" = l.segment_key`,
    shopId,
  );
  const entered = await tx.$executeRawUnsafe(
    `INSERT INTO "SegmentMembership" ("shopId", "segmentKey", "customerId", "since")
     SELECT $1::int, e.segment_key, e.customer_id, $2::timestamp FROM stage_entered e
       JOIN "Customer" c ON c."shopId" = $1 AND c."id" = e.customer_id`,
    shopId,
    utc(options.at),
  );
  return { entered, left, movements };
}

/** Segment key → tag, for the families the shop tags (custom segments by their rules). */
function tagMap(settings: TagSettings, reference: ModelReference): [string, string][] {
  const keys = [
    ...BUILT_IN_SEGMENTS.map((s) => s.key),
    ...reference.customRules.map((r) => customSegmentKey(r.name)),
  ];
  return keys.flatMap((key) => {
    const [tag] = desiredTags([key], settings);
    return tag ? [[key, tag] as [string, string]] : [];
  });
}

export interface TagSettings {
  tagPrefix: string;
  taggedFamilies: readonly string[];
  writeMetafields: boolean;
}

/**
 * Records the tags (and, when the shop writes them, the key scores) each customer in scope
 * should carry. A row whose desired state differs from what was last applied becomes PENDING for
 * the tags worker; a row that already matches is left untouched, so an identical recompute
 * pushes nothing.
 */
export async function recordDesiredTags(
  tx: Tx,
  shopId: number,
  settings: TagSettings,
  reference: ModelReference,
): Promise<number> {
  const map = tagMap(settings, reference);
  return tx.$executeRawUnsafe(
    `WITH tag_map AS (SELECT * FROM unnest($2::text[], $3::text[]) AS t(segment_key, tag)),
     desired AS (
       SELECT s.customer_id,
              COALESCE(array_agg(tm.tag ORDER BY tm.tag COLLATE "C")
                         FILTER (WHERE tm.tag IS NOT NULL), '{}') AS tags
         FROM stage_scope s
         LEFT JOIN "SegmentMembership" m ON m."shopId" = $1 AND m."customerId" = s.customer_id
         LEFT JOIN tag_map tm ON tm.segment_key = m."segmentKey"
        GROUP BY s.customer_id),
     wanted AS (
       SELECT d.customer_id, d.tags,
              CASE WHEN $4 AND cm."customerId" IS NOT NULL THEN jsonb_build_object(
                'clvMinor', cm."clv12mMinor",
                'churnRisk', cm."churnRisk",
                'pAlive', round(cm."pAlive"::numeric, 2),
                'propensity', round(cm."propensity"::numeric, 2),
                'churnScore', round((cm."details"->>'churnScore')::numeric, 2),
                'nextOrderDate', to_char(cm."nextOrderAt", 'YYYY-MM-DD')) END AS scores
         FROM desired d
         LEFT JOIN "CustomerMetrics" cm ON cm."shopId" = $1 AND cm."customerId" = d.customer_id)
     INSERT INTO "TagSyncState" ("shopId", "customerId", "desiredTags", "desiredScores", "status",
                                 "updatedAt")
     SELECT $1::int, w.customer_id, w.tags, w.scores, 'PENDING', now() FROM wanted w
       JOIN "Customer" c ON c."shopId" = $1 AND c."id" = w.customer_id
      WHERE cardinality(w.tags) > 0 OR w.scores IS NOT NULL
         OR EXISTS (SELECT 1 FROM "TagSyncState" t
                     WHERE t."shopId" = $1 AND t."customerId" = w.customer_id)
     ON CONFLICT ("shopId", "customerId") DO UPDATE SET
       "desiredTags" = EXCLUDED."desiredTags",
       "desiredScores" = EXCLUDED."desiredScores",
       "status" = CASE
         -- A push is out for this row: its answer decides what was applied, then the tags
         -- worker compares again. Marking it PENDING now could lose track of that push.
         WHEN "TagSyncState"."status" = 'IN_FLIGHT' THEN 'IN_FLIGHT'::"TagSyncStatus"
         WHEN EXCLUDED."desiredTags" IS DISTINCT FROM "TagSyncState"."appliedTags"
           OR EXCLUDED."desiredScores" IS DISTINCT FROM "TagSyncState"."appliedScores"
         THEN 'PENDING'::"TagSyncStatus" ELSE "TagSyncState"."status" END,
       "updatedAt" = now()
     WHERE "TagSyncState"."desiredTags" IS DISTINCT FROM EXCLUDED."desiredTags"
        OR "TagSyncState"."desiredScores" IS DISTINCT FROM EXCLUDED."desiredScores"`,
    shopId,
    map.map(([key]) => key),
    map.map(([, tag]) => tag),
    settings.writeMetafields,
  );
}
