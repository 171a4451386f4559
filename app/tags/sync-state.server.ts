import type { PrismaClient } from "@prisma/client";
import { keyScoresFrom, scoresNeedWrite, type KeyScores } from "./score-threshold";
import { planTags, type TagPlan } from "./tag-plan";

/**
 * TagSyncState as the tags worker reads and writes it. A row is PENDING when the recompute
 * wants something Shopify does not have yet, IN_FLIGHT while a request carrying it is out (so
 * a crash leaves a mark that the next run checks against Shopify instead of pushing blind),
 * and SYNCED or FAILED once Shopify answered. Rows are finished only if the recompute did not
 * change them meanwhile; otherwise they go back to PENDING for the next run.
 */
export interface PendingRow {
  customerId: bigint;
  status: "PENDING" | "IN_FLIGHT";
  desiredTags: string[];
  appliedTags: string[];
  desiredScores: unknown;
  appliedScores: unknown;
  /** The customer's tags as last read from Shopify (merchant's and other apps' included). */
  currentTags: string[];
}

export async function readPending(
  prisma: PrismaClient,
  shopId: number,
  after: bigint,
  take: number,
): Promise<PendingRow[]> {
  const rows = await prisma.tagSyncState.findMany({
    where: { shopId, status: { in: ["PENDING", "IN_FLIGHT"] }, customerId: { gt: after } },
    orderBy: { customerId: "asc" },
    take,
    include: { customer: { select: { tags: true } } },
  });
  return rows.map((row) => ({
    customerId: row.customerId,
    status: row.status as PendingRow["status"],
    desiredTags: row.desiredTags,
    appliedTags: row.appliedTags,
    desiredScores: row.desiredScores,
    appliedScores: row.appliedScores,
    currentTags: row.customer.tags,
  }));
}

export interface CustomerChange {
  row: PendingRow;
  plan: TagPlan;
  /** Scores to write as metafields, when the shop writes them and they moved enough. */
  scores: KeyScores | null;
}

export function planChange(row: PendingRow, writeMetafields: boolean): CustomerChange {
  const plan = planTags({
    desired: row.desiredTags,
    applied: row.appliedTags,
    current: row.currentTags,
  });
  const desiredScores = keyScoresFrom(row.desiredScores);
  const scores =
    writeMetafields && scoresNeedWrite(keyScoresFrom(row.appliedScores), desiredScores)
      ? desiredScores
      : null;
  return { row, plan, scores };
}

export const needsRequest = (change: CustomerChange) =>
  change.plan.add.length > 0 || change.plan.remove.length > 0 || change.scores !== null;

export interface RowOutcome {
  change: CustomerChange;
  /** Shopify refused or the customer is gone; the message is kept in lastError. */
  failed: boolean;
  error: string | null;
  /** Propel's tags now on the customer; null when the customer no longer exists in Shopify. */
  applied: string[] | null;
  scoresWritten: boolean;
}

/**
 * Rows that go out in the next request, marked so a crash is noticed on resume. The tags the
 * request adds join the applied set before it leaves: a request cut off (a crash, the database
 * gone before its answer was recorded) may have reached the store, and only applied or desired
 * tags count as Propel's when a resumed run reads the customer back. Without this, a recompute
 * that changed the desired set meanwhile would leave the lost request's tag on the customer as
 * if the merchant had typed it. Removing a tag the store does not have is harmless.
 */
export async function markInFlight(
  prisma: PrismaClient,
  shopId: number,
  changes: readonly { customerId: bigint; add: readonly string[] }[],
): Promise<void> {
  if (changes.length === 0) return;
  const rows = changes.map((change) => ({ id: change.customerId.toString(), add: change.add }));
  await prisma.$executeRawUnsafe(
    `UPDATE "TagSyncState" t SET
       "status" = 'IN_FLIGHT',
       "attempts" = t."attempts" + 1,
       "appliedTags" = ARRAY(
         SELECT tag FROM unnest(t."appliedTags" ||
           ARRAY(SELECT jsonb_array_elements_text(u.add))) AS tag
          GROUP BY tag ORDER BY tag COLLATE "C")
     FROM jsonb_to_recordset($2::jsonb) AS u(id text, add jsonb)
     WHERE t."shopId" = $1 AND t."customerId" = u.id::bigint`,
    shopId,
    JSON.stringify(rows),
  );
}

/** What `markInFlight` needs of a change. */
export const inFlightOf = (change: CustomerChange) => ({
  customerId: change.row.customerId,
  add: change.plan.add,
});

/**
 * Records what Shopify confirmed. A row becomes SYNCED (or FAILED) only when its desired state
 * is still the one this run read; a row the recompute changed meanwhile goes back to PENDING,
 * with what was applied recorded so the next run pushes only the rest.
 */
export async function finishRows(
  prisma: PrismaClient,
  shopId: number,
  outcomes: readonly RowOutcome[],
): Promise<void> {
  if (outcomes.length === 0) return;
  const rows = outcomes.map(({ change, failed, error, applied, scoresWritten }) => ({
    id: change.row.customerId.toString(),
    applied: applied ?? [],
    read_desired: change.row.desiredTags,
    read_scores: change.row.desiredScores ?? null,
    scores_written: scoresWritten,
    failed,
    error: [error, ...change.plan.notes].filter(Boolean).join("; ") || null,
  }));
  await prisma.$executeRawUnsafe(
    `UPDATE "TagSyncState" t SET
       "appliedTags" = ARRAY(SELECT jsonb_array_elements_text(u.applied)),
       "appliedScores" = CASE WHEN u.scores_written THEN u.read_scores ELSE t."appliedScores" END,
       "status" = CASE
         WHEN t."desiredTags" IS DISTINCT FROM ARRAY(SELECT jsonb_array_elements_text(u.read_desired))
           OR t."desiredScores" IS DISTINCT FROM u.read_scores THEN 'PENDING'
         WHEN u.failed THEN 'FAILED'
         ELSE 'SYNCED' END::"TagSyncStatus",
       "lastError" = u.error,
       "syncedAt" = CASE WHEN u.failed THEN t."syncedAt" ELSE now() END,
       "updatedAt" = now()
     FROM jsonb_to_recordset($2::jsonb) AS u(id text, applied jsonb, read_desired jsonb,
       read_scores jsonb, scores_written boolean, failed boolean, error text)
     WHERE t."shopId" = $1 AND t."customerId" = u.id::bigint`,
    shopId,
    JSON.stringify(rows),
  );
}

/** A row that needs no request: Shopify already has what the recompute wants. */
export function unchangedOutcome(change: CustomerChange): RowOutcome {
  return { change, failed: false, error: null, applied: change.plan.after, scoresWritten: false };
}
