/**
 * One-line reasons behind each of a customer's scores, in a merchant's words: the customer
 * page shows a number and, beside it, why. Every line is built from the stored metrics alone
 * (CustomerMetrics and its `details`), so what it says can be checked against the same data.
 */
import type { ModelReports } from "./engine";
import { currencyExponent, minorToMajor } from "./money";

/** The stored metrics of one customer, as the customer page reads them. */
export interface ExplainableMetrics {
  orders: number;
  currency: string;
  totalSpentMinor: number;
  aovMinor: number;
  rScore: number | null;
  fScore: number | null;
  mScore: number | null;
  rfmGroup: string;
  valueType: string | null;
  pAlive: number | null;
  expectedPurchases: number | null;
  churnRisk: string | null;
  clv12mMinor: number | null;
  spendTier: string | null;
  propensity: number | null;
  details: {
    daysSinceLast?: number | null;
    meanGapDays?: number | null;
    firstOrderDate?: string | null;
    lastOrderDate?: string | null;
    expectedSpendMinor?: number | null;
    discountShare?: number | null;
    valueTrend?: number | null;
    fm?: number | null;
    /** P(no order within the churn horizon). */
    churnScore?: number | null;
    /** P(a next order within two years). */
    nextOrderProbability?: number | null;
  };
}

/** Shop-level context a reason may need: thresholds in force and which models ran. */
export interface ExplainContext {
  forecastDays: number;
  clvMonths: number;
  churnThresholds: { high: number; medium: number };
  spendTierShares: { high: number; medium: number };
  clvBasis: ModelReports["clvBasis"];
  spendTierBasis: ModelReports["spendTierBasis"];
  /** Why the churn model did not run, when it did not. */
  churnModelSkipped?: string;
  propensityMethod: "logistic" | "heuristic";
  propensityWindowDays: number;
  /** How churn was scored in the last full run (absent before the purchase-model stage). */
  churn?: {
    basis: "model" | "kaplan-meier";
    /** Purchase model in use ("bgnbd", "mbgnbd", "paretoNbd"), null under Kaplan–Meier. */
    model: string | null;
    horizonDays: number;
    /** S₀: churn score of a customer who just ordered with a typical history. */
    baselineScore: number;
  };
}

export function formatMinor(minor: number, currency: string, locale = "en-US"): string {
  const digits = currencyExponent(currency);
  try {
    return new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(minorToMajor(minor, currency));
  } catch {
    // An unknown currency code still shows its amount.
    return `${minorToMajor(minor, currency).toFixed(digits)} ${currency}`;
  }
}

const days = (n: number) => {
  const whole = Math.round(n);
  return whole === 1 ? "1 day" : `${whole} days`;
};
const percent = (share: number) => `${Math.round(share * 100)}%`;
const twoDecimals = (value: number) => value.toFixed(2);
const multiple = (value: number) =>
  value >= 10 ? `${Math.round(value)}×` : `${value.toFixed(1).replace(/\.0$/, "")}×`;

/** "usually orders every 21 days; last order 64 days ago". */
export function explainCadence(m: ExplainableMetrics): string {
  const { meanGapDays, daysSinceLast } = m.details;
  if (m.orders === 0) return "No orders yet.";
  const last = daysSinceLast == null ? "" : `last order ${days(daysSinceLast)} ago`;
  if (meanGapDays == null || m.orders === 1)
    return last ? `One order so far; ${last}.` : "One order so far.";
  return `Usually orders every ${days(meanGapDays)}${last ? `; ${last}` : ""}.`;
}

/** The R, F and M scores and where they put the customer on the grid. */
export function explainRfm(m: ExplainableMetrics): string {
  if (m.rScore === null || m.fScore === null || m.mScore === null)
    return "No orders yet, so no RFM scores: the customer is a prospect.";
  const fm = m.details.fm ?? Math.round((m.fScore + m.mScore) / 2);
  const spent = formatMinor(m.totalSpentMinor, m.currency);
  const orders = m.orders === 1 ? "1 order" : `${m.orders} orders`;
  return `Recency ${m.rScore}/5, frequency ${m.fScore}/5 (${orders}), monetary ${m.mScore}/5 (${spent} spent); on the grid R ${m.rScore} × FM ${fm} is ${m.rfmGroup}.`;
}

/** "P(alive) 0.34: quiet for 3× their usual gap". */
export function explainPAlive(m: ExplainableMetrics, ctx: ExplainContext): string {
  if (m.pAlive === null) return noChurnModel(m, ctx);
  const head = `P(alive) ${twoDecimals(m.pAlive)}`;
  const { meanGapDays, daysSinceLast } = m.details;
  if (m.orders <= 1 || meanGapDays == null || meanGapDays <= 0) {
    const since = daysSinceLast == null ? "" : ` ${days(daysSinceLast)} ago`;
    return `${head}: a single order${since}; one-time buyers are judged by how often the shop's customers come back.`;
  }
  if (daysSinceLast == null) return `${head}.`;
  const ratio = daysSinceLast / meanGapDays;
  if (ratio <= 1)
    return `${head}: last order ${days(daysSinceLast)} ago, within their usual gap of ${days(meanGapDays)}.`;
  return `${head}: quiet for ${multiple(ratio)} their usual gap (${days(daysSinceLast)} against ${days(meanGapDays)}).`;
}

export function explainExpectedPurchases(m: ExplainableMetrics, ctx: ExplainContext): string {
  if (m.expectedPurchases === null) return noChurnModel(m, ctx);
  return `${m.expectedPurchases.toFixed(1)} orders expected in the next ${days(ctx.forecastDays)}: their own pace, weighted by the chance they are still a customer.`;
}

export function explainChurnRisk(m: ExplainableMetrics, ctx: ExplainContext): string {
  const score = m.details.churnScore;
  if (ctx.churn && m.churnRisk !== null && score != null && Number.isFinite(score))
    return explainChurnScore(m.churnRisk, score, ctx.churn, ctx.churnThresholds);
  if (m.churnRisk === null || m.pAlive === null) return noChurnModel(m, ctx);
  const p = twoDecimals(m.pAlive);
  const { high, medium } = ctx.churnThresholds;
  switch (m.churnRisk) {
    case "HIGH":
      return `High: P(alive) ${p} is below ${twoDecimals(high)}.`;
    case "MEDIUM":
      return `Medium: P(alive) ${p} is between ${twoDecimals(high)} and ${twoDecimals(medium)}.`;
    default:
      return `Low: P(alive) ${p} is at least ${twoDecimals(medium)}.`;
  }
}

const MODEL_LABELS: Record<string, string> = {
  bgnbd: "BG/NBD",
  mbgnbd: "MBG/NBD",
  paretoNbd: "Pareto/NBD",
};

/**
 * "High: 91% chance of no order in the next 78 days. A customer who has just ordered comes
 * back within that time with chance 26%; this customer's 9% is 35% of that (HIGH below 30%)."
 */
function explainChurnScore(
  band: string,
  score: number,
  churn: NonNullable<ExplainContext["churn"]>,
  ratios: { high: number; medium: number },
): string {
  const label = band === "HIGH" ? "High" : band === "MEDIUM" ? "Medium" : "Low";
  const order = 1 - score;
  const reference = 1 - churn.baselineScore;
  const ratio = reference > 0 ? order / reference : NaN;
  const rule = `high below ${percent(ratios.high)}, medium below ${percent(ratios.medium)}`;
  const how =
    churn.basis === "kaplan-meier"
      ? "Estimated from how soon the shop's customers with as many orders came back (too little data for a purchase model yet)."
      : `From the ${MODEL_LABELS[churn.model ?? ""] ?? "purchase"} model, the one that predicted this shop's held-out orders best.`;
  const comparison = Number.isFinite(ratio)
    ? ` A customer who has just ordered orders again within that time with chance ${percent(reference)}; this customer's ${percent(order)} is ${percent(ratio)} of that (${rule}).`
    : "";
  return `${label}: ${percent(score)} chance of no order in the next ${days(churn.horizonDays)}.${comparison} ${how}`;
}

/** "64% chance of another order within two years; most likely around 2026-03-02." */
export function explainNextOrder(
  m: ExplainableMetrics & { nextOrderAt?: string | null },
  ctx: ExplainContext,
): string {
  const p = m.details.nextOrderProbability;
  if (m.orders === 0) return "No prediction without an order.";
  if (p == null || !Number.isFinite(p)) return noChurnModel(m, ctx);
  const head = `${percent(p)} chance of another order within two years`;
  if (m.nextOrderAt)
    return `${head}; if it comes, most likely around ${m.nextOrderAt.slice(0, 10)}.`;
  return p < 0.5
    ? `${head}; too unlikely for an expected date.`
    : `${head}; not expected within two years.`;
}

export function explainClv(m: ExplainableMetrics, ctx: ExplainContext): string {
  if (m.clv12mMinor === null) {
    if (m.orders === 0) return "No lifetime value without an order.";
    return ctx.churnModelSkipped
      ? `No lifetime value: it needs the churn model, which did not run (${ctx.churnModelSkipped})`
      : "No lifetime value: the churn model did not run for this shop.";
  }
  const perOrderMinor = m.details.expectedSpendMinor ?? null;
  const horizon = `${ctx.clvMonths} months`;
  if (ctx.clvBasis === "bgnbd+gamma-gamma" && perOrderMinor !== null)
    return `About ${formatMinor(perOrderMinor, m.currency)} per future order (their average of ${formatMinor(m.aovMinor, m.currency)} blended with the shop's) × their discounted expected orders over ${horizon}.`;
  return `Their average order of ${formatMinor(m.aovMinor, m.currency)} × their discounted expected orders over ${horizon} (too few repeat buyers for the spend model).`;
}

export function explainSpendTier(m: ExplainableMetrics, ctx: ExplainContext): string {
  if (m.spendTier === null) return "No spend tier without an order.";
  const by =
    ctx.spendTierBasis === "clv"
      ? "predicted lifetime value"
      : "spend to date (the lifetime value model did not run)";
  const { high, medium } = ctx.spendTierShares;
  switch (m.spendTier) {
    case "HIGH":
      return `High: in the top ${percent(high)} of customers by ${by}.`;
    case "MEDIUM":
      return `Medium: in the next ${percent(medium)} of customers by ${by}.`;
    default:
      return `Low: in the remaining ${percent(1 - high - medium)} of customers by ${by}.`;
  }
}

export function explainValueType(m: ExplainableMetrics): string {
  const share = m.details.discountShare;
  const discounted = share == null ? "" : `${percent(share)} of orders used a discount`;
  switch (m.valueType) {
    case "VOLUME":
      return `Volume: a repeat buyer who buys mostly on discount${discounted ? ` (${discounted})` : ""}.`;
    case "VALUABLE":
      return `Valuable: a repeat buyer of 90+ days at full price${discounted ? ` (${discounted})` : ""}, with an order value near or above the shop's typical one.`;
    case "OCCASIONAL":
      return m.orders < 2
        ? "Occasional: only one order so far."
        : "Occasional: a repeat buyer without 90 days of tenure or with smaller orders than the shop's typical one.";
    default:
      return "No value type without an order.";
  }
}

export function explainPropensity(m: ExplainableMetrics, ctx: ExplainContext): string {
  if (m.propensity === null) return "No propensity score without an order.";
  const head = `${twoDecimals(m.propensity)} chance of spending more in the next ${days(ctx.propensityWindowDays)} than in the previous ${days(ctx.propensityWindowDays)}`;
  const trend = m.details.valueTrend;
  const direction =
    trend == null || m.orders < 2 || Math.abs(trend) < 0.02
      ? "order values holding steady"
      : trend > 0
        ? "order values trending up"
        : "order values trending down";
  const method =
    ctx.propensityMethod === "logistic"
      ? "from the shop's own backtested model"
      : "from a simple rule, as the shop has too little history for the model";
  return `${head}; ${direction}; ${method}.`;
}

function noChurnModel(m: ExplainableMetrics, ctx: ExplainContext): string {
  if (m.orders === 0) return "No prediction without an order.";
  return ctx.churnModelSkipped
    ? `Not predicted: ${ctx.churnModelSkipped}`
    : "Not predicted: the churn model did not run for this shop.";
}

export interface Explanations {
  cadence: string;
  rfm: string;
  pAlive: string;
  expectedPurchases: string;
  churnRisk: string;
  nextOrder: string;
  clv: string;
  spendTier: string;
  valueType: string;
  propensity: string;
}

export function explainCustomer(
  m: ExplainableMetrics & { nextOrderAt?: string | null },
  ctx: ExplainContext,
): Explanations {
  return {
    cadence: explainCadence(m),
    rfm: explainRfm(m),
    pAlive: explainPAlive(m, ctx),
    expectedPurchases: explainExpectedPurchases(m, ctx),
    churnRisk: explainChurnRisk(m, ctx),
    nextOrder: explainNextOrder(m, ctx),
    clv: explainClv(m, ctx),
    spendTier: explainSpendTier(m, ctx),
    valueType: explainValueType(m),
    propensity: explainPropensity(m, ctx),
  };
}
