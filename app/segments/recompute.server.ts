import { isDeepStrictEqual } from "node:util";
import type { Prisma, PrismaClient, Shop } from "@prisma/client";
import { buildOrderTable, segmentOrderTable, toDayNumber } from "~/segmentation";
import {
  buildModelReference,
  scoreWithReference,
  type ModelReference,
  type ScoredCustomers,
} from "~/segmentation/reference";
import { engineOptions, segmentSettingsFrom } from "~/segmentation/settings";
import {
  applyCountDelta,
  countSegments,
  snapshotModels,
  type SnapshotCounts,
  type SnapshotModels,
} from "~/segmentation/snapshot";
import {
  changedCustomers,
  loadCustomers,
  loadOrders,
  utcOffsetMinutes,
  type CustomerScope,
} from "./load.server";
import {
  applyMemberships,
  recordDesiredTags,
  segmentTotals,
  stageMemberships,
  stageScope,
  writeMetrics,
} from "./write.server";
import { refreshRetentionTallies, type TallyOutcome } from "./retention-tallies.server";

/**
 * Keeps a shop's segments current.
 *
 *  - Full: every customer, models refitted, ranks taken against the whole shop. Runs after the
 *    backfill, nightly, after a settings change, and once enough customers changed since the
 *    last fit that the frozen ranks may have drifted.
 *  - Incremental: only customers whose rows or orders were synced since the last run, scored
 *    against the frozen reference of the last full run — its cost follows the change, not the
 *    shop.
 *
 * Everything a run writes commits in one transaction, and the watermark moves only with it, so
 * a worker that dies mid-run leaves the previous state and the job's retry redoes the work.
 */

/** Refit once this share of the shop's customers changed since the last fit. */
const REFIT_SHARE = 0.1;
const REFIT_MIN_CUSTOMERS = 1_000;

/** Rescoring a million customers takes minutes; the transaction must be allowed to. */
const TRANSACTION_TIMEOUT_MS = 30 * 60_000;

export interface RecomputeOutcome {
  kind: "full" | "incremental" | "skipped";
  reason?: string;
  /** Set when the shop is installed, whether or not anything needed rescoring. */
  shopId?: number;
  customers: number;
  entered: number;
  left: number;
  tagsPending: number;
  snapshotId?: number;
  /** Milliseconds spent reading, scoring and writing: where a slow run went, for support. */
  timings?: { loadMs: number; scoreMs: number; writeMs: number; write: WritePhases };
  /** How the cohort retention tallies were brought up to date after the segments. */
  retention?: TallyOutcome;
}

/** Milliseconds of each step of the write transaction. */
type WritePhases = Partial<
  Record<"scope" | "metrics" | "memberships" | "tags" | "snapshot", number>
>;

/** Runs one step of the write and records how long it took. */
async function timed<T>(phases: WritePhases, step: keyof WritePhases, run: () => Promise<T>) {
  const started = performance.now();
  const result = await run();
  phases[step] = (phases[step] ?? 0) + Math.round(performance.now() - started);
  return result;
}

/** Another recompute of the shop committed while this one was reading and scoring. */
class ConcurrentRecompute extends Error {}

/** Runs that find another one committed first start again, reading what it wrote. */
const CONCURRENT_ATTEMPTS = 3;

/** Recomputes the shop's segments, then brings its cohort retention tallies up to date. */
export async function recomputeShop(
  prisma: PrismaClient,
  shopDomain: string,
  options: { full?: boolean; now?: Date } = {},
): Promise<RecomputeOutcome> {
  const outcome = await recomputeSegments(prisma, shopDomain, options);
  if (outcome.shopId === undefined) return outcome;
  return { ...outcome, retention: await refreshRetentionTallies(prisma, outcome.shopId) };
}

async function recomputeSegments(
  prisma: PrismaClient,
  shopDomain: string,
  options: { full?: boolean; now?: Date },
): Promise<RecomputeOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await recomputeOnce(prisma, shopDomain, options);
    } catch (error) {
      if (!(error instanceof ConcurrentRecompute) || attempt >= CONCURRENT_ATTEMPTS) throw error;
    }
  }
}

async function recomputeOnce(
  prisma: PrismaClient,
  shopDomain: string,
  options: { full?: boolean; now?: Date },
): Promise<RecomputeOutcome> {
  const startedAt = options.now ?? new Date();
  const shop = await prisma.shop.findUnique({ where: { domain: shopDomain } });
  const nothing = { customers: 0, entered: 0, left: 0, tagsPending: 0 };
  if (!shop || shop.installState !== "INSTALLED")
    return { kind: "skipped", reason: "shop is not installed", ...nothing };

  const reference = shop.modelReference as ModelReference | null;
  const previous = await prisma.segmentSnapshot.findFirst({
    where: { shopId: shop.id },
    orderBy: { takenAt: "desc" },
  });
  const fullReason = whyFull(shop, reference, previous !== null, options.full === true);

  let scope: CustomerScope = null;
  let fresh = 0;
  if (!fullReason) {
    const changed = await changedCustomers(prisma, shop.id, shop.recomputedThrough!);
    if (changed.ids.length === 0) {
      await finish(prisma, shop, startedAt, {});
      return { kind: "skipped", reason: "nothing changed", shopId: shop.id, ...nothing };
    }
    scope = changed.ids;
    fresh = changed.fresh;
    // Only customers changed since the previous run count towards a refit: the overlap was
    // already looked at, and counting it again would refit right after every backfill.
    if (shop.changedSinceFit + fresh > refitThreshold(reference!)) scope = null;
  }

  const clock = performance.now();
  // A full run reads the whole shop, often right after a backfill wrote it: plan the reads with
  // statistics that know how big the tables now are.
  if (scope === null)
    for (const table of ["Customer", "Order", "OrderLineItem"])
      await prisma.$executeRawUnsafe(`ANALYZE "${table}"`);
  const offset = utcOffsetMinutes(shop.ianaTimezone, startedAt);
  const customers = await loadCustomers(prisma, shop.id, scope);
  const orders = await loadOrders(prisma, shop.id, scope);
  const table = buildOrderTable(orders, { customers, utcOffsetMinutes: offset });
  const loaded = performance.now();

  let scored: ScoredCustomers;
  let nextReference: ModelReference;
  let models: SnapshotModels;
  if (scope === null) {
    const settings = segmentSettingsFrom(shop.segmentSettings);
    const result = segmentOrderTable(table, {
      ...engineOptions(settings),
      asOf: startedAt,
      utcOffsetMinutes: offset,
      customers,
    });
    scored = result;
    nextReference = buildModelReference(result);
    models = snapshotModels(table, result);
  } else {
    nextReference = reference!;
    scored = scoreWithReference(table, reference!, {
      asOfDay: toDayNumber(startedAt, offset),
      customers,
    });
    models = previous!.models as unknown as SnapshotModels;
  }

  const full = scope === null;
  const scoredAt = performance.now();
  const phases: WritePhases = {};
  const written = await prisma.$transaction(
    async (tx) => {
      // Two runs of a shop can overlap (the nightly full run, a debounced incremental one, an
      // ops request, on different workers): their writes must not interleave, and the later
      // one must not write scores computed from state the earlier one has since replaced.
      await tx.$executeRawUnsafe(
        `SELECT pg_advisory_xact_lock(hashtext('propel:recompute-shop'), $1)`,
        shop.id,
      );
      const current = await tx.shop.findUniqueOrThrow({
        where: { id: shop.id },
        select: { recomputedThrough: true },
      });
      if (current.recomputedThrough?.getTime() !== shop.recomputedThrough?.getTime())
        throw new ConcurrentRecompute(`another recompute of ${shop.domain} committed first`);
      await timed(phases, "scope", () => stageScope(tx, shop.id, scope));
      const before = full ? {} : await timed(phases, "snapshot", () => segmentTotals(tx, shop.id));
      await timed(phases, "metrics", () =>
        writeMetrics(tx, shop.id, scored, table.currency || shop.currencyCode, startedAt),
      );
      // A shop's first run is its baseline: nobody "entered" a segment, so no Flow triggers.
      // So is the first run under the purchase-model churn bands: bands moved because their
      // meaning changed, not because customers did.
      const changes = await timed(phases, "memberships", async () => {
        await stageMemberships(tx, scored, nextReference);
        return applyMemberships(tx, shop.id, {
          emitEvents: shop.lastRecomputeAt !== null && !(reference && !reference.purchase),
          at: startedAt,
        });
      });
      // After a full rewrite the planner's statistics describe the old tables (empty, on a
      // shop's first run); refresh them before the joins that follow.
      if (full)
        await timed(phases, "memberships", async () => {
          await tx.$executeRawUnsafe(`ANALYZE "SegmentMembership"`);
          await tx.$executeRawUnsafe(`ANALYZE "CustomerMetrics"`);
        });
      const counts: SnapshotCounts = full
        ? countSegments(scored, nextReference)
        : applyCountDelta(
            previous!.counts as unknown as SnapshotCounts,
            before,
            await timed(phases, "snapshot", () => segmentTotals(tx, shop.id)),
          );
      const tagsPending = await timed(phases, "tags", () =>
        recordDesiredTags(
          tx,
          shop.id,
          {
            tagPrefix: shop.tagPrefix,
            taggedFamilies: shop.taggedFamilies,
            writeMetafields: shop.writeMetafields,
          },
          nextReference,
        ),
      );
      // An incremental run that moved nobody and changed no total would only repeat the last
      // point of every "over time" chart: it keeps the previous snapshot.
      const unchanged =
        !full &&
        Object.keys(changes.movements).length === 0 &&
        isDeepStrictEqual(counts, previous!.counts);
      const snapshot = unchanged
        ? previous!
        : await tx.segmentSnapshot.create({
            data: {
              shopId: shop.id,
              takenAt: startedAt,
              kind: full ? "full" : "incremental",
              counts: counts as unknown as Prisma.InputJsonValue,
              movements: changes.movements,
              models: models as unknown as Prisma.InputJsonValue,
            },
          });
      await finish(tx, shop, startedAt, {
        reference: full ? nextReference : undefined,
        rescored: scored.customerCount,
        changed: fresh,
      });
      return { changes, tagsPending, snapshotId: snapshot.id };
    },
    { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 60_000 },
  );
  if (full) await prisma.$executeRawUnsafe(`ANALYZE "TagSyncState"`);
  return {
    kind: full ? "full" : "incremental",
    shopId: shop.id,
    reason: full ? (fullReason ?? "enough customers changed since the last fit") : undefined,
    customers: scored.customerCount,
    entered: written.changes.entered,
    left: written.changes.left,
    tagsPending: written.tagsPending,
    snapshotId: written.snapshotId,
    timings: {
      loadMs: Math.round(loaded - clock),
      scoreMs: Math.round(scoredAt - loaded),
      writeMs: Math.round(performance.now() - scoredAt),
      write: phases,
    },
  };
}

function refitThreshold(reference: ModelReference): number {
  return Math.max(REFIT_MIN_CUSTOMERS, REFIT_SHARE * reference.customers);
}

function whyFull(
  shop: Shop,
  reference: ModelReference | null,
  hasSnapshot: boolean,
  requested: boolean,
): string | null {
  if (requested) return "requested";
  if (shop.fullRecomputeRequestedAt) return "requested";
  if (!reference || reference.version !== 1 || !hasSnapshot) return "first run";
  if (!shop.recomputedThrough) return "first run";
  if (!reference.purchase) return "new purchase models";
  return null;
}

type Db = Pick<PrismaClient, "shop"> | Prisma.TransactionClient;

/** Moves the watermark and clears the requests this run has served. */
async function finish(
  db: Db,
  shop: Shop,
  startedAt: Date,
  outcome: { reference?: ModelReference; rescored?: number; changed?: number },
) {
  const full = outcome.reference !== undefined;
  await db.shop.update({
    where: { id: shop.id },
    data: {
      recomputedThrough: startedAt,
      lastRecomputeAt: outcome.rescored === undefined ? undefined : new Date(),
      ...(full
        ? {
            modelReference: outcome.reference as unknown as Prisma.InputJsonValue,
            modelFittedAt: startedAt,
            changedSinceFit: 0,
          }
        : { changedSinceFit: { increment: outcome.changed ?? 0 } }),
    },
  });
  await db.shop.updateMany({
    where: { id: shop.id, dirtySince: { lte: startedAt } },
    data: { dirtySince: null },
  });
  if (full)
    await db.shop.updateMany({
      where: { id: shop.id, fullRecomputeRequestedAt: { lte: startedAt } },
      data: { fullRecomputeRequestedAt: null },
    });
}
