/**
 * Which purchase model a shop uses, decided on the shop's own held-out time.
 *
 * The history up to the as-of date is split in time: the last third (at least 28 days, at most
 * 365) is the holdout, the rest calibration. Each model (BG/NBD, MBG/NBD, Pareto/NBD) is
 * fitted on the calibration summaries of the customers who had ordered by the split, and
 * scored on what they did in the holdout:
 *  - Brier score of P(any order in the holdout) = 1 − S_holdout against whether they ordered
 *    — the quantity the churn score is, so the primary criterion (lower is better);
 *  - RMSE of E[orders in holdout] against the actual count, and the predicted vs actual total.
 * In-sample likelihood is reported but never decides: a model with more flexibility always
 * fits the calibration data at least as well.
 *
 * For speed a shop with more than SELECTION_SAMPLE customers is fitted and scored on a
 * deterministic sample of about that many (every k-th customer).
 */
import { modelChurn } from "./churn";
import { compressHistories } from "./histories";
import type { OrderTable } from "./orders";
import {
  aliveProbability,
  expectedPurchasesIfAlive,
  fitPurchaseModel,
  PURCHASE_MODELS,
  type PurchaseModel,
  type PurchaseModelName,
} from "./purchaseModel";
import { purchaseDaysBetween, summarizeCustomers } from "./summary";
import { DAYS_PER_UNIT, type TimeUnit } from "./time";

/**
 * Customers a model is fitted and scored on. Pareto/NBD's likelihood costs two ₂F₁ per
 * distinct history and evaluation, so this bounds a run's model-fitting time; estimates from
 * 25,000 customers are already tight (the Laplace intervals show how tight).
 */
export const SELECTION_SAMPLE = 25_000;
export const HOLDOUT_SHARE = 1 / 3;
export const HOLDOUT_MIN_DAYS = 28;
export const HOLDOUT_MAX_DAYS = 365;
/** A calibration window shorter than this cannot separate "slow" from "gone". */
export const CALIBRATION_MIN_DAYS = 60;

export interface ModelScore {
  model: PurchaseModelName;
  converged: boolean;
  /** In-sample Σ ln L on the calibration sample (reported, not used to choose). */
  calibrationLogLikelihood: number | null;
  /** Mean of (P(order in holdout) − ordered)²; lower is better. */
  brier: number | null;
  /** Root mean squared error of expected vs actual holdout orders. */
  rmse: number | null;
  predictedOrders: number | null;
  actualOrders: number;
  error?: string;
}

export interface ModelSelection {
  selected: PurchaseModelName;
  /** "holdout" when the comparison decided; "default" when the history was too short. */
  basis: "holdout" | "default";
  calibrationEnd: number;
  holdoutDays: number;
  customers: number;
  scores: ModelScore[];
}

export const DEFAULT_PURCHASE_MODEL: PurchaseModelName = "bgnbd";

export function selectPurchaseModel(
  table: OrderTable,
  asOfDay: number,
  timeUnit: TimeUnit,
  /** Filled with each converged calibration fit (fitted up to `calibrationEnd`), for reuse. */
  calibrationFits?: Partial<Record<PurchaseModelName, PurchaseModel>>,
): ModelSelection {
  const unitDays = DAYS_PER_UNIT[timeUnit];
  const historyDays = table.day.length > 0 ? asOfDay - table.firstDay : 0;
  const holdoutDays = Math.round(
    Math.min(HOLDOUT_MAX_DAYS, Math.max(HOLDOUT_MIN_DAYS, historyDays * HOLDOUT_SHARE)),
  );
  const calibrationEnd = asOfDay - holdoutDays;
  const fallback = (): ModelSelection => ({
    selected: DEFAULT_PURCHASE_MODEL,
    basis: "default",
    calibrationEnd,
    holdoutDays,
    customers: 0,
    scores: [],
  });
  if (historyDays - holdoutDays < CALIBRATION_MIN_DAYS) return fallback();

  const s = summarizeCustomers(table, { asOfDay: calibrationEnd, timeUnit });
  const actual = purchaseDaysBetween(table, calibrationEnd, asOfDay);
  const eligible: number[] = [];
  for (let c = 0; c < s.count; c++) if (s.orders[c] > 0) eligible.push(c);
  const stride = Math.max(1, Math.ceil(eligible.length / SELECTION_SAMPLE));
  const sample = eligible.filter((_, k) => k % stride === 0);
  let repeat = 0;
  for (const c of sample) if (s.frequency[c] > 0) repeat++;
  if (sample.length < 50 || repeat < 10) return fallback();

  const x = sample.map((c) => s.frequency[c]);
  const txDays = sample.map((c) => s.recencyDays[c]);
  const TDays = sample.map((c) => s.ageDays[c]);
  const histories = compressHistories(x, txDays, TDays, unitDays);
  const horizon = holdoutDays / unitDays;
  let actualOrders = 0;
  for (const c of sample) actualOrders += actual[c];

  const scores: ModelScore[] = PURCHASE_MODELS.map((name) => {
    try {
      const fit = fitPurchaseModel(name, histories);
      if (calibrationFits && fit.converged) calibrationFits[name] = fit.model;
      const { brier, rmse, predicted } = holdoutScores(
        fit.model,
        histories,
        sample,
        actual,
        horizon,
      );
      const finite = [brier, rmse, predicted].every(Number.isFinite);
      return {
        model: name,
        converged: fit.converged,
        calibrationLogLikelihood: fit.logLikelihood,
        brier: finite ? brier : null,
        rmse: finite ? rmse : null,
        predictedOrders: finite ? predicted : null,
        actualOrders,
      };
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      return {
        model: name,
        converged: false,
        calibrationLogLikelihood: null,
        brier: null,
        rmse: null,
        predictedOrders: null,
        actualOrders,
        error: error.message,
      };
    }
  });
  const usable = scores.filter((sc) => sc.converged && sc.brier !== null);
  if (usable.length === 0) return { ...fallback(), customers: sample.length, scores };
  usable.sort((a, b) => (a.brier ?? Infinity) - (b.brier ?? Infinity));
  return {
    selected: usable[0].model,
    basis: "holdout",
    calibrationEnd,
    holdoutDays,
    customers: sample.length,
    scores,
  };
}

function holdoutScores(
  model: PurchaseModel,
  histories: ReturnType<typeof compressHistories>,
  sample: number[],
  actual: Int32Array,
  horizon: number,
) {
  const u = histories.x.length;
  const pOrder = new Float64Array(u);
  const expected = new Float64Array(u);
  for (let k = 0; k < u; k++) {
    const { x, tx, T } = { x: histories.x[k], tx: histories.tx[k], T: histories.T[k] };
    const alive = aliveProbability(model, x, tx, T);
    pOrder[k] = 1 - modelChurn(model, horizon, x, tx, T, Infinity, alive).score;
    expected[k] = expectedPurchasesIfAlive(model, horizon, x, T) * alive;
  }
  let brier = 0;
  let squared = 0;
  let predicted = 0;
  sample.forEach((c, i) => {
    const k = histories.inverse[i];
    const ordered = actual[c] > 0 ? 1 : 0;
    brier += (pOrder[k] - ordered) ** 2;
    squared += (expected[k] - actual[c]) ** 2;
    predicted += expected[k];
  });
  return { brier: brier / sample.length, rmse: Math.sqrt(squared / sample.length), predicted };
}
