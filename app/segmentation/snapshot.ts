/**
 * What a recompute records for the merchant pages: segment sizes and value, movements between
 * segments, and the model reports that say why a score can be trusted. Stored as JSON in
 * SegmentSnapshot, one row per recompute.
 */
import type { PurchaseReport } from "./purchaseStage";
import type { BgNbdParams } from "./bgnbd";
import { bgnbdGate, DEFAULT_MINIMUM_DATA, type GateDecision } from "./gates";
import type { ModelReports, SegmentationResult } from "./engine";
import { fitBgNbd } from "./bgnbd";
import type { GammaGammaParams } from "./gammaGamma";
import { compressHistories } from "./histories";
import { compareHoldout, type HoldoutComparison } from "./holdout";
import type { LoyaltyMetrics } from "./loyalty";
import { majorToMinor } from "./money";
import { segmentKeysOf, type ModelReference, type ScoredCustomers } from "./reference";
import type { OrderTable } from "./orders";
import type { PropensityReport } from "./propensity";
import { summarizeCustomers } from "./summary";
import { DAYS_PER_UNIT, dayToIsoDate } from "./time";

export interface SegmentTotals {
  customers: number;
  /** The members' counted orders to date: revenue / orders is the segment's AOV. */
  orders: number;
  /** Sum of the members' net spend to date, minor units. */
  revenueMinor: number;
  /** Sum of the members' predicted 12-month CLV, minor units. */
  clvMinor: number;
}

export type SnapshotCounts = Record<string, SegmentTotals>;

/** "fromKey->toKey" → customers; "(none)" stands for entering or leaving a family. */
export type SnapshotMovements = Record<string, number>;

export const OUTSIDE = "(none)";

export function movementKey(from: string | null, to: string | null): string {
  return `${from ?? OUTSIDE}->${to ?? OUTSIDE}`;
}

export interface SnapshotModels {
  asOf: string;
  customers: number;
  gates: GateDecision[];
  bgnbd?: { params: BgNbdParams; logLikelihood: number; converged: boolean };
  gammaGamma?: { params: GammaGammaParams; spendFrequencyCorrelation?: number };
  propensity: PropensityReport;
  holdout?: HoldoutComparison;
  /** Why there is no holdout comparison, for the model trust page. */
  holdoutSkipped?: string;
  clvBasis: ModelReports["clvBasis"];
  spendTierBasis: ModelReports["spendTierBasis"];
  loyalty: LoyaltyMetrics;
  /** Purchase model in use, the holdout comparison, churn horizon and bands (absent before). */
  purchase?: PurchaseReport;
}

/** A segment's average CLV per member and value per order, minor units; null when unknown. */
export function segmentAverages(totals: SegmentTotals | null | undefined): {
  avgClvMinor: number | null;
  avgAovMinor: number | null;
} {
  if (!totals || totals.customers === 0) return { avgClvMinor: null, avgAovMinor: null };
  return {
    avgClvMinor: Math.round(totals.clvMinor / totals.customers),
    avgAovMinor: totals.orders > 0 ? Math.round(totals.revenueMinor / totals.orders) : null,
  };
}

/** Segment totals of scored customers (a full run's snapshot, counted as the rows are written). */
export function countSegments(scored: ScoredCustomers, reference: ModelReference): SnapshotCounts {
  const counts: SnapshotCounts = {};
  const s = scored.columns.summaries;
  for (let i = 0; i < scored.customerCount; i++) {
    const record = scored.customerRecord(i);
    const clvMinor = record.clv === null ? 0 : majorToMinor(record.clv, s.currency);
    for (const key of segmentKeysOf(record, reference)) {
      const totals = (counts[key] ??= { customers: 0, orders: 0, revenueMinor: 0, clvMinor: 0 });
      totals.customers++;
      totals.orders += s.orders[i];
      totals.revenueMinor += s.totalSpendMinor[i];
      totals.clvMinor += clvMinor;
    }
  }
  return counts;
}

/** Adds `after` and subtracts `before` (the changed customers' old and new contributions). */
export function applyCountDelta(
  previous: SnapshotCounts,
  before: SnapshotCounts,
  after: SnapshotCounts,
): SnapshotCounts {
  const next: SnapshotCounts = {};
  const keys = new Set([...Object.keys(previous), ...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    const zero = { customers: 0, orders: 0, revenueMinor: 0, clvMinor: 0 };
    const p = previous[key] ?? zero;
    const b = before[key] ?? zero;
    const a = after[key] ?? zero;
    const totals = {
      customers: p.customers - b.customers + a.customers,
      // Snapshots written before order counts were kept lack them: start from zero.
      orders: (p.orders ?? 0) - b.orders + a.orders,
      revenueMinor: p.revenueMinor - b.revenueMinor + a.revenueMinor,
      clvMinor: p.clvMinor - b.clvMinor + a.clvMinor,
    };
    if (totals.customers > 0) next[key] = totals;
  }
  return next;
}

/**
 * Fader, Hardie & Lee's holdout check of the churn model on this shop's own data: refit on the
 * history up to `holdoutDays` before the as-of date and compare predicted with actual repeat
 * purchases over those days.
 */
export function holdoutValidation(
  table: OrderTable,
  result: SegmentationResult,
): { holdout?: HoldoutComparison; skipped?: string } {
  if (!result.models.bgnbd.gate.used)
    return { skipped: "The churn model did not run, so there is nothing to validate." };
  const historyDays = result.asOfDay - table.firstDay;
  const holdoutDays = Math.min(182, Math.floor(historyDays / 3));
  if (holdoutDays < 28)
    return {
      skipped: `A holdout check needs at least 12 weeks of history; the shop has ${historyDays} days.`,
    };
  const calibrationEnd = result.asOfDay - holdoutDays;
  const summaries = summarizeCustomers(table, {
    asOfDay: calibrationEnd,
    timeUnit: result.timeUnit,
  });
  const facts = {
    customersWithOrders: 0,
    repeatBuyers: 0,
    historyDays: calibrationEnd - table.firstDay,
  };
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  for (let i = 0; i < summaries.count; i++) {
    if (summaries.orders[i] === 0) continue;
    facts.customersWithOrders++;
    if (summaries.frequency[i] > 0) facts.repeatBuyers++;
    x.push(summaries.frequency[i]);
    tx.push(summaries.recencyDays[i]);
    T.push(summaries.ageDays[i]);
  }
  const gate = bgnbdGate(facts, DEFAULT_MINIMUM_DATA);
  if (!gate.used) return { skipped: `Too little data before the holdout period: ${gate.reason}` };
  const fit = fitBgNbd(compressHistories(x, tx, T, DAYS_PER_UNIT[result.timeUnit]));
  if (!fit.converged)
    return { skipped: `The calibration-period model did not converge (${fit.message}).` };
  try {
    return { holdout: compareHoldout(table, summaries, fit.params, result.asOfDay) };
  } catch (error) {
    // Parameters at the edge of their range make the series behind E[Y(t)] diverge.
    if (!(error instanceof RangeError)) throw error;
    return {
      skipped: "The calibration-period model's parameters are too extreme to evaluate.",
    };
  }
}

export function snapshotModels(table: OrderTable, result: SegmentationResult): SnapshotModels {
  const { models } = result;
  const validation = holdoutValidation(table, result);
  return {
    asOf: dayToIsoDate(result.asOfDay),
    customers: result.customerCount,
    gates: result.gates,
    bgnbd: models.bgnbd.fit && {
      params: models.bgnbd.fit.params,
      logLikelihood: models.bgnbd.fit.logLikelihood,
      converged: models.bgnbd.fit.converged,
    },
    gammaGamma: models.gammaGamma.fit && {
      params: models.gammaGamma.fit.params,
      spendFrequencyCorrelation: models.gammaGamma.spendFrequencyCorrelation,
    },
    propensity: models.propensity,
    holdout: validation.holdout,
    holdoutSkipped: validation.skipped,
    clvBasis: models.clvBasis,
    spendTierBasis: models.spendTierBasis,
    loyalty: result.loyalty,
    purchase: models.purchase,
  };
}
