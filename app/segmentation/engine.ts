/**
 * The pipeline: orders → columnar order table → per-customer summaries → every segment family
 * and model → per-customer results, model reports, data gates and segment counts.
 *
 *   segmentShop(orders, options)
 *     ├─ buildOrderTable        orders.ts      validate, apply counting rules, sort
 *     ├─ summarizeCustomers     summary.ts     x, t_x, T, spend, discounts, trend …
 *     ├─ scoreRfm               rfm.ts         R, F, M, group
 *     ├─ frequencyValueCells    frequencyValue.ts
 *     ├─ valueTypes             valueType.ts
 *     ├─ fitBgNbd               bgnbd.ts       the BG/NBD fit and its gate
 *     ├─ runPurchaseStage       purchaseStage.ts model chosen on held-out time: P(alive),
 *     │                                          E[purchases], churn score and band, next order
 *     ├─ fitGammaGamma          gammaGamma.ts  expected spend, CLV, spend tier
 *     ├─ fitPropensity          propensity.ts
 *     ├─ customerAffinities     affinity.ts
 *     ├─ loyaltyMetrics         loyalty.ts
 *     └─ custom rules           rules/
 *
 * Results are columns (typed arrays indexed by customer); `customerRecord(i)` materialises one
 * customer as a plain object when needed. Nothing here does I/O.
 */
import { customerAffinities, type Affinities } from "./affinity";
import {
  conditionalExpectedPurchases,
  DEFAULT_CHURN_THRESHOLDS,
  fitBgNbd,
  medianTimeToNextPurchase,
  probabilityAlive,
  type BgNbdFit,
  type BgNbdParams,
  type ChurnRisk,
  type ChurnRiskThresholds,
} from "./bgnbd";
import { SegmentationInputError } from "./errors";
import {
  defaultFrequencyValueThresholds,
  frequencyValueCells,
  type FrequencyValueCell,
  type FrequencyValueThresholds,
} from "./frequencyValue";
import {
  conditionalExpectedSpend,
  DEFAULT_SPEND_TIER_SHARES,
  fitGammaGamma,
  spendFrequencyCorrelation,
  spendTiers,
  type GammaGammaFit,
  type SpendTier,
  type SpendTierShares,
} from "./gammaGamma";
import {
  bgnbdGate,
  closed,
  DEFAULT_MINIMUM_DATA,
  gammaGammaGate,
  rfmGate,
  type GateDecision,
  type MinimumData,
  type ShopDataFacts,
} from "./gates";
import { compressHistories } from "./histories";
import { loyaltyMetrics, type LoyaltyMetrics } from "./loyalty";
import { minorToMajor } from "./money";
import type { PurchaseModelName } from "./purchaseModel";
import { runPurchaseStage, type PurchaseReference, type PurchaseReport } from "./purchaseStage";
import { buildOrderTable, orderTableAsOf, type OrderTable } from "./orders";
import { bgnbdForecaster, fitBgNbdForecaster } from "./forecaster";
import { DEFAULT_MARGIN_RATE, marginClv, marginRates } from "./margin";
import { fitPropensity, type LogisticModel, type PropensityReport } from "./propensity";
import {
  DEFAULT_RFM_GRID,
  RFM_GROUPS,
  scoreRfm,
  type RfmGrid,
  type RfmGroup,
  type RfmScores,
} from "./rfm";
import { compileRule, RuleError, type CompiledRule, type RuleValue } from "./rules";
import { rankScores } from "./stats";
import { summarizeCustomers, type CustomerSummaries } from "./summary";
import {
  DAYS_PER_MONTH,
  DAYS_PER_UNIT,
  dayToIsoDate,
  parseIsoDay,
  toDayNumber,
  type TimeUnit,
} from "./time";
import type { CustomerInput, MetafieldValue, OrderInput } from "./types";
import {
  DEFAULT_VALUE_TYPE_RULES,
  valueTypes,
  type ValueType,
  type ValueTypeRules,
} from "./valueType";

/** Beyond this many days ahead, `expectedNextOrderDate` is left empty. */
export const NEXT_ORDER_DATE_LIMIT_DAYS = 730;

export interface CustomRuleDefinition {
  name: string;
  rule: string;
}

export interface SegmentShopOptions {
  /** Last day of observation (inclusive), "YYYY-MM-DD" or a Date; default: the last order's day. */
  asOf?: string | Date;
  /** Time unit of the model summaries and BG/NBD parameters (default "day"). */
  timeUnit?: TimeUnit;
  utcOffsetMinutes?: number;
  customers?: readonly CustomerInput[];
  rfmGrid?: RfmGrid;
  churnThresholds?: ChurnRiskThresholds;
  /** Horizon of `expectedPurchases`, days (default 90). */
  forecastDays?: number;
  clvMonths?: number;
  monthlyDiscountRate?: number;
  spendTierShares?: SpendTierShares;
  valueTypeRules?: ValueTypeRules;
  frequencyValueThresholds?: FrequencyValueThresholds;
  minimumData?: MinimumData;
  propensityWindowDays?: number;
  customRules?: readonly CustomRuleDefinition[];
  /** Use this purchase model instead of the holdout winner. */
  purchaseModel?: PurchaseModelName;
  /** Fit all three purchase models on the full history for the report (analyze). */
  fitAllPurchaseModels?: boolean;
  /** Gross margin rate where product costs are unknown (default 0.5; margin.ts). */
  marginRate?: number;
}

export interface ModelReports {
  bgnbd: { gate: GateDecision; fit?: BgNbdFit };
  gammaGamma: { gate: GateDecision; fit?: GammaGammaFit; spendFrequencyCorrelation?: number };
  propensity: PropensityReport;
  rfm: { gate: GateDecision; grid: RfmGrid };
  frequencyValue: { thresholds: FrequencyValueThresholds };
  /** The purchase model in use, the holdout comparison, the churn horizon and bands. */
  purchase: PurchaseReport;
  /** Where CLV and spend tiers came from, given which models ran. */
  clvBasis: "bgnbd+gamma-gamma" | "bgnbd+aov" | "none";
  spendTierBasis: "clv" | "historical-spend";
}

export interface SegmentCounts {
  rfm: Record<RfmGroup, number>;
  frequencyValue: Record<string, number>;
  valueType: Record<string, number>;
  churnRisk: Record<string, number>;
  spendTier: Record<string, number>;
  custom: Record<string, number>;
}

export interface CustomerResult {
  id: string;
  orders: number;
  frequency: number;
  recency: number;
  T: number;
  totalSpend: number;
  /** Mean value of repeat purchases (z̄, lifetimes' monetary_value), major units. */
  monetaryValue: number;
  aov: number;
  firstOrderDate: string | null;
  lastOrderDate: string | null;
  rfm: { r: number; f: number; m: number; fm: number } | null;
  rfmGroup: RfmGroup;
  priceTier: number | null;
  frequencyValue: FrequencyValueCell | null;
  valueType: ValueType | null;
  pAlive: number | null;
  expectedPurchases: number | null;
  churnRisk: ChurnRisk | null;
  expectedNextOrderDate: string | null;
  expectedSpend: number | null;
  clv: number | null;
  /** CLV on gross margin, major units. */
  marginClv: number | null;
  spendTier: SpendTier | null;
  propensity: number | null;
  churnScore: number | null;
  nextOrderProbability: number | null;
  leadingProductType: string | null;
  leadingVendor: string | null;
  customSegments: string[];
}

export interface CustomerColumns {
  summaries: CustomerSummaries;
  rfm: RfmScores;
  /** 1–5 quintile of the customer's mean unit price within the shop; 0 without orders. */
  priceTier: Uint8Array;
  frequencyValue: (FrequencyValueCell | null)[];
  valueType: (ValueType | null)[];
  /** NaN where the model was not used. */
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
  churnRisk: (ChurnRisk | null)[];
  expectedNextOrderDay: Float64Array;
  /** Major units. */
  expectedSpend: Float64Array;
  clv: Float64Array;
  /** CLV on gross margin (margin.ts), major units. */
  marginClv: Float64Array;
  /** The margin rate behind it: from product costs, or the shop's margin % (margin.ts). */
  marginRate: Float64Array;
  spendTier: (SpendTier | null)[];
  propensity: Float64Array;
  /** P(no order within the shop's churn horizon); NaN without orders. */
  churnScore: Float64Array;
  /** P(another order ever comes); NaN without orders. */
  nextOrderProbability: Float64Array;
  affinities: Affinities;
  /** Per custom rule name: 1 if the customer is in the segment. */
  custom: Record<string, Uint8Array>;
}

export interface SegmentationResult {
  asOf: string;
  asOfDay: number;
  timeUnit: TimeUnit;
  currency: string;
  forecastDays: number;
  clvMonths: number;
  customerCount: number;
  columns: CustomerColumns;
  models: ModelReports;
  gates: GateDecision[];
  loyalty: LoyaltyMetrics;
  segments: SegmentCounts;
  /** Frozen purchase-model scoring state for the incremental path. */
  purchaseReference: PurchaseReference;
  /** The fitted propensity model, kept so later rescoring needs no refit. */
  propensityModel?: LogisticModel;
  /** The engine's settings after defaults, as used. */
  settings: ResolvedOptions;
  customerRecord(index: number): CustomerResult;
}

export interface ResolvedOptions {
  churnThresholds: ChurnRiskThresholds;
  spendTierShares: SpendTierShares;
  valueTypeRules: ValueTypeRules;
  monthlyDiscountRate: number;
  propensityWindowDays: number;
  customRules: readonly CustomRuleDefinition[];
  marginRate: number;
}

export function segmentShop(
  orders: Iterable<OrderInput>,
  options: SegmentShopOptions = {},
): SegmentationResult {
  const table = buildOrderTable(orders, {
    utcOffsetMinutes: options.utcOffsetMinutes,
    customers: options.customers,
  });
  return segmentOrderTable(table, options);
}

export function segmentOrderTable(
  allRefunds: OrderTable,
  options: SegmentShopOptions = {},
): SegmentationResult {
  // Compile custom rules first: a bad rule should fail before minutes of model fitting.
  const rules = compileCustomRules(options.customRules ?? []);

  const timeUnit = options.timeUnit ?? "day";
  const unitDays = DAYS_PER_UNIT[timeUnit];
  const asOfDay =
    options.asOf === undefined
      ? allRefunds.day.length > 0
        ? allRefunds.lastDay
        : toDayNumber(new Date())
      : typeof options.asOf === "string"
        ? parseIsoDay(options.asOf)
        : toDayNumber(options.asOf, options.utcOffsetMinutes ?? 0);
  // Refunds made after the as-of date have not happened yet as of it.
  const table = orderTableAsOf(allRefunds, asOfDay);
  const forecastDays = options.forecastDays ?? 90;
  const clvMonths = options.clvMonths ?? 12;
  const monthlyDiscountRate = options.monthlyDiscountRate ?? 0.01;
  if (!(forecastDays > 0) || !(clvMonths > 0) || !(monthlyDiscountRate > -1)) {
    throw new SegmentationInputError(
      "INVALID_FIELD",
      "forecastDays and clvMonths must be positive, monthlyDiscountRate > −1",
    );
  }
  const minimumData = options.minimumData ?? DEFAULT_MINIMUM_DATA;
  const s = summarizeCustomers(table, { asOfDay, timeUnit });
  const n = s.count;

  const facts: ShopDataFacts = { customersWithOrders: 0, repeatBuyers: 0, historyDays: 0 };
  let earliest = Infinity;
  for (let i = 0; i < n; i++) {
    if (s.orders[i] > 0) {
      facts.customersWithOrders++;
      earliest = Math.min(earliest, s.firstDay[i]);
    }
    if (s.frequency[i] > 0 && s.meanRepeatValueMinor[i] > 0) facts.repeatBuyers++;
  }
  facts.historyDays = Number.isFinite(earliest) ? asOfDay - earliest : 0;

  // Rule-based families.
  const rfmGateDecision = rfmGate(facts, minimumData);
  const rfmGrid = options.rfmGrid ?? DEFAULT_RFM_GRID;
  const rfm = scoreRfm(s, rfmGrid);
  const priceTier = rankScores(s.meanUnitPriceMinor, (i) => s.orders[i] > 0);
  const fxvThresholds = options.frequencyValueThresholds ?? defaultFrequencyValueThresholds(s);
  const frequencyValue = frequencyValueCells(s, fxvThresholds);
  const valueType = valueTypes(s, options.valueTypeRules ?? DEFAULT_VALUE_TYPE_RULES);

  // BG/NBD.
  const pAlive = new Float64Array(n).fill(NaN);
  const expectedPurchases = new Float64Array(n).fill(NaN);
  const expectedNextOrderDay = new Float64Array(n).fill(NaN);
  const churnRisk = new Array<ChurnRisk | null>(n).fill(null);
  const clv = new Float64Array(n).fill(NaN);
  const expectedSpend = new Float64Array(n).fill(NaN);
  let bgnbdDecision = bgnbdGate(facts, minimumData);
  let bgnbdFit: BgNbdFit | undefined;
  if (bgnbdDecision.used) {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (s.orders[i] > 0) idx.push(i);
    const x = new Float64Array(idx.length);
    const tx = new Int32Array(idx.length);
    const T = new Int32Array(idx.length);
    idx.forEach((c, k) => {
      x[k] = s.frequency[c];
      tx[k] = s.recencyDays[c];
      T[k] = s.ageDays[c];
    });
    const histories = compressHistories(x, tx, T, unitDays);
    bgnbdFit = fitBgNbd(histories);
    const p = bgnbdFit.params;
    const degenerate = [p.r, p.alpha, p.a, p.b].some(
      (v) => !Number.isFinite(v) || v > 1e7 || v < 1e-7,
    );
    if (!bgnbdFit.converged) {
      bgnbdDecision = closed(
        "bgnbd",
        "FIT_DID_NOT_CONVERGE",
        `The churn model could not be fitted reliably (${bgnbdFit.message}).`,
      );
    } else if (degenerate) {
      bgnbdDecision = closed(
        "bgnbd",
        "DEGENERATE_FIT",
        "The churn model's parameters ran off to extreme values; the shop's data do not identify the model.",
      );
    }
  }

  // Purchase models: the shop's best model on held-out time scores churn, next orders and the
  // CLV multiplier; below the gates a Kaplan–Meier estimate scores churn (purchaseStage.ts).
  // Far-out parameters can still put ₂F₁ beyond evaluation; the model is then closed like any
  // other unusable fit and the fallback stands in.
  let purchase = scoreOrClose(() =>
    runPurchaseStage({
      table,
      summaries: s,
      asOfDay,
      timeUnit,
      forecastDays,
      clvMonths,
      monthlyDiscountRate,
      bgnbdFit: bgnbdDecision.used ? bgnbdFit : undefined,
      forceModel: options.purchaseModel,
      fitAllModels: options.fitAllPurchaseModels,
      bandRatios: options.churnThresholds,
    }),
  );
  if (purchase instanceof RangeError) {
    bgnbdDecision = closed(
      "bgnbd",
      "DEGENERATE_FIT",
      `The churn model's parameters ran off to values it cannot be evaluated at (${purchase.message}).`,
    );
    purchase = runPurchaseStage({
      table,
      summaries: s,
      asOfDay,
      timeUnit,
      forecastDays,
      clvMonths,
      monthlyDiscountRate,
      bandRatios: options.churnThresholds,
    });
  }
  const pc = purchase.columns;
  pAlive.set(pc.pAlive);
  expectedPurchases.set(pc.expectedPurchases);
  expectedNextOrderDay.set(pc.expectedNextOrderDay);
  pc.churnRisk.forEach((band, c) => (churnRisk[c] = band));
  const discountedPurchases =
    purchase.reference.basis === "model" ? pc.discountedPurchases : undefined;

  // Gamma-Gamma, money crossing into major units here.
  let ggDecision: GateDecision = bgnbdDecision.used
    ? gammaGammaGate(facts, minimumData)
    : closed(
        "gammaGamma",
        "DEPENDS_ON_SKIPPED_MODEL",
        "Lifetime value needs the churn model, which was skipped.",
      );
  let ggFit: GammaGammaFit | undefined;
  let correlation: number | undefined;
  if (ggDecision.used) {
    const xs: number[] = [];
    const zs: number[] = [];
    for (let i = 0; i < n; i++) {
      if (s.frequency[i] > 0 && s.meanRepeatValueMinor[i] > 0) {
        xs.push(s.frequency[i]);
        zs.push(minorToMajor(s.meanRepeatValueMinor[i], s.currency));
      }
    }
    ggFit = fitGammaGamma(xs, zs);
    correlation = spendFrequencyCorrelation(xs, zs);
    if (!ggFit.converged) {
      ggDecision = closed(
        "gammaGamma",
        "FIT_DID_NOT_CONVERGE",
        `The spend model could not be fitted reliably (${ggFit.message}).`,
      );
    } else if (!(ggFit.params.q > 1)) {
      ggDecision = closed(
        "gammaGamma",
        "DEGENERATE_FIT",
        "The spend model implies an infinite average spend (q ≤ 1); spend is too heavy-tailed for it.",
      );
    }
  }
  let clvBasis: ModelReports["clvBasis"] = "none";
  if (discountedPurchases !== undefined) {
    clvBasis = ggDecision.used && ggFit ? "bgnbd+gamma-gamma" : "bgnbd+aov";
    const dp = discountedPurchases;
    for (let c = 0; c < n; c++) {
      if (s.orders[c] === 0) continue;
      const spend =
        ggDecision.used && ggFit
          ? conditionalExpectedSpend(
              ggFit.params,
              s.frequency[c],
              minorToMajor(s.meanRepeatValueMinor[c], s.currency),
            )
          : minorToMajor(s.aovMinor[c], s.currency);
      expectedSpend[c] = spend;
      clv[c] = spend * dp[c];
    }
  }
  const spendTierBasis = clvBasis === "none" ? "historical-spend" : "clv";
  const tierValues =
    clvBasis === "none" ? s.totalSpendMinor.map((v, i) => (s.orders[i] > 0 ? v : NaN)) : clv;
  const spendTier = spendTiers(tierValues, options.spendTierShares ?? DEFAULT_SPEND_TIER_SHARES);

  // Propensity.
  const consentByIndex = new Map<number, boolean>();
  const customerInfo = new Map<string, CustomerInput>();
  for (const c of options.customers ?? []) customerInfo.set(c.id, c);
  if (options.customers !== undefined) {
    s.customerIds.forEach((id, i) => {
      const consent = customerInfo.get(id)?.emailMarketingConsent;
      if (consent !== undefined) consentByIndex.set(i, consent);
    });
  }
  const propensity = fitPropensity(table, s, {
    windowDays: options.propensityWindowDays,
    // The purchase model behind the propensity candidates (forecaster.ts).
    forecasterAt: bgnbdDecision.used ? fitBgNbdForecaster : undefined,
    forecaster: bgnbdDecision.used && bgnbdFit ? bgnbdForecaster(bgnbdFit.params, s) : undefined,
    emailConsent: consentByIndex.size > 0 ? (c) => consentByIndex.get(c) : undefined,
    minimumData,
  });

  const affinities = customerAffinities(table, asOfDay);
  const loyalty = loyaltyMetrics(table, asOfDay);
  const margins = marginRates(table, asOfDay, options.marginRate ?? DEFAULT_MARGIN_RATE);

  const columns: CustomerColumns = {
    summaries: s,
    rfm,
    priceTier,
    frequencyValue,
    valueType,
    pAlive,
    expectedPurchases,
    churnRisk,
    expectedNextOrderDay,
    expectedSpend,
    clv,
    marginClv: marginClv(clv, margins),
    marginRate: margins,
    spendTier,
    propensity: propensity.scores,
    churnScore: pc.churnScore,
    nextOrderProbability: pc.nextOrderProbability,
    affinities,
    custom: {},
  };

  applyCustomRules(columns, customerInfo, rules);

  const segments: SegmentCounts = {
    rfm: Object.fromEntries(RFM_GROUPS.map((g) => [g, 0])) as Record<RfmGroup, number>,
    frequencyValue: {},
    valueType: {},
    churnRisk: {},
    spendTier: {},
    custom: {},
  };
  const tally = (counts: Record<string, number>, value: string | null) => {
    if (value !== null) counts[value] = (counts[value] ?? 0) + 1;
  };
  for (let i = 0; i < n; i++) {
    segments.rfm[rfm.group[i]]++;
    tally(segments.frequencyValue, frequencyValue[i]);
    tally(segments.valueType, valueType[i]);
    tally(segments.churnRisk, churnRisk[i]);
    tally(segments.spendTier, spendTier[i]);
  }
  for (const { name } of rules)
    segments.custom[name] = columns.custom[name].reduce((a, b) => a + b, 0);

  const models: ModelReports = {
    bgnbd: { gate: bgnbdDecision, fit: bgnbdFit },
    gammaGamma: { gate: ggDecision, fit: ggFit, spendFrequencyCorrelation: correlation },
    propensity: propensity.report,
    purchase: purchase.report,
    rfm: { gate: rfmGateDecision, grid: rfmGrid },
    frequencyValue: { thresholds: fxvThresholds },
    clvBasis,
    spendTierBasis,
  };
  return {
    asOf: dayToIsoDate(asOfDay),
    asOfDay,
    timeUnit,
    currency: s.currency,
    forecastDays,
    clvMonths,
    customerCount: n,
    columns,
    models,
    gates: [rfmGateDecision, bgnbdDecision, ggDecision, propensity.report.gate],
    loyalty,
    segments,
    propensityModel: propensity.model,
    purchaseReference: purchase.reference,
    settings: {
      churnThresholds: options.churnThresholds ?? DEFAULT_CHURN_THRESHOLDS,
      spendTierShares: options.spendTierShares ?? DEFAULT_SPEND_TIER_SHARES,
      valueTypeRules: options.valueTypeRules ?? DEFAULT_VALUE_TYPE_RULES,
      monthlyDiscountRate,
      propensityWindowDays: propensity.report.windowDays,
      customRules: options.customRules ?? [],
      marginRate: options.marginRate ?? DEFAULT_MARGIN_RATE,
    },
    customerRecord: (i) => customerRecord(columns, i),
  };
}

const nullable = (v: number): number | null => (Number.isNaN(v) ? null : v);

export interface HistoryTriples {
  x: ArrayLike<number>;
  tx: ArrayLike<number>;
  T: ArrayLike<number>;
}

/**
 * Per (x, t_x, T) history under fitted BG/NBD parameters: P(alive), expected purchases over the
 * horizon, median days to the next purchase, and Σ_m (E[Y(m)] − E[Y(m−1)]) / (1+d)^m — the CLV
 * per unit of expected spend (gammaGamma.ts).
 */
export function bgnbdHistoryScores(
  p: BgNbdParams,
  histories: HistoryTriples,
  options: { horizon: number; unitDays: number; clvMonths: number; monthlyDiscountRate: number },
) {
  const { horizon, unitDays, clvMonths, monthlyDiscountRate } = options;
  const unitsPerMonth = DAYS_PER_MONTH / unitDays;
  const u = histories.x.length;
  const alive = new Float64Array(u);
  const expected = new Float64Array(u);
  const nextIn = new Float64Array(u);
  const discountedPurchases = new Float64Array(u);
  for (let k = 0; k < u; k++) {
    const hx = histories.x[k];
    const htx = histories.tx[k];
    const hT = histories.T[k];
    alive[k] = probabilityAlive(p, hx, htx, hT);
    expected[k] = conditionalExpectedPurchases(p, horizon, hx, htx, hT);
    nextIn[k] = medianTimeToNextPurchase(p, hx, htx, hT) * unitDays;
    let previous = 0;
    let discounted = 0;
    for (let m = 1; m <= clvMonths; m++) {
      const cumulative = conditionalExpectedPurchases(p, m * unitsPerMonth, hx, htx, hT);
      discounted += (cumulative - previous) / Math.pow(1 + monthlyDiscountRate, m);
      previous = cumulative;
    }
    discountedPurchases[k] = discounted;
  }
  return { alive, expected, nextIn, discountedPurchases };
}

export function customerRecord(columns: CustomerColumns, i: number): CustomerResult {
  const s = columns.summaries;
  const major = (minor: number) => minorToMajor(minor, s.currency);
  const hasOrders = s.orders[i] > 0;
  return {
    id: s.customerIds[i],
    orders: s.orders[i],
    frequency: s.frequency[i],
    recency: s.recency[i],
    T: s.age[i],
    totalSpend: major(s.totalSpendMinor[i]),
    monetaryValue: major(s.meanRepeatValueMinor[i]),
    aov: major(s.aovMinor[i]),
    firstOrderDate: hasOrders ? dayToIsoDate(s.firstDay[i]) : null,
    lastOrderDate: hasOrders ? dayToIsoDate(s.lastDay[i]) : null,
    rfm: hasOrders
      ? {
          r: columns.rfm.recency[i],
          f: columns.rfm.frequency[i],
          m: columns.rfm.monetary[i],
          fm: columns.rfm.frequencyMonetary[i],
        }
      : null,
    rfmGroup: columns.rfm.group[i],
    priceTier: hasOrders ? columns.priceTier[i] : null,
    frequencyValue: columns.frequencyValue[i],
    valueType: columns.valueType[i],
    pAlive: nullable(columns.pAlive[i]),
    expectedPurchases: nullable(columns.expectedPurchases[i]),
    churnRisk: columns.churnRisk[i],
    expectedNextOrderDate: Number.isNaN(columns.expectedNextOrderDay[i])
      ? null
      : dayToIsoDate(columns.expectedNextOrderDay[i]),
    expectedSpend: nullable(columns.expectedSpend[i]),
    clv: nullable(columns.clv[i]),
    marginClv: nullable(columns.marginClv[i]),
    spendTier: columns.spendTier[i],
    propensity: nullable(columns.propensity[i]),
    churnScore: nullable(columns.churnScore[i]),
    nextOrderProbability: nullable(columns.nextOrderProbability[i]),
    leadingProductType: columns.affinities.productTypeBySpend[i],
    leadingVendor: columns.affinities.vendorBySpend[i],
    customSegments: Object.keys(columns.custom).filter((name) => columns.custom[name][i] === 1),
  };
}

export interface NamedRule {
  name: string;
  compiled: CompiledRule;
}

export function compileCustomRules(definitions: readonly CustomRuleDefinition[]): NamedRule[] {
  return definitions.map((r) => {
    try {
      return { name: r.name, compiled: compileRule(r.rule) };
    } catch (e) {
      if (e instanceof RuleError)
        throw new RuleError(`custom segment "${r.name}": ${e.detail}`, e.position, e.source);
      throw e;
    }
  });
}

/** Custom rules read the same values a merchant sees; fills `columns.custom`. */
export function applyCustomRules(
  columns: CustomerColumns,
  customerInfo: Map<string, CustomerInput>,
  rules: readonly NamedRule[],
): void {
  const n = columns.summaries.count;
  let current = 0;
  const reader = (field: string): RuleValue => readField(columns, customerInfo, current, field);
  for (const { name, compiled } of rules) {
    const member = new Uint8Array(n);
    for (current = 0; current < n; current++) member[current] = compiled.matches(reader) ? 1 : 0;
    columns.custom[name] = member;
  }
}

function readField(
  columns: CustomerColumns,
  info: Map<string, CustomerInput>,
  i: number,
  field: string,
): RuleValue {
  const s = columns.summaries;
  const major = (minor: number) => minorToMajor(minor, s.currency);
  const hasOrders = s.orders[i] > 0;
  const scored = (v: number) => (hasOrders ? v : null);
  switch (field) {
    case "orders":
      return s.orders[i];
    case "frequency":
      return scored(s.frequency[i]);
    case "recency":
      return scored(s.recency[i]);
    case "age":
      return scored(s.age[i]);
    case "daysSinceLast":
      return scored(s.daysSinceLast[i]);
    case "totalSpend":
      return major(s.totalSpendMinor[i]);
    case "aov":
      return scored(major(s.aovMinor[i]));
    case "discountShare":
      return scored(s.discountShare[i]);
    case "discountDepth":
      return scored(s.discountDepth[i]);
    case "refundShare":
      return scored(s.refundShare[i]);
    case "valueTrend":
      return scored(s.valueTrend[i]);
    case "rfmR":
      return scored(columns.rfm.recency[i]);
    case "rfmF":
      return scored(columns.rfm.frequency[i]);
    case "rfmM":
      return scored(columns.rfm.monetary[i]);
    case "rfmGroup":
      return columns.rfm.group[i];
    case "priceTier":
      return scored(columns.priceTier[i]);
    case "fxvCell":
      return columns.frequencyValue[i];
    case "valueType":
      return columns.valueType[i];
    case "pAlive":
      return nullable(columns.pAlive[i]);
    case "expectedPurchases":
      return nullable(columns.expectedPurchases[i]);
    case "churnRisk":
      return columns.churnRisk[i];
    case "expectedSpend":
      return nullable(columns.expectedSpend[i]);
    case "clv12m":
      return nullable(columns.clv[i]);
    case "spendTier":
      return columns.spendTier[i];
    case "propensity":
      return nullable(columns.propensity[i]);
    case "churnScore":
      return nullable(columns.churnScore[i]);
    case "nextOrderProbability":
      return nullable(columns.nextOrderProbability[i]);
    case "daysToNextOrder":
      return Number.isNaN(columns.expectedNextOrderDay[i])
        ? null
        : columns.expectedNextOrderDay[i] - s.asOfDay;
    case "leadingProductType":
      return columns.affinities.productTypeBySpend[i];
    case "leadingVendor":
      return columns.affinities.vendorBySpend[i];
    case "tags":
      return info.get(s.customerIds[i])?.tags ?? [];
    case "emailConsent":
      return info.get(s.customerIds[i])?.emailMarketingConsent ?? null;
    default: {
      if (field.startsWith("metafield.")) {
        const value: MetafieldValue | undefined = info.get(s.customerIds[i])?.metafields?.[
          field.slice("metafield.".length)
        ];
        return value ?? null;
      }
      return null;
    }
  }
}

/** The scores, or the RangeError a numerical routine gave up with. */
function scoreOrClose<T>(score: () => T): T | RangeError {
  try {
    return score();
  } catch (error) {
    if (error instanceof RangeError) return error;
    throw error;
  }
}
