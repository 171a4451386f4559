/**
 * Does the churn band hold up on what happened next? For customers scored as of a date, the
 * share of each band who ordered again in the following window, and the AUC of the churn score
 * for "no order in the window" (0.5 = no better than chance). The same is measured for the
 * previous band rule (BG/NBD P(alive) below 0.3 / 0.7), so a report can show before and after.
 */
import { churnRiskBand, probabilityAlive, type BgNbdParams } from "./bgnbd";
import type { SegmentationResult } from "./engine";
import type { OrderTable } from "./orders";
import { areaUnderRoc } from "./stats";
import { purchaseDaysBetween } from "./summary";

export interface BandOutcome {
  customers: number;
  orderedAgain: number;
  /** orderedAgain / customers; null for an empty band. */
  rate: number | null;
}

export interface ChurnBacktest {
  windowDays: number;
  customers: number;
  /** The band rule in use: churn score over the shop's horizon, relative bands. */
  after: { bands: Record<"LOW" | "MEDIUM" | "HIGH", BandOutcome>; auc: number | null };
  /** The previous rule: BG/NBD P(alive) bands (null when BG/NBD was not fitted). */
  before: { bands: Record<"LOW" | "MEDIUM" | "HIGH", BandOutcome>; auc: number | null } | null;
}

const emptyBands = () => ({
  LOW: { customers: 0, orderedAgain: 0, rate: null as number | null },
  MEDIUM: { customers: 0, orderedAgain: 0, rate: null as number | null },
  HIGH: { customers: 0, orderedAgain: 0, rate: null as number | null },
});

export function churnBacktest(
  table: OrderTable,
  result: SegmentationResult,
  windowDays: number,
): ChurnBacktest {
  const s = result.columns.summaries;
  const ordered = purchaseDaysBetween(table, result.asOfDay, result.asOfDay + windowDays);
  const after = emptyBands();
  const before = emptyBands();
  const bg: BgNbdParams | undefined = result.models.bgnbd.fit?.params;
  const scores: number[] = [];
  const oldScores: number[] = [];
  const noOrder: number[] = [];
  for (let c = 0; c < s.count; c++) {
    if (s.orders[c] === 0) continue;
    const again = ordered[c] > 0 ? 1 : 0;
    const band = result.columns.churnRisk[c];
    const score = result.columns.churnScore[c];
    if (band === null || !Number.isFinite(score)) continue;
    after[band].customers++;
    after[band].orderedAgain += again;
    scores.push(score);
    noOrder.push(1 - again);
    if (bg) {
      const alive = probabilityAlive(bg, s.frequency[c], s.recency[c], s.age[c]);
      const old = churnRiskBand(alive);
      before[old].customers++;
      before[old].orderedAgain += again;
      oldScores.push(1 - alive);
    }
  }
  const finish = (bands: ReturnType<typeof emptyBands>) => {
    for (const b of Object.values(bands))
      b.rate = b.customers > 0 ? b.orderedAgain / b.customers : null;
    return bands;
  };
  const auc = (v: number[]) => {
    const a = areaUnderRoc(v, noOrder);
    return Number.isFinite(a) ? a : null;
  };
  return {
    windowDays,
    customers: scores.length,
    after: { bands: finish(after), auc: auc(scores) },
    before: bg ? { bands: finish(before), auc: auc(oldScores) } : null,
  };
}
