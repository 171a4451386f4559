/**
 * Propensity to progress: the probability that a customer's spend per day over the next window
 * of W days exceeds her own rate so far — her spend since her first order divided by the days
 * since then (at least W, so a customer who has just arrived is compared with what she spent in
 * her first window). Unlike a fixed "previous window", which reduces to "buys at all" for the
 * many customers with nothing in it and penalises recent buyers by regression to the mean, the
 * label asks whether the customer is *growing* against her own record.
 *
 * Candidates, each turned into a calibrated probability by a logistic fit on the shop's history:
 *  - recency: days since the last order alone (label-free baseline);
 *  - expected-purchases: E[orders in W] from the fitted purchase model (label-free baseline);
 *  - purchase-model: the purchase model's chance of enough orders in W to beat the own rate at
 *    the customer's usual order value (forecaster.ts);
 *  - combined: a logistic regression on all of the above and the seed's signals — moves to
 *    pricier items, basket trend, order count and value, discount and refund shares, tenure,
 *    email consent.
 *
 * Backtest on held-out time:
 *
 *     ──────────────┬──────────────┬──────────────┐
 *        …history   │  window −1   │   window 0   │ as-of
 *                  c₂=as-of−2W   c₁=as-of−W     as-of
 *
 * every candidate is fitted with features at c₂ and labels over (c₂, c₁], then scored at c₁ and
 * compared with the labels over (c₁, as-of]: AUC and calibration. With too little history for
 * that, customers held out by a hash of their id stand in for the later window. The candidate
 * with the best AUC is refitted at c₁ and scores everyone as of the as-of date; a combined model
 * that loses to a label-free baseline is not shipped, the baseline is (ties go to the simpler).
 * Features at a cut-off see only the orders and refunds made by then (orders.orderTableAsOf).
 *
 * With too little history or too few outcomes, a documented heuristic score stands in and the
 * report says so.
 */
import type { PurchaseForecaster } from "./forecaster";
import { closed, DEFAULT_MINIMUM_DATA, open, type GateDecision, type MinimumData } from "./gates";
import { fitLogistic, predictLogistic, sigmoid, type LogisticModel } from "./logistic";

export type { LogisticModel } from "./logistic";
import { orderTableAsOf, type OrderTable } from "./orders";
import { areaUnderRoc, calibrationTable, hashString, median, type CalibrationBin } from "./stats";
import { spendBetween, summarizeCustomers, type CustomerSummaries } from "./summary";

export const PROPENSITY_FEATURES = [
  "logDaysSinceLast",
  "logExpectedPurchases",
  "logitGrowthChance",
  "logOwnRate",
  "valueTrend",
  "priceShift",
  "logOrders",
  "logAov",
  "discountShare",
  "refundShare",
  "logTenureDays",
  "emailConsent",
] as const;

type FeatureName = (typeof PROPENSITY_FEATURES)[number];

export const PROPENSITY_CANDIDATES = [
  "recency",
  "expected-purchases",
  "purchase-model",
  "combined",
] as const;
export type PropensityCandidate = (typeof PROPENSITY_CANDIDATES)[number];

const CANDIDATE_FEATURES: Record<PropensityCandidate, readonly FeatureName[]> = {
  recency: ["logDaysSinceLast"],
  "expected-purchases": ["logExpectedPurchases"],
  "purchase-model": ["logitGrowthChance"],
  combined: PROPENSITY_FEATURES,
};
const NEEDS_FORECASTER: ReadonlySet<PropensityCandidate> = new Set([
  "expected-purchases",
  "purchase-model",
]);

export interface PropensityOptions {
  /** Label window length in days (default 90). */
  windowDays?: number;
  l2?: number;
  /** Per customer index: email marketing consent, if known. */
  emailConsent?: (customer: number) => boolean | undefined;
  minimumData?: MinimumData;
  /** Cap on training rows (deterministic hash sample) to bound time on huge shops. */
  maxTrainingCustomers?: number;
  /** The purchase model fitted on the summaries of a cut-off (undefined: none usable). */
  forecasterAt?: (summaries: CustomerSummaries) => PurchaseForecaster | undefined;
  /** The purchase model as of the as-of date, for the final scores. */
  forecaster?: PurchaseForecaster;
}

export interface PropensityBacktest {
  kind: "later-window" | "held-out-customers";
  auc: number;
  calibration: CalibrationBin[];
  trainCustomers: number;
  testCustomers: number;
  testPositiveRate: number;
}

export interface PropensityCandidateResult {
  name: PropensityCandidate;
  /** Label-free baselines need no labels beyond a calibration of their scale. */
  labelFree: boolean;
  auc: number;
  calibration: CalibrationBin[];
}

export interface PropensityReport {
  method: "logistic" | "heuristic";
  gate: GateDecision;
  windowDays: number;
  /** The candidate whose scores are used (logistic only). */
  chosen?: PropensityCandidate;
  /** Every candidate's backtest on held-out time, best first. */
  candidates?: PropensityCandidateResult[];
  /** Standardised coefficients by feature of the shipped model (logistic only). */
  coefficients?: Record<string, number>;
  intercept?: number;
  converged?: boolean;
  /** The shipped candidate's backtest. */
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
 * Scores customers with a model fitted earlier (or the heuristic when there is none, or when it
 * was fitted on other features), the shop's usual gap frozen with it: how an incremental
 * recompute rescores a few changed customers.
 */
export function scorePropensity(
  table: OrderTable,
  s: CustomerSummaries,
  model: LogisticModel | undefined,
  options: {
    windowDays: number;
    shopGapDays: number;
    emailConsent?: PropensityOptions["emailConsent"];
    forecaster?: PurchaseForecaster;
  },
): Float64Array {
  const current =
    model !== undefined &&
    model.featureNames.length === PROPENSITY_FEATURES.length &&
    model.featureNames.every((name, j) => name === PROPENSITY_FEATURES[j]);
  if (!current) return heuristicScores(s, options.shopGapDays);
  const rows = featureRows(s, options.windowDays, options.emailConsent, options.forecaster);
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

/** The customer's spend per day so far: since her first order, over at least one window. */
export function ownRate(s: CustomerSummaries, c: number, windowDays: number): number {
  return s.totalSpendMinor[c] / Math.max(s.asOfDay - s.firstDay[c], windowDays);
}

/** Feature rows for customers with orders by the cut-off (summaries taken at the cut-off). */
function featureRows(
  s: CustomerSummaries,
  windowDays: number,
  consent: PropensityOptions["emailConsent"],
  forecaster: PurchaseForecaster | undefined,
  include: (customer: number) => boolean = () => true,
): { features: Float64Array; customers: Int32Array } {
  const customers: number[] = [];
  for (let c = 0; c < s.count; c++) if (s.orders[c] > 0 && include(c)) customers.push(c);
  const features = new Float64Array(customers.length * D);
  const finite = (v: number) => (Number.isFinite(v) ? v : 0);
  customers.forEach((c, row) => {
    const rate = ownRate(s, c, windowDays);
    const orderValue = s.aovMinor[c];
    // Orders needed in the window to beat the own rate at the usual order value.
    const needed = orderValue > 0 ? Math.floor((rate * windowDays) / orderValue) + 1 : 1;
    let expected = 0;
    let chance = 0.5;
    if (forecaster !== undefined) {
      expected = finite(forecaster.expectedPurchases(c, windowDays));
      chance = forecaster.probabilityAtLeast(c, Math.min(needed, 1000), windowDays);
      if (!Number.isFinite(chance)) chance = 0.5;
    }
    const clipped = Math.min(1 - 1e-6, Math.max(1e-6, chance));
    const consentGiven = consent?.(c);
    const values = [
      Math.log1p(s.daysSinceLast[c]),
      Math.log1p(Math.max(0, expected)),
      Math.log(clipped / (1 - clipped)),
      Math.log1p(rate),
      s.valueTrend[c],
      s.priceShift[c],
      Math.log1p(s.orders[c]),
      Math.log1p(s.aovMinor[c]),
      s.discountShare[c],
      s.refundShare[c],
      Math.log1p(s.asOfDay - s.firstDay[c]),
      consentGiven === undefined ? 0.5 : consentGiven ? 1 : 0,
    ];
    features.set(values.map(finite), row * D);
  });
  return { features, customers: Int32Array.from(customers) };
}

/**
 * Features as of `cutoffDay` (orders and refunds made by then) and labels over
 * (cutoff, cutoff + W]: spend per day in the window above the own rate at the cut-off.
 */
function labelledDataset(
  table: OrderTable,
  cutoffDay: number,
  windowDays: number,
  options: PropensityOptions,
  include?: (customer: number) => boolean,
): Dataset & { forecaster: boolean } {
  const s = summarizeCustomers(orderTableAsOf(table, cutoffDay), { asOfDay: cutoffDay });
  const forecaster = options.forecasterAt?.(s);
  const { features, customers } = featureRows(
    s,
    windowDays,
    options.emailConsent,
    forecaster,
    include,
  );
  const after = spendBetween(
    orderTableAsOf(table, cutoffDay + windowDays),
    cutoffDay,
    cutoffDay + windowDays,
  );
  const labels = new Uint8Array(customers.length);
  customers.forEach((c, row) => (labels[row] = progressLabel(s, c, after[c], windowDays)));
  return { features, labels, customers, rows: customers.length, forecaster: !!forecaster };
}

/** 1 when the spend per day over the window beats the customer's own rate at the cut-off. */
export function progressLabel(
  s: CustomerSummaries,
  c: number,
  spendInWindow: number,
  windowDays: number,
): 0 | 1 {
  return spendInWindow / windowDays > ownRate(s, c, windowDays) ? 1 : 0;
}

/** Fits a candidate on its own features and lays it out over the full feature row. */
function fitCandidate(data: Dataset, candidate: PropensityCandidate, l2: number): LogisticModel {
  const names = CANDIDATE_FEATURES[candidate];
  const columns = names.map((name) => PROPENSITY_FEATURES.indexOf(name));
  const k = columns.length;
  const features = new Float64Array(data.rows * k);
  for (let i = 0; i < data.rows; i++) {
    for (let j = 0; j < k; j++) features[i * k + j] = data.features[i * D + columns[j]];
  }
  const model = fitLogistic(
    { features, labels: data.labels, rows: data.rows, featureNames: names },
    l2,
  );
  const full: LogisticModel = {
    featureNames: PROPENSITY_FEATURES,
    means: new Float64Array(D),
    scales: new Float64Array(D).fill(1),
    weights: new Float64Array(D),
    intercept: model.intercept,
    converged: model.converged,
    iterations: model.iterations,
  };
  columns.forEach((column, j) => {
    full.means[column] = model.means[j];
    full.scales[column] = model.scales[j];
    full.weights[column] = model.weights[j];
  });
  return full;
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
        `Propensity needs at least ${min.customers} customers, ${min.positives} who outgrew their own spending rate and ${min.negatives} who did not in the last window; the shop has ${finalData.rows}, ${positives} and ${negatives}, so a heuristic score is shown instead.`,
      ),
    );
  }

  // The purchase-model candidates run only where a purchase model scores the as-of date too.
  const usable = PROPENSITY_CANDIDATES.filter(
    (name) =>
      !NEEDS_FORECASTER.has(name) || (options.forecaster !== undefined && finalData.forecaster),
  );
  const earlier =
    historyDays >= 3 * W ? labelledDataset(table, c1 - W, W, options, inSample) : undefined;
  let train: Dataset;
  let test: Dataset;
  let kind: PropensityBacktest["kind"];
  if (
    earlier !== undefined &&
    earlier.forecaster === finalData.forecaster &&
    countPositives(earlier) >= min.positives &&
    earlier.rows - countPositives(earlier) >= min.negatives
  ) {
    [train, test, kind] = [earlier, finalData, "later-window"];
  } else {
    const heldOut = (c: number) => hashString(`holdout:${current.customerIds[c]}`) % 5 === 0;
    [train, test, kind] = [
      subset(finalData, (c) => !heldOut(c)),
      subset(finalData, heldOut),
      "held-out-customers",
    ];
  }
  const candidates = usable.map((name) => {
    const result = evaluate(fitCandidate(train, name, l2), test);
    return { name, labelFree: name !== "combined", ...result };
  });
  // Best AUC wins; among equals the simpler (earlier in the list): a combined model that does
  // not beat the baselines is never shipped.
  let best = candidates[0];
  for (const candidate of candidates) if (candidate.auc > best.auc) best = candidate;

  const model = fitCandidate(finalData, best.name, l2);
  const scoring = featureRows(current, W, options.emailConsent, options.forecaster);
  const scores = new Float64Array(current.count).fill(NaN);
  scoring.customers.forEach(
    (c, row) => (scores[c] = predictLogistic(model, scoring.features, row * D)),
  );
  const coefficients: Record<string, number> = {};
  PROPENSITY_FEATURES.forEach((name, j) => {
    if (model.weights[j] !== 0) coefficients[name] = model.weights[j];
  });
  return {
    scores,
    model,
    report: {
      method: "logistic",
      gate: open("propensity"),
      windowDays: W,
      chosen: best.name,
      candidates: [...candidates]
        .sort((a, b) => b.auc - a.auc)
        .map(({ name, labelFree, auc, calibration }) => ({ name, labelFree, auc, calibration })),
      coefficients,
      intercept: model.intercept,
      converged: model.converged,
      backtest: {
        kind,
        auc: best.auc,
        calibration: best.calibration,
        trainCustomers: train.rows,
        testCustomers: test.rows,
        testPositiveRate: best.rate,
      },
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
