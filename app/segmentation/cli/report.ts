/** Renders a segmentation result as the CLI's JSON document or as a readable text report. */
import type { SegmentationResult } from "../engine";
import type { ChurnBacktest } from "../churnBacktest";
import type { HoldoutComparison } from "../holdout";
import { clvInterval, deltaIntervalScorer, type Interval } from "../intervals";
import type { PurchaseReport } from "../purchaseStage";

export interface AnalysisInfo {
  input: string;
  format: string;
  orders: number;
  ordersAfterAsOf: number;
  skipped?: number;
  holdout?: HoldoutComparison;
  churnBacktest?: ChurnBacktest;
}

/** Everything except the per-customer list, which is streamed separately. */
export function jsonHeader(
  result: SegmentationResult,
  info: AnalysisInfo,
): Record<string, unknown> {
  const { bgnbd, gammaGamma } = result.models;
  return {
    input: {
      file: info.input,
      format: info.format,
      orders: info.orders,
      ordersAfterAsOf: info.ordersAfterAsOf,
      skipped: info.skipped ?? 0,
    },
    asOf: result.asOf,
    timeUnit: result.timeUnit,
    currency: result.currency,
    customerCount: result.customerCount,
    models: {
      bgnbd: bgnbd.fit
        ? {
            ...bgnbd.fit.params,
            logLikelihood: bgnbd.fit.logLikelihood,
            converged: bgnbd.fit.converged,
            iterations: bgnbd.fit.iterations,
            gradientNorm: bgnbd.fit.gradientNorm,
            distinctHistories: bgnbd.fit.distinctHistories,
            used: bgnbd.gate.used,
          }
        : null,
      gammaGamma: gammaGamma.fit
        ? {
            ...gammaGamma.fit.params,
            logLikelihood: gammaGamma.fit.logLikelihood,
            converged: gammaGamma.fit.converged,
            customers: gammaGamma.fit.customers,
            spendFrequencyCorrelation: gammaGamma.spendFrequencyCorrelation,
            used: gammaGamma.gate.used,
          }
        : null,
      ...purchaseModelsJson(result.models.purchase),
      propensity: result.models.propensity,
      clvBasis: result.models.clvBasis,
      spendTierBasis: result.models.spendTierBasis,
      frequencyValueThresholds: result.models.frequencyValue.thresholds,
    },
    gates: result.gates,
    segments: result.segments,
    loyalty: result.loyalty,
    holdout: info.holdout ?? null,
    churnBacktest: info.churnBacktest ?? null,
  };
}

/** models.mbgnbd, models.paretoNbd, models.selected, the holdout comparison and churn settings. */
function purchaseModelsJson(p: PurchaseReport): Record<string, unknown> {
  const fit = (name: "mbgnbd" | "paretoNbd") => {
    const f = p.fits[name];
    return f ? { ...f.params, logLikelihood: f.logLikelihood, converged: f.converged } : null;
  };
  return {
    mbgnbd: fit("mbgnbd"),
    paretoNbd: fit("paretoNbd"),
    selected: p.selected,
    selection: p.selection,
    churn: {
      basis: p.basis,
      horizonDays: p.horizonDays,
      baselineScore: p.baselineScore,
      typicalHistory: p.typical,
      bandRatios: p.bandRatios,
      bandCalibration: p.bandCalibration ?? null,
    },
  };
}

export interface JsonIntervals {
  churnScore: Interval;
  clv: Interval | null;
}

/**
 * 80 % intervals (10th–90th percentile) of each customer's churn score and CLV from the
 * selected purchase model's fit uncertainty (intervals.ts, linearised for the bulk);
 * null for a customer without orders, under the Kaplan–Meier fallback, or without a covariance.
 */
export function intervalsOf(result: SegmentationResult): (i: number) => JsonIntervals | null {
  const p = result.models.purchase;
  const scorer =
    p.basis === "model" && p.model && p.covariance
      ? deltaIntervalScorer(p.model, p.covariance, {
          horizonDays: p.horizonDays,
          unitDays: p.unitDays,
          clvMonths: result.clvMonths,
          monthlyDiscountRate: result.settings.monthlyDiscountRate,
        })
      : null;
  const s = result.columns.summaries;
  return (i) => {
    if (!scorer || s.orders[i] === 0) return null;
    const found = scorer({
      x: s.frequency[i],
      tx: s.recencyDays[i] / p.unitDays,
      T: s.ageDays[i] / p.unitDays,
    });
    if (!found) return null;
    const clv = result.columns.clv[i];
    return {
      churnScore: found.churnScore,
      clv: Number.isFinite(clv)
        ? clvInterval(result.columns.expectedSpend[i], found.discountedPurchases)
        : null,
    };
  };
}

export function customerJson(
  result: SegmentationResult,
  i: number,
  intervals?: JsonIntervals | null,
): Record<string, unknown> {
  const c = result.customerRecord(i);
  const interval = (v: Interval | null | undefined) =>
    v ? { p10: round(v.p10), p90: round(v.p90) } : null;
  return {
    id: c.id,
    orders: c.orders,
    frequency: c.frequency,
    recency: round(c.recency),
    T: round(c.T),
    monetaryValue: round(c.monetaryValue),
    totalSpend: c.totalSpend,
    rfm: c.rfm,
    rfmGroup: c.rfmGroup,
    priceTier: c.priceTier,
    frequencyValue: c.frequencyValue,
    valueType: c.valueType,
    pAlive: round(c.pAlive),
    expectedPurchases: round(c.expectedPurchases),
    churnRisk: c.churnRisk,
    churnScore: round(c.churnScore),
    churnScoreInterval: interval(intervals?.churnScore),
    nextOrderProbability: round(c.nextOrderProbability),
    expectedNextOrderDate: c.expectedNextOrderDate,
    expectedSpend: round(c.expectedSpend),
    clv: round(c.clv),
    clvInterval: interval(intervals?.clv),
    spendTier: c.spendTier,
    propensity: round(c.propensity),
    leadingProductType: c.leadingProductType,
    leadingVendor: c.leadingVendor,
    customSegments: c.customSegments,
  };
}

function round(v: number | null, digits = 6): number | null {
  if (v === null) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

export function textReport(result: SegmentationResult, info: AnalysisInfo): string {
  const out: string[] = [];
  const { bgnbd, gammaGamma, propensity } = result.models;
  out.push(`Propel segmentation — ${info.input} (${info.format})`);
  out.push(
    `as of ${result.asOf}, time unit ${result.timeUnit}, ${result.customerCount} customers, ${info.orders} orders` +
      (info.ordersAfterAsOf > 0
        ? ` (${info.ordersAfterAsOf} after the as-of date, used as holdout)`
        : "") +
      (info.skipped ? `, ${info.skipped} orders skipped (no customer)` : ""),
  );
  out.push("");
  out.push("Models");
  if (bgnbd.fit) {
    const p = bgnbd.fit.params;
    out.push(
      `  BG/NBD       r=${fmt(p.r)} alpha=${fmt(p.alpha)} a=${fmt(p.a)} b=${fmt(p.b)}  LL=${fmt(bgnbd.fit.logLikelihood, 1)}` +
        `  ${bgnbd.fit.converged ? "converged" : "NOT converged"} in ${bgnbd.fit.iterations} iterations (|grad| ${bgnbd.fit.gradientNorm.toExponential(1)})`,
    );
  }
  const purchase = result.models.purchase;
  for (const name of ["mbgnbd", "paretoNbd"] as const) {
    const f = purchase.fits[name];
    if (f) {
      const params = Object.entries(f.params)
        .map(([k, v]) => `${k}=${fmt(v)}`)
        .join(" ");
      out.push(
        `  ${name === "mbgnbd" ? "MBG/NBD     " : "Pareto/NBD  "} ${params}  LL=${fmt(f.logLikelihood, 1)}`,
      );
    }
  }
  out.push(
    `  Purchase model in use: ${purchase.selected ?? "none (Kaplan–Meier churn)"}` +
      (purchase.selection?.basis === "holdout"
        ? ` — best Brier score on ${purchase.selection.holdoutDays} held-out days`
        : "") +
      `; churn horizon ${purchase.horizonDays} days`,
  );
  if (info.churnBacktest) {
    const b = info.churnBacktest;
    const rates = (bands: ChurnBacktest["after"]["bands"]) =>
      (["LOW", "MEDIUM", "HIGH"] as const)
        .map((k) => `${k} ${bands[k].rate === null ? "–" : (100 * bands[k].rate).toFixed(1) + "%"}`)
        .join(", ");
    out.push(
      `  Ordered again within ${b.windowDays} days by churn band: ${rates(b.after.bands)} (AUC ${fmt(b.after.auc ?? NaN)})`,
    );
    if (b.before)
      out.push(
        `    previous P(alive) bands: ${rates(b.before.bands)} (AUC ${fmt(b.before.auc ?? NaN)})`,
      );
  }
  if (gammaGamma.fit) {
    const p = gammaGamma.fit.params;
    out.push(
      `  Gamma-Gamma  p=${fmt(p.p)} q=${fmt(p.q)} v=${fmt(p.v)}  on ${gammaGamma.fit.customers} repeat buyers` +
        `  (corr(x, z̄) = ${fmt(gammaGamma.spendFrequencyCorrelation ?? NaN, 2)})`,
    );
  }
  out.push(
    `  Propensity   ${propensity.method}` +
      (propensity.backtest
        ? `, backtest AUC ${fmt(propensity.backtest.auc)} (${propensity.backtest.kind}, ${propensity.backtest.testCustomers} customers)`
        : "") +
      (propensity.chosen ? `, uses ${propensity.chosen}` : ""),
  );
  for (const candidate of propensity.candidates ?? [])
    out.push(`    candidate ${candidate.name.padEnd(20)} AUC ${fmt(candidate.auc)}`);
  for (const gate of result.gates)
    if (!gate.used) out.push(`  not used: ${gate.model} [${gate.code}] ${gate.reason}`);
  out.push("");
  const family = (title: string, counts: Record<string, number>) => {
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    if (total === 0) return;
    out.push(title);
    for (const [name, count] of Object.entries(counts)) {
      const share = count / total;
      out.push(
        `  ${name.padEnd(22)} ${String(count).padStart(8)}  ${(100 * share).toFixed(1).padStart(5)}%  ${"█".repeat(Math.round(share * 40))}`,
      );
    }
    out.push("");
  };
  family("RFM groups", result.segments.rfm);
  family("Frequency × value", result.segments.frequencyValue);
  family("Value type", result.segments.valueType);
  family("Churn risk", result.segments.churnRisk);
  family("Predicted spend tier", result.segments.spendTier);
  family("Custom segments", result.segments.custom);
  out.push(
    `Repeat rate ${(100 * result.loyalty.repeatRate).toFixed(1)}% (${result.loyalty.repeatCustomers} of ${result.loyalty.customersWithOrders})`,
  );
  if (info.holdout) {
    const h = info.holdout;
    out.push("");
    out.push(
      `Holdout: repeat purchases in the ${h.holdoutDays} days after ${result.asOf}, by calibration frequency x`,
    );
    out.push(
      `  ${"x".padEnd(4)} ${"customers".padStart(9)} ${"actual".padStart(8)} ${"predicted".padStart(9)}`,
    );
    for (const b of h.buckets) {
      out.push(
        `  ${b.label.padEnd(4)} ${String(b.customers).padStart(9)} ${fmt(b.meanActual).padStart(8)} ${fmt(b.meanPredicted).padStart(9)}`,
      );
    }
    out.push(
      `  total actual ${fmt(h.totalActual, 0)}, predicted ${fmt(h.totalPredicted, 1)} (${fmt((100 * (h.totalPredicted - h.totalActual)) / h.totalActual, 1)}%)`,
    );
  }
  const clv = result.columns.clv;
  const top = Array.from({ length: result.customerCount }, (_, i) => i)
    .filter((i) => !Number.isNaN(clv[i]))
    .sort((i, j) => clv[j] - clv[i])
    .slice(0, 10);
  if (top.length > 0) {
    out.push("");
    out.push(`Top customers by ${result.clvMonths}-month CLV (${result.currency})`);
    for (const i of top) {
      const c = result.customerRecord(i);
      out.push(
        `  ${c.id.padEnd(24)} CLV ${fmt(c.clv ?? NaN, 2).padStart(10)}  P(alive) ${fmt(c.pAlive ?? NaN, 2)}  ${c.rfmGroup}`,
      );
    }
  }
  return out.join("\n") + "\n";
}
