/**
 * Do the churn bands hold up on the shop's own held-out time? The history is cut at a split
 * day at least H (the shop's churn horizon) before the as-of date; the purchase model in use (or
 * the Kaplan–Meier fallback) is fitted on what was known at the split, every customer is scored
 * and banded exactly as a run does (churn.ts), and each band's share of customers who ordered
 * again in the H days after the split is counted.
 *
 * A band rule is only worth something if it beats what a merchant can see without a model, so
 * the same customers are also grouped by recency alone (days since the last order) into groups
 * of the same sizes as LOW, MEDIUM and HIGH, and both the churn score and recency are scored by
 * their AUC for "no order within H". The model trust page shows both side by side.
 */
import {
  churnBand,
  kaplanMeierChurn,
  kaplanMeierCurves,
  modelChurn,
  typicalHistory,
  type ChurnBand,
} from "./churn";
import { compressHistories } from "./histories";
import { CALIBRATION_MIN_DAYS, SELECTION_SAMPLE } from "./modelSelection";
import type { OrderTable } from "./orders";
import { fitPurchaseModel, type PurchaseModel, type PurchaseModelName } from "./purchaseModel";
import { areaUnderRoc } from "./stats";
import { purchaseDaysBetween, summarizeCustomers } from "./summary";
import { DAYS_PER_UNIT, type TimeUnit } from "./time";

export const CHURN_BANDS: readonly ChurnBand[] = ["LOW", "MEDIUM", "HIGH"];
/** Fewer customers than this at the split say nothing about a band's share. */
export const BAND_CALIBRATION_MIN_CUSTOMERS = 20;

export interface BandShare {
  customers: number;
  orderedAgain: number;
  /** orderedAgain / customers; null for an empty group. */
  rate: number | null;
}

export interface BandCalibrationRow extends BandShare {
  /** Mean predicted chance of ordering within H (1 − churn score); null for an empty band. */
  predicted: number | null;
  /** The same-sized group of customers picked by recency alone. */
  recency: BandShare;
}

export interface BandCalibration {
  basis: "model" | "kaplan-meier";
  /** The history up to this day was used to score; the H days after it are held out. */
  splitDay: number;
  horizonDays: number;
  customers: number;
  /** Share of all scored customers who ordered again within H. */
  overallRate: number | null;
  bands: Record<ChurnBand, BandCalibrationRow>;
  /** AUC of the churn score for "no order within H" (0.5 = chance). */
  auc: number | null;
  /** AUC of days since the last order for the same outcome: the label-free baseline. */
  recencyAuc: number | null;
}

const share = (customers: number, orderedAgain: number): BandShare => ({
  customers,
  orderedAgain,
  rate: customers > 0 ? orderedAgain / customers : null,
});

/**
 * The calibration table from scored customers (pure; index i is one customer). Customers with
 * no band or a non-finite score or recency are left out. Recency groups: customers sorted by
 * days since their last order (most recent first, ties by index so the split is
 * deterministic) fill LOW, then MEDIUM, then HIGH with as many customers as the churn bands hold.
 */
export function bandCalibration(input: {
  score: ArrayLike<number>;
  band: ArrayLike<ChurnBand | null>;
  orderedAgain: ArrayLike<boolean>;
  daysSinceLast: ArrayLike<number>;
}): Pick<BandCalibration, "customers" | "overallRate" | "bands" | "auc" | "recencyAuc"> {
  const kept: number[] = [];
  for (let i = 0; i < input.score.length; i++)
    if (
      input.band[i] !== null &&
      Number.isFinite(input.score[i]) &&
      Number.isFinite(input.daysSinceLast[i])
    )
      kept.push(i);
  const counts = { LOW: 0, MEDIUM: 0, HIGH: 0 };
  const again = { LOW: 0, MEDIUM: 0, HIGH: 0 };
  const predictedSum = { LOW: 0, MEDIUM: 0, HIGH: 0 };
  let total = 0;
  for (const i of kept) {
    const b = input.band[i]!;
    counts[b]++;
    predictedSum[b] += 1 - input.score[i];
    if (input.orderedAgain[i]) {
      again[b]++;
      total++;
    }
  }
  const byRecency = [...kept].sort(
    (i, j) => input.daysSinceLast[i] - input.daysSinceLast[j] || i - j,
  );
  const recencyAgain = { LOW: 0, MEDIUM: 0, HIGH: 0 };
  let k = 0;
  for (const b of CHURN_BANDS)
    for (let m = 0; m < counts[b]; m++, k++)
      if (input.orderedAgain[byRecency[k]]) recencyAgain[b]++;
  const bands = Object.fromEntries(
    CHURN_BANDS.map((b) => [
      b,
      {
        ...share(counts[b], again[b]),
        predicted: counts[b] > 0 ? predictedSum[b] / counts[b] : null,
        recency: share(counts[b], recencyAgain[b]),
      },
    ]),
  ) as Record<ChurnBand, BandCalibrationRow>;
  const noOrder = kept.map((i) => (input.orderedAgain[i] ? 0 : 1));
  const auc = (values: number[]) => {
    const a = areaUnderRoc(values, noOrder);
    return Number.isFinite(a) ? a : null;
  };
  return {
    customers: kept.length,
    overallRate: kept.length > 0 ? total / kept.length : null,
    bands,
    auc: auc(kept.map((i) => input.score[i])),
    recencyAuc: auc(kept.map((i) => input.daysSinceLast[i])),
  };
}

export interface BandBacktestInput {
  table: OrderTable;
  asOfDay: number;
  timeUnit: TimeUnit;
  horizonDays: number;
  bandRatios: { high: number; medium: number };
  /** The purchase model in use, or null under the Kaplan–Meier fallback. */
  model: PurchaseModelName | null;
  /**
   * A fit of that model made without the held-out time (the model selection's calibration
   * fit), reused when at least H days follow its split; otherwise the model is refitted.
   */
  prefit?: { model: PurchaseModel; splitDay: number };
}

/**
 * The churn bands backtested on held-out time, or null when the history before the split is
 * too short (or too few customers had ordered by then) to say anything.
 */
export function backtestChurnBands(input: BandBacktestInput): BandCalibration | null {
  const { table, asOfDay, timeUnit, horizonDays, bandRatios } = input;
  if (table.day.length === 0) return null;
  const unitDays = DAYS_PER_UNIT[timeUnit];
  const prefit =
    input.model !== null &&
    input.prefit &&
    input.prefit.model.name === input.model &&
    asOfDay - input.prefit.splitDay >= horizonDays
      ? input.prefit
      : undefined;
  const splitDay = prefit?.splitDay ?? asOfDay - horizonDays;
  if (splitDay - table.firstDay < CALIBRATION_MIN_DAYS) return null;

  const s = summarizeCustomers(table, { asOfDay: splitDay, timeUnit });
  const ordered = purchaseDaysBetween(table, splitDay, splitDay + horizonDays);
  const eligible: number[] = [];
  for (let c = 0; c < s.count; c++) if (s.orders[c] > 0) eligible.push(c);
  if (eligible.length < BAND_CALIBRATION_MIN_CUSTOMERS) return null;
  const hasOrders = (i: number) => s.orders[i] > 0;

  let customers: number[];
  let score: Float64Array;
  if (input.model === null) {
    const km = kaplanMeierCurves(table, splitDay);
    const typical = typicalHistory(s.purchaseDays, s.ageDays, hasOrders);
    const baseline = kaplanMeierChurn(km, typical.x, 0, horizonDays).score;
    customers = eligible;
    score = Float64Array.from(
      customers,
      (c) => kaplanMeierChurn(km, s.purchaseDays[c], s.daysSinceLast[c], horizonDays).score,
    );
    return finish("kaplan-meier", baseline);
  }

  // As in model selection: a deterministic sample bounds the cost of a refit.
  const stride = Math.max(1, Math.ceil(eligible.length / SELECTION_SAMPLE));
  customers = eligible.filter((_, k) => k % stride === 0);
  const histories = compressHistories(
    customers.map((c) => s.frequency[c]),
    customers.map((c) => s.recencyDays[c]),
    customers.map((c) => s.ageDays[c]),
    unitDays,
  );
  const model = prefit?.model ?? fitPurchaseModel(input.model, histories).model;
  const horizon = horizonDays / unitDays;
  const typical = typicalHistory(s.frequency, s.age, hasOrders);
  const baseline = modelChurn(model, horizon, typical.x, typical.T, typical.T).score;
  const distinct = new Float64Array(histories.x.length);
  for (let k = 0; k < distinct.length; k++)
    distinct[k] = modelChurn(model, horizon, histories.x[k], histories.tx[k], histories.T[k]).score;
  score = Float64Array.from(customers, (_, j) => distinct[histories.inverse[j]]);
  return finish("model", baseline);

  function finish(basis: BandCalibration["basis"], baseline: number): BandCalibration {
    const table = bandCalibration({
      score,
      band: Array.from(score, (v) => churnBand(v, baseline, bandRatios)),
      orderedAgain: customers.map((c) => ordered[c] > 0),
      daysSinceLast: customers.map((c) => s.daysSinceLast[c]),
    });
    return { basis, splitDay, horizonDays, ...table };
  }
}

export interface BandVerdict {
  /** LOW's share who ordered again above MEDIUM's above HIGH's (empty bands skipped). */
  ordered: boolean;
  /** LOW − HIGH share who ordered again, for the bands and for the recency groups. */
  spread: number | null;
  recencySpread: number | null;
  /** The churn score ranks "no order within H" better than days since the last order. */
  beatsRecency: boolean | null;
}

/** How the bands did against the recency baseline, in the terms the trust page states. */
export function bandVerdict(c: Pick<BandCalibration, "bands" | "auc" | "recencyAuc">): BandVerdict {
  const rates = CHURN_BANDS.map((b) => c.bands[b].rate).filter((r): r is number => r !== null);
  const ordered = rates.every((r, i) => i === 0 || rates[i - 1] > r);
  const low = c.bands.LOW;
  const high = c.bands.HIGH;
  const spread = low.rate !== null && high.rate !== null ? low.rate - high.rate : null;
  const recencySpread =
    low.recency.rate !== null && high.recency.rate !== null
      ? low.recency.rate - high.recency.rate
      : null;
  const beatsRecency = c.auc !== null && c.recencyAuc !== null ? c.auc > c.recencyAuc : null;
  return { ordered, spread, recencySpread, beatsRecency };
}
