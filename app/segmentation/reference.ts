/**
 * The frozen model of a full run, and how a few customers are scored against it.
 *
 * A full run ranks every customer against the whole shop and fits the models. Rescoring the
 * handful of customers who just ordered must not cost that much, so the full run also records
 * a `ModelReference`: the rank cut-points (quintile edges of R, F, M and price; the CLV ranks of
 * the spend tiers; the propensity rank of "likely to grow"), the shop medians the rules compare
 * against, and the fitted parameters. Scoring the *whole* population against its own reference
 * reproduces the full run exactly (a unit test holds this), so a customer rescored
 * incrementally lands where a full run at the same moment would have put them, up to how much
 * the shop's distribution moved since the reference was taken — which is why full runs refit on
 * a schedule and once enough has changed.
 */
import type { BgNbdParams } from "./bgnbd";
import { modelChurn, typicalHistory } from "./churn";
import {
  applyCustomRules,
  compileCustomRules,
  customerRecord,
  type CustomerColumns,
  type CustomerResult,
  type CustomRuleDefinition,
  type ModelReports,
  type SegmentationResult,
} from "./engine";
import { frequencyValueCells, type FrequencyValueThresholds } from "./frequencyValue";
import { conditionalExpectedSpend, type GammaGammaParams, type SpendTier } from "./gammaGamma";
import { customerAffinities } from "./affinity";
import { minorToMajor } from "./money";
import { orderTableAsOf, type OrderTable } from "./orders";
import { bgnbdForecaster } from "./forecaster";
import { DEFAULT_MARGIN_RATE, marginClv, marginRates } from "./margin";
import { scorePropensity, shopMedianGapDays, type LogisticModel } from "./propensity";
import type { RfmGrid, RfmGroup } from "./rfm";
import { summarizeCustomers, type CustomerSummaries } from "./summary";
import { scorePurchases, type PurchaseReference } from "./purchaseStage";
import { DAYS_PER_UNIT, type TimeUnit } from "./time";
import type { CustomerInput } from "./types";
import { shopMedianAovMinor, valueTypes, type ValueTypeRules } from "./valueType";
import { LIKELY_TO_GROW, LIKELY_TO_GROW_SHARE, customSegmentKey } from "./catalog";

const QUINTILES = 5;

export interface SerializedLogisticModel {
  featureNames: string[];
  means: number[];
  scales: number[];
  weights: number[];
  intercept: number;
}

/** JSON-safe: stored with the shop after each full run. */
export interface ModelReference {
  version: 1;
  asOfDay: number;
  timeUnit: TimeUnit;
  currency: string;
  customers: number;
  forecastDays: number;
  clvMonths: number;
  monthlyDiscountRate: number;
  rfm: { grid: RfmGrid; recency: number[]; frequency: number[]; monetary: number[] };
  priceTier: number[];
  frequencyValue: FrequencyValueThresholds;
  valueType: { rules: ValueTypeRules; shopMedianAovMinor: number };
  churnThresholds: { high: number; medium: number };
  bgnbd: BgNbdParams | null;
  /** Absent in references stored before the purchase-model stage existed. */
  purchase?: PurchaseReference;
  gammaGamma: GammaGammaParams | null;
  clvBasis: ModelReports["clvBasis"];
  /** Values at or above `high` are HIGH, at or above `medium` MEDIUM (CLV or past spend). */
  spendTier: { basis: ModelReports["spendTierBasis"]; high: number | null; medium: number | null };
  propensity: {
    windowDays: number;
    shopGapDays: number;
    model: SerializedLogisticModel | null;
    /** Scores at or above this are "likely to grow". */
    likelyToGrow: number | null;
  };
  customRules: CustomRuleDefinition[];
  /** The shop's margin % where product costs are unknown (absent in older references: 0.5). */
  marginRate?: number;
}

/**
 * Edges t₁…t_{b−1} such that 1 + #{k : v > t_k} equals stats.rankScores' score of v:
 * rankScores gives 1 + ⌊b·below/m⌋, and below ≥ ⌈k·m/b⌉ exactly when sorted[⌈k·m/b⌉ − 1] < v.
 */
export function rankEdges(
  values: ArrayLike<number>,
  include: (i: number) => boolean,
  buckets = QUINTILES,
): number[] {
  const picked: number[] = [];
  for (let i = 0; i < values.length; i++) if (include(i)) picked.push(values[i]);
  const sorted = Float64Array.from(picked).sort();
  const m = sorted.length;
  if (m === 0) return [];
  const edges: number[] = [];
  for (let k = 1; k < buckets; k++) edges.push(sorted[Math.ceil((k * m) / buckets) - 1]);
  return edges;
}

export function scoreByEdges(value: number, edges: readonly number[]): number {
  let score = 1;
  for (const edge of edges) if (value > edge) score++;
  return score;
}

/**
 * The lowest value still inside the top `share` of the non-NaN values, ties included, as
 * gammaGamma.spendTiers ranks them (a tie group belongs where its best-placed member falls);
 * null when the share holds nobody.
 */
export function topShareCut(values: ArrayLike<number>, share: number): number | null {
  const picked: number[] = [];
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) picked.push(values[i]);
  const n = picked.length;
  if (n === 0) return null;
  const descending = Float64Array.from(picked).sort().reverse();
  // The first rank k with k / n no longer below the share; the cut is the value just above it.
  let k = Math.max(0, Math.ceil(share * n) - 1);
  while (k < n && k / n < share) k++;
  while (k > 0 && (k - 1) / n >= share) k--;
  return k === 0 ? null : descending[k - 1];
}

function serializeModel(model: LogisticModel | undefined): SerializedLogisticModel | null {
  if (!model) return null;
  return {
    featureNames: [...model.featureNames],
    means: Array.from(model.means),
    scales: Array.from(model.scales),
    weights: Array.from(model.weights),
    intercept: model.intercept,
  };
}

function deserializeModel(model: SerializedLogisticModel): LogisticModel {
  return {
    featureNames: model.featureNames,
    means: Float64Array.from(model.means),
    scales: Float64Array.from(model.scales),
    weights: Float64Array.from(model.weights),
    intercept: model.intercept,
    converged: true,
    iterations: 0,
  };
}

/** The reference of a full run (its own population's cut-points and fitted models). */
export function buildModelReference(result: SegmentationResult): ModelReference {
  const { columns, models, settings } = result;
  const s = columns.summaries;
  const hasOrders = (i: number) => s.orders[i] > 0;
  const tierValues =
    models.spendTierBasis === "clv"
      ? columns.clv
      : s.totalSpendMinor.map((v, i) => (hasOrders(i) ? v : NaN));
  const shares = settings.spendTierShares;
  return {
    version: 1,
    asOfDay: result.asOfDay,
    timeUnit: result.timeUnit,
    currency: result.currency,
    customers: result.customerCount,
    forecastDays: result.forecastDays,
    clvMonths: result.clvMonths,
    monthlyDiscountRate: settings.monthlyDiscountRate,
    rfm: {
      grid: models.rfm.grid,
      recency: rankEdges(s.lastDay, hasOrders),
      // F as rfm.frequencyScores: quartile edges among repeat buyers.
      frequency: rankEdges(s.orders, (i) => s.orders[i] > 1, 4),
      monetary: rankEdges(s.totalSpendMinor, hasOrders),
    },
    priceTier: rankEdges(s.meanUnitPriceMinor, hasOrders),
    frequencyValue: models.frequencyValue.thresholds,
    valueType: { rules: settings.valueTypeRules, shopMedianAovMinor: shopMedianAovMinor(s) },
    churnThresholds: settings.churnThresholds,
    bgnbd: models.bgnbd.gate.used && models.bgnbd.fit ? models.bgnbd.fit.params : null,
    purchase: result.purchaseReference,
    gammaGamma:
      models.gammaGamma.gate.used && models.gammaGamma.fit ? models.gammaGamma.fit.params : null,
    clvBasis: models.clvBasis,
    spendTier: {
      basis: models.spendTierBasis,
      high: topShareCut(tierValues, shares.high),
      medium: topShareCut(tierValues, shares.high + shares.medium),
    },
    propensity: {
      windowDays: settings.propensityWindowDays,
      shopGapDays: shopMedianGapDays(s),
      model: serializeModel(result.propensityModel),
      likelyToGrow: topShareCut(columns.propensity, LIKELY_TO_GROW_SHARE),
    },
    customRules: [...settings.customRules],
    marginRate: settings.marginRate,
  };
}

export interface ScoredCustomers {
  asOfDay: number;
  customerCount: number;
  columns: CustomerColumns;
  customerRecord(index: number): CustomerResult;
}

/**
 * Scores the customers of `table` (typically the few who changed, with their whole history)
 * against a reference, as of `asOfDay`.
 */
export function scoreWithReference(
  allRefunds: OrderTable,
  reference: ModelReference,
  options: { asOfDay: number; customers?: readonly CustomerInput[] },
): ScoredCustomers {
  const { asOfDay } = options;
  const table = orderTableAsOf(allRefunds, asOfDay);
  // JSON stores NaN (a median of nobody) as null; read it back as NaN.
  const stat = (value: number | null) => value ?? NaN;
  const s: CustomerSummaries = summarizeCustomers(table, {
    asOfDay,
    timeUnit: reference.timeUnit,
  });
  const n = s.count;
  const hasOrders = (i: number) => s.orders[i] > 0;

  const recency = new Uint8Array(n);
  const frequency = new Uint8Array(n);
  const monetary = new Uint8Array(n);
  const frequencyMonetary = new Uint8Array(n);
  const priceTier = new Uint8Array(n);
  const group = new Array<RfmGroup>(n);
  for (let i = 0; i < n; i++) {
    if (!hasOrders(i)) {
      group[i] = "PROSPECTS";
      continue;
    }
    recency[i] = scoreByEdges(s.lastDay[i], reference.rfm.recency);
    frequency[i] =
      s.orders[i] === 1 ? 1 : Math.min(5, 1 + scoreByEdges(s.orders[i], reference.rfm.frequency));
    monetary[i] = scoreByEdges(s.totalSpendMinor[i], reference.rfm.monetary);
    priceTier[i] = scoreByEdges(s.meanUnitPriceMinor[i], reference.priceTier);
    const fm = Math.round((frequency[i] + monetary[i]) / 2);
    frequencyMonetary[i] = fm;
    group[i] = reference.rfm.grid[recency[i] as 1 | 2 | 3 | 4 | 5][fm - 1];
  }

  const expectedSpend = new Float64Array(n).fill(NaN);
  const clv = new Float64Array(n).fill(NaN);
  const purchase = scorePurchases(s, purchaseReferenceOf(reference), {
    asOfDay,
    timeUnit: reference.timeUnit,
    forecastDays: reference.forecastDays,
    clvMonths: reference.clvMonths,
    monthlyDiscountRate: reference.monthlyDiscountRate,
  });
  const { pAlive, expectedPurchases, expectedNextOrderDay, churnRisk } = purchase;
  if (purchaseReferenceOf(reference).basis === "model") {
    for (let c = 0; c < n; c++) {
      if (!hasOrders(c)) continue;
      const spend = reference.gammaGamma
        ? conditionalExpectedSpend(
            reference.gammaGamma,
            s.frequency[c],
            minorToMajor(s.meanRepeatValueMinor[c], s.currency),
          )
        : minorToMajor(s.aovMinor[c], s.currency);
      expectedSpend[c] = spend;
      clv[c] = spend * purchase.discountedPurchases[c];
    }
  }

  const tier = (value: number): SpendTier | null => {
    if (Number.isNaN(value)) return null;
    const { high, medium } = reference.spendTier;
    if (high !== null && value >= high) return "HIGH";
    if (medium !== null && value >= medium) return "MEDIUM";
    return "LOW";
  };
  const spendTier = Array.from({ length: n }, (_, i) =>
    !hasOrders(i)
      ? null
      : tier(reference.spendTier.basis === "clv" ? clv[i] : s.totalSpendMinor[i]),
  );

  const consent = new Map<number, boolean>();
  const info = new Map<string, CustomerInput>();
  for (const c of options.customers ?? []) info.set(c.id, c);
  s.customerIds.forEach((id, i) => {
    const given = info.get(id)?.emailMarketingConsent;
    if (given !== undefined) consent.set(i, given);
  });
  const propensity = scorePropensity(
    table,
    s,
    reference.propensity.model ? deserializeModel(reference.propensity.model) : undefined,
    {
      windowDays: reference.propensity.windowDays,
      shopGapDays: stat(reference.propensity.shopGapDays),
      emailConsent: consent.size > 0 ? (c) => consent.get(c) : undefined,
      forecaster: reference.bgnbd ? bgnbdForecaster(reference.bgnbd, s) : undefined,
    },
  );

  const margins = marginRates(table, asOfDay, reference.marginRate ?? DEFAULT_MARGIN_RATE);
  const columns: CustomerColumns = {
    summaries: s,
    rfm: { recency, frequency, monetary, frequencyMonetary, group },
    priceTier,
    frequencyValue: frequencyValueCells(s, {
      orders: stat(reference.frequencyValue.orders),
      spendMinor: stat(reference.frequencyValue.spendMinor),
    }),
    valueType: valueTypes(
      s,
      reference.valueType.rules,
      stat(reference.valueType.shopMedianAovMinor),
    ),
    pAlive,
    expectedPurchases,
    churnRisk,
    expectedNextOrderDay,
    expectedSpend,
    clv,
    marginClv: marginClv(clv, margins),
    marginRate: margins,
    spendTier,
    propensity,
    churnScore: purchase.churnScore,
    nextOrderProbability: purchase.nextOrderProbability,
    affinities: customerAffinities(table, asOfDay),
    custom: {},
  };
  applyCustomRules(columns, info, compileCustomRules(reference.customRules));
  return {
    asOfDay,
    customerCount: n,
    columns,
    customerRecord: (i) => customerRecord(columns, i),
  };
}

/** The segment keys a customer belongs to (SegmentMembership), per catalog.ts. */
export function segmentKeysOf(record: CustomerResult, reference: ModelReference): string[] {
  const keys: string[] = [`rfm:${record.rfmGroup}`];
  if (record.frequencyValue) keys.push(`fxv:${record.frequencyValue}`);
  if (record.valueType) keys.push(`value:${record.valueType}`);
  if (record.churnRisk) keys.push(`churn:${record.churnRisk}`);
  if (record.spendTier) keys.push(`spend:${record.spendTier}`);
  const cut = reference.propensity.likelyToGrow;
  if (record.propensity !== null && cut !== null && record.propensity >= cut)
    keys.push(`propensity:${LIKELY_TO_GROW}`);
  for (const name of record.customSegments) keys.push(customSegmentKey(name));
  return keys;
}

/**
 * A reference stored before the purchase-model stage carries only BG/NBD parameters: score
 * with BG/NBD over the default horizon, banded against a first-time buyer of today, until the
 * next full run stores the real thing.
 */
function purchaseReferenceOf(reference: ModelReference): PurchaseReference {
  if (reference.purchase) return reference.purchase;
  if (!reference.bgnbd) {
    return { basis: "kaplan-meier", model: null, horizonDays: 90, baselineScore: NaN, km: null };
  }
  const model = { name: "bgnbd" as const, params: reference.bgnbd };
  const unitDays = DAYS_PER_UNIT[reference.timeUnit];
  const typical = typicalHistory([0], [0], () => true);
  return {
    basis: "model",
    model,
    horizonDays: 90,
    baselineScore: modelChurn(model, 90 / unitDays, typical.x, typical.T, typical.T).score,
    km: null,
  };
}
