/**
 * The purchase-model stage of a run: pick the shop's purchase model on held-out time
 * (modelSelection.ts), fit it on the whole history, and score every customer with orders —
 * P(alive), expected purchases, churn score over the shop's horizon and its band, the chance of
 * a next order and its expected date, and the discounted purchases CLV multiplies by spend.
 * Below the minimum-data gates the Kaplan–Meier fallback of churn.ts scores churn instead, and
 * the model-only outputs stay empty.
 *
 * `scorePurchases` is the one scoring routine; the full run and the incremental path
 * (reference.ts) both call it with the frozen `PurchaseReference`, which is why rescoring the
 * whole population against its reference reproduces the full run exactly.
 */
import {
  backtestChurnBands,
  type BandBacktestInput,
  type BandCalibration,
} from "./bandCalibration";
import type { BgNbdFit } from "./bgnbd";
import {
  CHURN_BAND_RATIOS,
  churnBand,
  churnGivenAlive,
  churnHorizonDays,
  churnIfAlive,
  type ChurnIfAlive,
  kaplanMeierChurn,
  kaplanMeierCurves,
  modelChurn,
  NEXT_ORDER_LIMIT_DAYS,
  typicalHistory,
  type ChurnBand,
  type KaplanMeierCurves,
} from "./churn";
import { compressHistories, type CompressedHistories } from "./histories";
import { parameterCovariance } from "./intervals";
import { selectPurchaseModel, SELECTION_SAMPLE, type ModelSelection } from "./modelSelection";
import type { OrderTable } from "./orders";
import {
  aliveProbability,
  discountedPurchasesIfAlive,
  expectedPurchasesIfAlive,
  fitPurchaseModel,
  type PurchaseModel,
  type PurchaseModelFit,
  type PurchaseModelName,
} from "./purchaseModel";
import type { CustomerSummaries } from "./summary";
import { DAYS_PER_MONTH, DAYS_PER_UNIT, type TimeUnit } from "./time";

/** A next-order date is shown only when a next order is at least this likely. */
export const NEXT_ORDER_MIN_PROBABILITY = 0.5;

/** JSON-safe: frozen with the model reference. */
export interface PurchaseReference {
  basis: "model" | "kaplan-meier";
  model: PurchaseModel | null;
  horizonDays: number;
  /** S₀: churn score of a customer who just ordered with a typical history. */
  baselineScore: number;
  km: KaplanMeierCurves | null;
  /** ρ thresholds of the bands; absent in references stored before they were settings. */
  bandRatios?: { high: number; medium: number };
}

export interface PurchaseReport {
  basis: "model" | "kaplan-meier";
  selected: PurchaseModelName | null;
  model: PurchaseModel | null;
  selection: ModelSelection | null;
  /** Full-history fits of the three models (BG/NBD's is the engine's own). */
  fits: Partial<
    Record<
      PurchaseModelName,
      { logLikelihood: number; converged: boolean; params: Record<string, number> }
    >
  >;
  horizonDays: number;
  baselineScore: number;
  typical: { x: number; T: number };
  bandRatios: { high: number; medium: number };
  /**
   * Laplace covariance of the selected model's ln(parameters), for per-customer intervals
   * (intervals.ts); null under Kaplan–Meier or when the information matrix is not positive definite.
   */
  covariance: number[][] | null;
  /** Days per unit of the model's time (the parameters carry that unit). */
  unitDays: number;
  /**
   * The churn bands backtested on held-out time (bandCalibration.ts); null when the history is
   * too short, absent in reports stored before it was measured.
   */
  bandCalibration?: BandCalibration | null;
}

export interface PurchaseColumns {
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
  churnScore: Float64Array;
  churnRisk: (ChurnBand | null)[];
  nextOrderProbability: Float64Array;
  expectedNextOrderDay: Float64Array;
  /** Σ_m ΔE[Y(m)]/(1+d)^m per customer (CLV per unit of spend); NaN under the fallback. */
  discountedPurchases: Float64Array;
}

export interface ScoreOptions {
  asOfDay: number;
  timeUnit: TimeUnit;
  forecastDays: number;
  clvMonths: number;
  monthlyDiscountRate: number;
}

/** Histories of the customers with orders, compressed when the caller has them so. */
interface Triples {
  withOrders: ArrayLike<number>;
  histories: Pick<CompressedHistories, "x" | "tx" | "T" | "inverse">;
}

function triplesOf(s: CustomerSummaries, unitDays: number): Triples {
  const idx: number[] = [];
  for (let i = 0; i < s.count; i++) if (s.orders[i] > 0) idx.push(i);
  return {
    withOrders: idx,
    histories: {
      x: Float64Array.from(idx, (c) => s.frequency[c]),
      tx: Float64Array.from(idx, (c) => s.recencyDays[c] / unitDays),
      T: Float64Array.from(idx, (c) => s.ageDays[c] / unitDays),
      inverse: Int32Array.from(idx, (_, k) => k),
    },
  };
}

interface PerPair {
  churn: ChurnIfAlive;
  expectedIfAlive: number;
  discountedIfAlive: number;
}

export function scorePurchases(
  s: CustomerSummaries,
  ref: PurchaseReference,
  options: ScoreOptions,
  given?: Triples,
): PurchaseColumns {
  const n = s.count;
  const unitDays = DAYS_PER_UNIT[options.timeUnit];
  const out: PurchaseColumns = {
    pAlive: new Float64Array(n).fill(NaN),
    expectedPurchases: new Float64Array(n).fill(NaN),
    churnScore: new Float64Array(n).fill(NaN),
    churnRisk: new Array<ChurnBand | null>(n).fill(null),
    nextOrderProbability: new Float64Array(n).fill(NaN),
    expectedNextOrderDay: new Float64Array(n).fill(NaN),
    discountedPurchases: new Float64Array(n).fill(NaN),
  };
  const setNext = (c: number, ever: number, waitDays: number) => {
    out.nextOrderProbability[c] = ever;
    if (ever >= NEXT_ORDER_MIN_PROBABILITY && waitDays <= NEXT_ORDER_LIMIT_DAYS)
      out.expectedNextOrderDay[c] = options.asOfDay + Math.round(waitDays);
  };
  if (ref.basis === "kaplan-meier" || ref.model === null) {
    if (!ref.km) return out;
    for (let c = 0; c < n; c++) {
      if (s.orders[c] === 0) continue;
      const k = kaplanMeierChurn(ref.km, s.purchaseDays[c], s.daysSinceLast[c], ref.horizonDays);
      out.churnScore[c] = k.score;
      out.churnRisk[c] = churnBand(k.score, ref.baselineScore, ref.bandRatios);
      setNext(c, k.ever, k.medianIfOrders);
    }
    return out;
  }
  const model = ref.model;
  const { withOrders, histories } = given ?? triplesOf(s, unitDays);
  const u = histories.x.length;
  const horizon = ref.horizonDays / unitDays;
  const forecast = options.forecastDays / unitDays;
  const limit = NEXT_ORDER_LIMIT_DAYS / unitDays;
  const unitsPerMonth = DAYS_PER_MONTH / unitDays;
  const alive = new Float64Array(u);
  const expected = new Float64Array(u);
  const score = new Float64Array(u);
  const ever = new Float64Array(u);
  const wait = new Float64Array(u);
  const discounted = new Float64Array(u);
  // Everything but P(alive) depends on (x, T) alone, and a shop has far fewer distinct (x, T)
  // than (x, t_x, T) (a million customers in days: tens of thousands against hundreds of
  // thousands), so it is computed once per pair; P(alive), once per triple, multiplies it.
  const byPair = new Map<number, Map<number, PerPair>>();
  const perPair = (x: number, T: number): PerPair => {
    let byT = byPair.get(x);
    if (!byT) byPair.set(x, (byT = new Map()));
    let pair = byT.get(T);
    if (!pair) {
      pair = {
        churn: churnIfAlive(model, horizon, x, T, limit),
        expectedIfAlive: expectedPurchasesIfAlive(model, forecast, x, T),
        discountedIfAlive: discountedPurchasesIfAlive(model, x, T, {
          months: options.clvMonths,
          monthlyDiscountRate: options.monthlyDiscountRate,
          unitsPerMonth,
        }),
      };
      byT.set(T, pair);
    }
    return pair;
  };
  for (let k = 0; k < u; k++) {
    const x = histories.x[k];
    const T = histories.T[k];
    const pair = perPair(x, T);
    alive[k] = aliveProbability(model, x, histories.tx[k], T);
    const churn = churnGivenAlive(alive[k], pair.churn);
    expected[k] = pair.expectedIfAlive * alive[k];
    score[k] = churn.score;
    ever[k] = churn.ever;
    wait[k] = churn.medianIfOrders * unitDays;
    discounted[k] = pair.discountedIfAlive * alive[k];
  }
  for (let j = 0; j < withOrders.length; j++) {
    const c = withOrders[j];
    const k = histories.inverse[j];
    out.pAlive[c] = alive[k];
    out.expectedPurchases[c] = expected[k];
    out.churnScore[c] = score[k];
    out.churnRisk[c] = churnBand(score[k], ref.baselineScore, ref.bandRatios);
    out.discountedPurchases[c] = discounted[k];
    setNext(c, ever[k], wait[k]);
  }
  return out;
}

export interface PurchaseStageInput extends ScoreOptions {
  table: OrderTable;
  summaries: CustomerSummaries;
  /** The engine's BG/NBD fit when its gate is open (undefined: fall back to Kaplan–Meier). */
  bgnbdFit?: BgNbdFit;
  /** Skip the holdout comparison and use this model (tests, forced settings). */
  forceModel?: PurchaseModelName;
  /** Fit every model on the full history for the report, not only the one in use (analyze). */
  fitAllModels?: boolean;
  /** ρ thresholds of the bands (the shop's churn settings); default CHURN_BAND_RATIOS. */
  bandRatios?: { high: number; medium: number };
}

export interface PurchaseStageResult {
  reference: PurchaseReference;
  report: PurchaseReport;
  columns: PurchaseColumns;
}

export function runPurchaseStage(input: PurchaseStageInput): PurchaseStageResult {
  const { table, summaries: s, asOfDay, timeUnit } = input;
  const unitDays = DAYS_PER_UNIT[timeUnit];
  const horizonDays = churnHorizonDays(table, asOfDay);
  const bandRatios = input.bandRatios ?? { ...CHURN_BAND_RATIOS };
  const hasOrders = (i: number) => s.orders[i] > 0;
  const backtestOn = { table, asOfDay, timeUnit, horizonDays, bandRatios };

  if (!input.bgnbdFit) {
    const km = kaplanMeierCurves(table, asOfDay);
    const typical = typicalHistory(s.purchaseDays, s.ageDays, hasOrders);
    // The KM reference customer: just ordered (0 days ago), median number of order days.
    const baselineScore = kaplanMeierChurn(km, typical.x, 0, horizonDays).score;
    const reference: PurchaseReference = {
      basis: "kaplan-meier",
      model: null,
      horizonDays,
      baselineScore,
      km,
      bandRatios,
    };
    return {
      reference,
      report: {
        basis: "kaplan-meier",
        selected: null,
        model: null,
        selection: null,
        fits: {},
        horizonDays,
        baselineScore,
        typical,
        bandRatios,
        covariance: null,
        unitDays,
        bandCalibration: backtestOrNull({ ...backtestOn, model: null }),
      },
      columns: scorePurchases(s, reference, input),
    };
  }

  const idx: number[] = [];
  for (let i = 0; i < s.count; i++) if (hasOrders(i)) idx.push(i);
  const histories = compressHistories(
    Float64Array.from(idx, (c) => s.frequency[c]),
    Int32Array.from(idx, (c) => s.recencyDays[c]),
    Int32Array.from(idx, (c) => s.ageDays[c]),
    unitDays,
  );
  // Fits on at most SELECTION_SAMPLE customers: the estimates settle long before that.
  const stride = Math.max(1, Math.ceil(idx.length / SELECTION_SAMPLE));
  const fitData =
    stride === 1
      ? histories
      : compressHistories(
          Float64Array.from(
            idx.filter((_, k) => k % stride === 0),
            (c) => s.frequency[c],
          ),
          Int32Array.from(
            idx.filter((_, k) => k % stride === 0),
            (c) => s.recencyDays[c],
          ),
          Int32Array.from(
            idx.filter((_, k) => k % stride === 0),
            (c) => s.ageDays[c],
          ),
          unitDays,
        );
  const bg = input.bgnbdFit;
  const fits: Partial<Record<PurchaseModelName, PurchaseModelFit>> = {
    bgnbd: {
      model: { name: "bgnbd", params: bg.params },
      logLikelihood: bg.logLikelihood,
      converged: bg.converged,
      message: bg.message,
    },
  };
  const calibrationFits: Partial<Record<PurchaseModelName, PurchaseModel>> = {};
  const selection = input.forceModel
    ? null
    : selectPurchaseModel(table, asOfDay, timeUnit, calibrationFits);
  const wanted = input.forceModel ?? selection?.selected ?? "bgnbd";
  for (const name of ["mbgnbd", "paretoNbd"] as const) {
    if (name !== wanted && !input.fitAllModels) continue;
    try {
      fits[name] = fitPurchaseModel(name, fitData);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
  }

  const chosen = fits[wanted]?.converged ? fits[wanted] : fits.bgnbd;
  const model = (chosen ?? fits.bgnbd)!.model;

  const typical = typicalHistory(s.frequency, s.age, hasOrders);
  const baselineScore = modelChurn(
    model,
    horizonDays / unitDays,
    typical.x,
    typical.T,
    typical.T,
  ).score;
  const reference: PurchaseReference = {
    basis: "model",
    model,
    horizonDays,
    baselineScore,
    km: null,
    bandRatios,
  };
  const columns = scorePurchases(s, reference, input, { withOrders: idx, histories });
  return {
    reference,
    report: {
      basis: "model",
      selected: model.name,
      model,
      selection,
      fits: Object.fromEntries(
        Object.entries(fits).map(([name, f]) => [
          name,
          { logLikelihood: f.logLikelihood, converged: f.converged, params: { ...f.model.params } },
        ]),
      ),
      horizonDays,
      baselineScore,
      typical,
      bandRatios,
      covariance: covarianceOrNull(model, fitData),
      unitDays,
      bandCalibration: backtestOrNull({
        ...backtestOn,
        model: model.name,
        prefit:
          selection?.basis === "holdout" && calibrationFits[model.name]
            ? { model: calibrationFits[model.name]!, splitDay: selection.calibrationEnd }
            : undefined,
      }),
    },
    columns,
  };
}

/** A refit that cannot be evaluated leaves the page without a calibration, not the run. */
function backtestOrNull(input: BandBacktestInput): BandCalibration | null {
  try {
    return backtestChurnBands(input);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

function covarianceOrNull(model: PurchaseModel, data: CompressedHistories): number[][] | null {
  try {
    return parameterCovariance(model, data);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}
