/** Renders a segmentation result as the CLI's JSON document or as a readable text report. */
import type { SegmentationResult } from "../engine";
import type { HoldoutComparison } from "../holdout";

export interface AnalysisInfo {
  input: string;
  format: string;
  orders: number;
  ordersAfterAsOf: number;
  skipped?: number;
  holdout?: HoldoutComparison;
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
      propensity: result.models.propensity,
      clvBasis: result.models.clvBasis,
      spendTierBasis: result.models.spendTierBasis,
      frequencyValueThresholds: result.models.frequencyValue.thresholds,
    },
    gates: result.gates,
    segments: result.segments,
    loyalty: result.loyalty,
    holdout: info.holdout ?? null,
  };
}

export function customerJson(result: SegmentationResult, i: number): Record<string, unknown> {
  const c = result.customerRecord(i);
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
    expectedNextOrderDate: c.expectedNextOrderDate,
    expectedSpend: round(c.expectedSpend),
    clv: round(c.clv),
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
        : ""),
  );
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
