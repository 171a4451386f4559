/**
 * Propensity to progress: the probability that a customer spends more in the next window than
 * in the previous one. Unlike churn risk (will she buy at all?) or tenure, this asks who is
 * *growing*. The model is a per-shop logistic regression trained on the shop's own history
 * with a time split:
 *
 *     ──────────────┬──────────────┬──────────────┬──────────────┐
 *        …history   │  window −1   │   window 0   │   window +1  │ as-of
 *                  c₂−W           c₂            c₁=as-of−W      as-of
 *
 *  - final model: features at c₁, label = spend(c₁, as-of] > spend(c₁−W, c₁];
 *  - backtest: a model trained the same way one window earlier (cut-off c₂ = c₁ − W) scores
 *    the customers at c₁; its AUC and calibration against the c₁ labels are reported. With
 *    too little history for that, customers held out by a hash of their id are used instead;
 *  - scores: the final model applied to features at the as-of date.
 *
 * With too little history or too few outcomes, a documented heuristic score stands in and the
 * report says so.
 */
import { closed, DEFAULT_MINIMUM_DATA, open, type GateDecision, type MinimumData } from "./gates";
import { fitLogistic, predictLogistic, sigmoid, type LogisticModel } from "./logistic";

export type { LogisticModel } from "./logistic";
import type { OrderTable } from "./orders";
import { areaUnderRoc, calibrationTable, hashString, median, type CalibrationBin } from "./stats";
import { spendBetween, summarizeCustomers, type CustomerSummaries } from "./summary";

export const PROPENSITY_FEATURES = [
  "valueTrend",
  "priceShift",
  "logCadenceRatio",
  "logDaysSinceLast",
  "logOrders",
  "logAov",
  "discountShare",
  "refundShare",
  "logPreviousWindowSpend",
  "logTenureDays",
  "emailConsent",
] as const;

export interface PropensityOptions {
  /** Label window length in days (default 90). */
  windowDays?: number;
  l2?: number;
  /** Per customer index: email marketing consent, if known. */
  emailConsent?: (customer: number) => boolean | undefined;
  minimumData?: MinimumData;
  /** Cap on training rows (deterministic hash sample) to bound time on huge shops. */
  maxTrainingCustomers?: number;
}

export interface PropensityBacktest {
  kind: "later-window" | "held-out-customers";
  auc: number;
  calibration: CalibrationBin[];
  trainCustomers: number;
  testCustomers: number;
  testPositiveRate: number;
}

export interface PropensityReport {
  method: "logistic" | "heuristic";
  gate: GateDecision;
  windowDays: number;
  /** Standardised coefficients by feature (logistic only). */
  coefficients?: Record<string, number>;
  intercept?: number;
  converged?: boolean;
  backtest?: PropensityBacktest;
}

export interface PropensityResult {
  /** Per customer; NaN for customers without orders. */
  scores: Float64Array;
  report: PropensityReport;
  /** The fitted model (logistic only), to score customers later without refitting. */
  model?: LogisticModel;
}

/** The usual gap between purchases in the shop: the fallback cadence of one-time buyers. */
export function shopMedianGapDays(s: CustomerSummaries): number {
  return median(s.meanGapDays, (i) => s.purchaseDays[i] > 1);
}

/**
 * Scores customers with a model fitted earlier (or the heuristic when there is none), the shop's
 * usual gap frozen with it: how an incremental recompute rescores a few changed customers.
 */
export function scorePropensity(
  table: OrderTable,
  s: CustomerSummaries,
  model: LogisticModel | undefined,
  options: {
    windowDays: number;
    shopGapDays: number;
    emailConsent?: PropensityOptions["emailConsent"];
  },
): Float64Array {
  if (model === undefined) return heuristicScores(s, options.shopGapDays);
  const rows = featureRows(
    table,
    s,
    options.windowDays,
    options.emailConsent,
    undefined,
    options.shopGapDays,
  );
  const scores = new Float64Array(s.count).fill(NaN);
  rows.customers.forEach((c, row) => (scores[c] = predictLogistic(model, rows.features, row * D)));
  return scores;
}

interface Dataset {
  features: Float64Array;
  labels: Uint8Array;
  /** Row → customer index. */
  customers: Int32Array;
  rows: number;
}

const D = PROPENSITY_FEATURES.length;

/** Feature rows for customers with orders by the cut-off (summaries taken at the cut-off). */
function featureRows(
  table: OrderTable,
  s: CustomerSummaries,
  windowDays: number,
  consent: PropensityOptions["emailConsent"],
  include: (customer: number) => boolean = () => true,
  shopGap = shopMedianGapDays(s),
): { features: Float64Array; customers: Int32Array } {
  const previousSpend = spendBetween(table, s.asOfDay - windowDays, s.asOfDay);
  const customers: number[] = [];
  for (let c = 0; c < s.count; c++) if (s.orders[c] > 0 && include(c)) customers.push(c);
  const features = new Float64Array(customers.length * D);
  customers.forEach((c, row) => {
    const gap =
      s.purchaseDays[c] > 1 ? s.meanGapDays[c] : Number.isNaN(shopGap) ? windowDays : shopGap;
    const consentGiven = consent?.(c);
    const values = [
      s.valueTrend[c],
      s.priceShift[c],
      Math.log1p(s.daysSinceLast[c] / Math.max(gap, 1)),
      Math.log1p(s.daysSinceLast[c]),
      Math.log1p(s.orders[c]),
      Math.log1p(s.aovMinor[c]),
      s.discountShare[c],
      s.refundShare[c],
      Math.log1p(previousSpend[c]),
      Math.log1p(s.asOfDay - s.firstDay[c]),
      consentGiven === undefined ? 0.5 : consentGiven ? 1 : 0,
    ];
    features.set(values, row * D);
  });
  return { features, customers: Int32Array.from(customers) };
}

function labelledDataset(
  table: OrderTable,
  cutoffDay: number,
  windowDays: number,
  options: PropensityOptions,
  include?: (customer: number) => boolean,
): Dataset {
  const s = summarizeCustomers(table, { asOfDay: cutoffDay });
  const { features, customers } = featureRows(table, s, windowDays, options.emailConsent, include);
  const before = spendBetween(table, cutoffDay - windowDays, cutoffDay);
  const after = spendBetween(table, cutoffDay, cutoffDay + windowDays);
  const labels = new Uint8Array(customers.length);
  customers.forEach((c, row) => (labels[row] = after[c] > before[c] ? 1 : 0));
  return { features, labels, customers, rows: customers.length };
}

function fit(data: Dataset, l2: number): LogisticModel {
  return fitLogistic(
    {
      features: data.features,
      labels: data.labels,
      rows: data.rows,
      featureNames: PROPENSITY_FEATURES,
    },
    l2,
  );
}

function evaluate(
  model: LogisticModel,
  data: Dataset,
): { auc: number; calibration: CalibrationBin[]; rate: number } {
  const predicted = new Float64Array(data.rows);
  let positives = 0;
  for (let i = 0; i < data.rows; i++) {
    predicted[i] = predictLogistic(model, data.features, i * D);
    positives += data.labels[i];
  }
  return {
    auc: areaUnderRoc(predicted, data.labels),
    calibration: calibrationTable(predicted, data.labels),
    rate: data.rows > 0 ? positives / data.rows : NaN,
  };
}

function countPositives(data: Dataset): number {
  let p = 0;
  for (let i = 0; i < data.rows; i++) p += data.labels[i];
  return p;
}

export function fitPropensity(
  table: OrderTable,
  current: CustomerSummaries,
  options: PropensityOptions = {},
): PropensityResult {
  const W = options.windowDays ?? 90;
  const l2 = options.l2 ?? 1;
  const min = (options.minimumData ?? DEFAULT_MINIMUM_DATA).propensity;
  const maxTraining = options.maxTrainingCustomers ?? 50_000;
  const asOf = current.asOfDay;
  const historyDays = table.day.length > 0 ? asOf - table.firstDay : 0;
  const heuristic = (gate: GateDecision): PropensityResult => ({
    scores: heuristicScores(current),
    report: { method: "heuristic", gate, windowDays: W },
  });
  if (historyDays < 2 * W) {
    return heuristic(
      closed(
        "propensity",
        "HISTORY_TOO_SHORT",
        `Propensity is learned from two consecutive ${W}-day windows; the shop has ${historyDays} days of history, so a heuristic score is shown instead.`,
      ),
    );
  }
  // Deterministic subsample of customers for training when the shop is huge.
  let withOrders = 0;
  for (let c = 0; c < current.count; c++) if (current.orders[c] > 0) withOrders++;
  const sampleRate = Math.min(1, maxTraining / Math.max(1, withOrders));
  const inSample = (c: number) =>
    sampleRate >= 1 || hashString(current.customerIds[c]) / 2 ** 32 < sampleRate;

  const c1 = asOf - W;
  const finalData = labelledDataset(table, c1, W, options, inSample);
  const positives = countPositives(finalData);
  const negatives = finalData.rows - positives;
  if (finalData.rows < min.customers || positives < min.positives || negatives < min.negatives) {
    return heuristic(
      closed(
        "propensity",
        finalData.rows < min.customers ? "TOO_FEW_CUSTOMERS" : "TOO_FEW_OUTCOMES",
        `Propensity needs at least ${min.customers} customers, ${min.positives} who spent more and ${min.negatives} who did not in the last window; the shop has ${finalData.rows}, ${positives} and ${negatives}, so a heuristic score is shown instead.`,
      ),
    );
  }

  let backtest: PropensityBacktest;
  const earlier =
    historyDays >= 3 * W ? labelledDataset(table, c1 - W, W, options, inSample) : undefined;
  if (
    earlier !== undefined &&
    countPositives(earlier) >= min.positives &&
    earlier.rows - countPositives(earlier) >= min.negatives
  ) {
    const result = evaluate(fit(earlier, l2), finalData);
    backtest = {
      kind: "later-window",
      auc: result.auc,
      calibration: result.calibration,
      trainCustomers: earlier.rows,
      testCustomers: finalData.rows,
      testPositiveRate: result.rate,
    };
  } else {
    const heldOut = (c: number) => hashString(`holdout:${current.customerIds[c]}`) % 5 === 0;
    const train = subset(finalData, (c) => !heldOut(c));
    const test = subset(finalData, heldOut);
    const result = evaluate(fit(train, l2), test);
    backtest = {
      kind: "held-out-customers",
      auc: result.auc,
      calibration: result.calibration,
      trainCustomers: train.rows,
      testCustomers: test.rows,
      testPositiveRate: result.rate,
    };
  }

  const model = fit(finalData, l2);
  const scoring = featureRows(table, current, W, options.emailConsent);
  const scores = new Float64Array(current.count).fill(NaN);
  scoring.customers.forEach(
    (c, row) => (scores[c] = predictLogistic(model, scoring.features, row * D)),
  );
  const coefficients: Record<string, number> = {};
  PROPENSITY_FEATURES.forEach((name, j) => (coefficients[name] = model.weights[j]));
  return {
    scores,
    model,
    report: {
      method: "logistic",
      gate: open("propensity"),
      windowDays: W,
      coefficients,
      intercept: model.intercept,
      converged: model.converged,
      backtest,
    },
  };
}

function subset(data: Dataset, keep: (customer: number) => boolean): Dataset {
  const rows: number[] = [];
  for (let i = 0; i < data.rows; i++) if (keep(data.customers[i])) rows.push(i);
  const features = new Float64Array(rows.length * D);
  const labels = new Uint8Array(rows.length);
  const customers = new Int32Array(rows.length);
  rows.forEach((i, k) => {
    features.set(data.features.subarray(i * D, (i + 1) * D), k * D);
    labels[k] = data.labels[i];
    customers[k] = data.customers[i];
  });
  return { features, labels, customers, rows: rows.length };
}

/**
 * The fallback when the shop's own history cannot train a model. A hand-set logistic score,
 * *not* a calibrated probability: rising order values (+), a move to pricier items (+), buying
 * on the customer's own rhythm rather than overdue (−, per log of days since last over the usual
 * gap), more orders (+), discount dependence (−) and refunds (−). Prospects get NaN.
 */
export function heuristicScores(
  s: CustomerSummaries,
  shopGap = shopMedianGapDays(s),
): Float64Array {
  const scores = new Float64Array(s.count).fill(NaN);
  for (let c = 0; c < s.count; c++) {
    if (s.orders[c] === 0) continue;
    const gap = s.purchaseDays[c] > 1 ? s.meanGapDays[c] : Number.isNaN(shopGap) ? 90 : shopGap;
    const overdue = Math.log1p(s.daysSinceLast[c] / Math.max(gap, 1));
    const eta =
      -0.5 +
      1.0 * clamp(s.valueTrend[c], -1, 1) +
      0.5 * clamp(s.priceShift[c], -1, 1) -
      0.8 * overdue +
      0.3 * Math.log1p(s.orders[c]) -
      0.6 * s.discountShare[c] -
      0.8 * s.refundShare[c];
    scores[c] = sigmoid(eta);
  }
  return scores;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
