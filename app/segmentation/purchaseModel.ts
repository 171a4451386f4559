/**
 * One interface over the three purchase models (bgnbd.ts, mbgnbd.ts, paretoNbd.ts), so churn,
 * next-order dates, CLV and model selection are written once. Each model answers:
 *  - P(alive | x, t_x, T);
 *  - E[Y(t) | x, t_x, T] = E[Y(t) | alive at T] · P(alive | x, t_x, T) in all three, so a
 *    caller scoring many horizons (CLV's months) evaluates P(alive) once;
 *  - P(at least one purchase in (T, T+h] | alive at T) — for BG/NBD and MBG/NBD a living
 *    customer's purchases are Poisson with λ | history ~ Gamma(r+x, α+T) until the next
 *    purchase (dropout happens only at purchases), so this is 1 − ((α+T)/(α+T+h))^(r+x); for
 *    Pareto/NBD death competes with the purchase (paretoNbd.ts).
 */
import {
  bgnbdLogLikelihood,
  expectedPurchasesIfAlive as bgnbdExpectedPurchasesIfAlive,
  fitBgNbd,
  probabilityAlive,
  type BgNbdParams,
} from "./bgnbd";
import type { CompressedHistories } from "./histories";
import {
  fitMbgNbd,
  mbgnbdLogLikelihood,
  mbgnbdExpectedPurchasesIfAlive,
  mbgnbdProbabilityAlive,
  type MbgNbdParams,
} from "./mbgnbd";
import {
  fitParetoNbd,
  paretoNbdLogLikelihood,
  paretoNbdExpectedPurchasesIfAlive,
  paretoNbdProbabilityAlive,
  paretoNbdPurchaseWithinIfAlive,
  type ParetoNbdParams,
} from "./paretoNbd";

export const PURCHASE_MODELS = ["bgnbd", "mbgnbd", "paretoNbd"] as const;
export type PurchaseModelName = (typeof PURCHASE_MODELS)[number];

export const PURCHASE_MODEL_LABELS: Record<PurchaseModelName, string> = {
  bgnbd: "BG/NBD",
  mbgnbd: "MBG/NBD",
  paretoNbd: "Pareto/NBD",
};

export type PurchaseModel =
  | { name: "bgnbd"; params: BgNbdParams }
  | { name: "mbgnbd"; params: MbgNbdParams }
  | { name: "paretoNbd"; params: ParetoNbdParams };

export interface PurchaseModelFit {
  model: PurchaseModel;
  logLikelihood: number;
  converged: boolean;
  message: string;
}

export function fitPurchaseModel(
  name: PurchaseModelName,
  data: CompressedHistories,
): PurchaseModelFit {
  switch (name) {
    case "bgnbd": {
      const f = fitBgNbd(data);
      return fitted({ name, params: f.params }, f);
    }
    case "mbgnbd": {
      const f = fitMbgNbd(data);
      return fitted({ name, params: f.params }, f);
    }
    case "paretoNbd": {
      const f = fitParetoNbd(data);
      return fitted({ name, params: f.params }, f);
    }
  }
}

function fitted(model: PurchaseModel, fit: Omit<PurchaseModelFit, "model">): PurchaseModelFit {
  return {
    model,
    logLikelihood: fit.logLikelihood,
    converged: fit.converged,
    message: fit.message,
  };
}

export function aliveProbability(m: PurchaseModel, x: number, tx: number, T: number): number {
  switch (m.name) {
    case "bgnbd":
      return probabilityAlive(m.params, x, tx, T);
    case "mbgnbd":
      return mbgnbdProbabilityAlive(m.params, x, tx, T);
    case "paretoNbd":
      return paretoNbdProbabilityAlive(m.params, x, tx, T);
  }
}

export function expectedPurchasesGiven(
  m: PurchaseModel,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  return expectedPurchasesIfAlive(m, t, x, T) * aliveProbability(m, x, tx, T);
}

/** E[Y(t) | alive at T]: expected purchases in (T, T+t] of a customer known to be alive. */
export function expectedPurchasesIfAlive(
  m: PurchaseModel,
  t: number,
  x: number,
  T: number,
): number {
  switch (m.name) {
    case "bgnbd":
      return bgnbdExpectedPurchasesIfAlive(m.params, t, x, T);
    case "mbgnbd":
      return mbgnbdExpectedPurchasesIfAlive(m.params, t, x, T);
    case "paretoNbd":
      return paretoNbdExpectedPurchasesIfAlive(m.params, t, x, T);
  }
}

/**
 * Σ over months m = 1…M of the purchases expected in month m of a living customer, discounted
 * by (1 + d)^m: CLV per unit of spend before P(alive), which multiplies it.
 */
export function discountedPurchasesIfAlive(
  m: PurchaseModel,
  x: number,
  T: number,
  clv: { months: number; monthlyDiscountRate: number; unitsPerMonth: number },
): number {
  let previous = 0;
  let sum = 0;
  for (let month = 1; month <= clv.months; month++) {
    const cumulative = expectedPurchasesIfAlive(m, month * clv.unitsPerMonth, x, T);
    sum += (cumulative - previous) / Math.pow(1 + clv.monthlyDiscountRate, month);
    previous = cumulative;
  }
  return sum;
}

/** P(a purchase in (T, T+h] | alive at T); h = Infinity: ever. */
export function purchaseWithinIfAlive(m: PurchaseModel, h: number, x: number, T: number): number {
  if (m.name === "paretoNbd") return paretoNbdPurchaseWithinIfAlive(m.params, h, x, T);
  if (h === Infinity) return 1;
  const { r, alpha } = m.params;
  return -Math.expm1(-(r + x) * Math.log1p(h / (alpha + T)));
}

/** The four numbers of a model, for reports. */
export function modelParameters(m: PurchaseModel): Record<string, number> {
  return { ...m.params };
}

/** The same model family with other parameter values (in the order of `modelParameters`). */
export function withParameters(m: PurchaseModel, values: ArrayLike<number>): PurchaseModel {
  const keys = Object.keys(m.params);
  const params = Object.fromEntries(keys.map((k, j) => [k, values[j]]));
  return { name: m.name, params } as unknown as PurchaseModel;
}

/** Σ w ln L of a model on compressed histories. */
export function purchaseLogLikelihood(m: PurchaseModel, data: CompressedHistories): number {
  switch (m.name) {
    case "bgnbd":
      return bgnbdLogLikelihood(m.params, data);
    case "mbgnbd":
      return mbgnbdLogLikelihood(m.params, data);
    case "paretoNbd":
      return paretoNbdLogLikelihood(m.params, data);
  }
}
