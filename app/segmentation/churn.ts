/**
 * Churn as "no order within a horizon H that fits the shop", for every customer — one-time
 * buyers included.
 *
 * Score. Under a purchase model (purchaseModel.ts) a customer places no order in (T, T+H] when
 * she has dropped out, or is alive and stays silent:
 *   S_H = 1 − P(alive) · P(purchase within H | alive)
 * which under BG/NBD is 1 − P(alive)·[1 − ((α+T)/(α+T+H))^(r+x)]: for a one-time buyer
 * (P(alive) = 1 there) it still rises with T, because the posterior purchase rate falls.
 *
 * Horizon. H is the 80th percentile of the shop's own gaps between consecutive order days,
 * clamped to 30–365 days (90 when the shop has no repeat orders yet): most returning customers
 * come back within H, so "no order within H" means something in a shop that sells coffee and
 * in one that sells mattresses.
 *
 * Bands. A score alone does not say whether it is high *for this shop* (in a mattress shop
 * almost everyone is "likely not to order within H"). So the band compares a customer's chance
 * of ordering within H with that of a customer who has just ordered with a typical history:
 *   ρ = (1 − S) / (1 − S₀);  HIGH if ρ < CHURN_BAND_RATIOS.high, MEDIUM if ρ < .medium, else LOW.
 * HIGH therefore means "less than 30 % of the ordering chance of a customer who just bought" in
 * every shop.
 *
 * Fallback. Below the minimum-data gates no model is fitted; an empirical Kaplan–Meier estimate
 * of the time from an order to the next one, by how many orders the customer has placed (1, 2,
 * 3+), stands in: S_H = S_k(d+H)/S_k(d) for a customer k orders in and d days since the last.
 */
import type { OrderTable } from "./orders";
import { aliveProbability, purchaseWithinIfAlive, type PurchaseModel } from "./purchaseModel";

/**
 * Default ρ thresholds (Settings can change them per shop: they are the shop's
 * `churnThresholds`); the model trust page and the explanations quote the values in force.
 */
export const CHURN_BAND_RATIOS = { high: 0.3, medium: 0.7 } as const;
export const CHURN_HORIZON_QUANTILE = 0.8;
export const CHURN_HORIZON_MIN_DAYS = 30;
export const CHURN_HORIZON_MAX_DAYS = 365;
export const CHURN_HORIZON_DEFAULT_DAYS = 90;
/** Kaplan–Meier strata: customers with 1, 2 and 3 or more order days. */
export const KM_STRATA = 3;

export type ChurnBand = "LOW" | "MEDIUM" | "HIGH";

/** Gaps in days between consecutive distinct order days up to `asOfDay`. */
export function orderGaps(table: OrderTable, asOfDay: number): number[] {
  const gaps: number[] = [];
  const n = table.customerIds.length;
  for (let c = 0; c < n; c++) {
    let previous = NaN;
    for (let i = table.customerStart[c]; i < table.customerStart[c + 1]; i++) {
      const d = table.day[i];
      if (d > asOfDay) break;
      if (d !== previous && !Number.isNaN(previous)) gaps.push(d - previous);
      previous = d;
    }
  }
  return gaps;
}

/** H in days: the 80th percentile of the shop's inter-order gaps, clamped to 30–365. */
export function churnHorizonDays(table: OrderTable, asOfDay: number): number {
  const gaps = orderGaps(table, asOfDay);
  if (gaps.length === 0) return CHURN_HORIZON_DEFAULT_DAYS;
  const sorted = Float64Array.from(gaps).sort();
  const q =
    sorted[Math.min(sorted.length - 1, Math.ceil(CHURN_HORIZON_QUANTILE * sorted.length) - 1)];
  return Math.min(CHURN_HORIZON_MAX_DAYS, Math.max(CHURN_HORIZON_MIN_DAYS, Math.round(q)));
}

/**
 * "Does a next order come at all" is asked over this many days: an order five years out is not
 * one a merchant can plan for, and under BG/NBD a one-time buyer is alive for sure, so an
 * unbounded "ever" would be 1 for every one of them however long ago they bought.
 */
export const NEXT_ORDER_LIMIT_DAYS = 730;

export interface ModelChurn {
  /** P(no order within H). */
  score: number;
  /** P(a next order within NEXT_ORDER_LIMIT_DAYS). */
  ever: number;
  /** Median time to the next order given that one comes within the limit (model unit). */
  medianIfOrders: number;
}

/**
 * Churn score, chance of a next order, and the median wait for it. The median solves
 * P(order by t | alive) = ½ P(order within the limit | alive) on the living customer's
 * Gamma-posterior Poisson wait: t = (α+T)((1 − W/2)^(−1/(r+x)) − 1) with
 * W = 1 − ((α+T)/(α+T+limit))^(r+x); under Pareto/NBD it ignores that death competes with the
 * purchase, which makes it a little long.
 */
export function modelChurn(
  m: PurchaseModel,
  horizon: number,
  x: number,
  tx: number,
  T: number,
  limit = Infinity,
  alive = aliveProbability(m, x, tx, T),
): ModelChurn {
  return churnGivenAlive(alive, churnIfAlive(m, horizon, x, T, limit));
}

/** What `modelChurn` needs beyond P(alive): it depends on (x, T) only, not on t_x. */
export interface ChurnIfAlive {
  /** P(an order within H | alive). */
  within: number;
  /** P(an order within the limit | alive). */
  withinLimit: number;
  medianIfOrders: number;
}

export function churnIfAlive(
  m: PurchaseModel,
  horizon: number,
  x: number,
  T: number,
  limit = Infinity,
): ChurnIfAlive {
  const { r, alpha } = m.params;
  const k = r + x;
  const W = limit === Infinity ? 1 : -Math.expm1(-k * Math.log1p(limit / (alpha + T)));
  return {
    within: purchaseWithinIfAlive(m, horizon, x, T),
    withinLimit: purchaseWithinIfAlive(m, limit, x, T),
    medianIfOrders: (alpha + T) * Math.expm1(-Math.log1p(-W / 2) / k),
  };
}

export function churnGivenAlive(alive: number, ifAlive: ChurnIfAlive): ModelChurn {
  return {
    score: clamp01(1 - alive * ifAlive.within),
    ever: clamp01(alive * ifAlive.withinLimit),
    medianIfOrders: ifAlive.medianIfOrders,
  };
}

/**
 * The reference customer of the bands: she ordered today (t_x = T) with the shop's median
 * number of repeat order days among customers with orders; with a median of 0 that is a
 * first-time buyer whose first order was today (x = t_x = T = 0), else T is the median age of
 * the customers with that many repeat days.
 */
export function typicalHistory(
  frequency: ArrayLike<number>,
  age: ArrayLike<number>,
  hasOrders: (i: number) => boolean,
): { x: number; T: number } {
  const xs: number[] = [];
  for (let i = 0; i < frequency.length; i++) if (hasOrders(i)) xs.push(frequency[i]);
  if (xs.length === 0) return { x: 0, T: 0 };
  xs.sort((a, b) => a - b);
  const x = xs[Math.floor((xs.length - 1) / 2)];
  if (x === 0) return { x: 0, T: 0 };
  const ages: number[] = [];
  for (let i = 0; i < frequency.length; i++)
    if (hasOrders(i) && frequency[i] === x) ages.push(age[i]);
  ages.sort((a, b) => a - b);
  return { x, T: ages[Math.floor((ages.length - 1) / 2)] };
}

export function churnBand(
  score: number,
  baseline: number,
  ratios: { high: number; medium: number } = CHURN_BAND_RATIOS,
): ChurnBand | null {
  if (!Number.isFinite(score) || !Number.isFinite(baseline) || !(baseline < 1)) return null;
  const ratio = (1 - score) / (1 - baseline);
  return ratio < ratios.high ? "HIGH" : ratio < ratios.medium ? "MEDIUM" : "LOW";
}

/**
 * Kaplan–Meier survival of "no next order yet" by days since an order, per stratum
 * (order days so far, capped at KM_STRATA). survival[k][d] = S_k(d) for d = 0 … maxDays; beyond
 * the last observed day the curve stays flat.
 */
export interface KaplanMeierCurves {
  maxDays: number;
  survival: number[][];
}

export function kaplanMeierCurves(table: OrderTable, asOfDay: number): KaplanMeierCurves {
  const n = table.customerIds.length;
  let maxDays = 0;
  const spells: { stratum: number; days: number; event: boolean }[] = [];
  for (let c = 0; c < n; c++) {
    let previous = NaN;
    let count = 0;
    for (let i = table.customerStart[c]; i < table.customerStart[c + 1]; i++) {
      const d = table.day[i];
      if (d > asOfDay) break;
      if (d === previous) continue;
      if (count > 0)
        spells.push({ stratum: Math.min(count, KM_STRATA) - 1, days: d - previous, event: true });
      count++;
      previous = d;
    }
    if (count > 0)
      spells.push({
        stratum: Math.min(count, KM_STRATA) - 1,
        days: asOfDay - previous,
        event: false,
      });
  }
  for (const s of spells) maxDays = Math.max(maxDays, s.days);
  const survival: number[][] = [];
  for (let k = 0; k < KM_STRATA; k++) {
    const events = new Float64Array(maxDays + 2);
    const exits = new Float64Array(maxDays + 2);
    let atRisk = 0;
    for (const s of spells) {
      if (s.stratum !== k) continue;
      atRisk++;
      if (s.event) events[s.days]++;
      exits[s.days]++;
    }
    const curve = new Array<number>(maxDays + 1);
    let S = 1;
    for (let d = 0; d <= maxDays; d++) {
      if (atRisk > 0 && events[d] > 0) S *= 1 - events[d] / atRisk;
      curve[d] = S;
      atRisk -= exits[d];
    }
    survival.push(curve);
  }
  return { maxDays, survival };
}

/**
 * Churn score, chance of a next order (within NEXT_ORDER_LIMIT_DAYS, as far as the curve
 * reaches) and median wait in days, from the KM curves.
 */
export function kaplanMeierChurn(
  curves: KaplanMeierCurves,
  orderDays: number,
  daysSinceLast: number,
  horizonDays: number,
): { score: number; ever: number; medianIfOrders: number } {
  const curve = curves.survival[Math.min(Math.max(orderDays, 1), KM_STRATA) - 1];
  const at = (d: number) => curve[Math.min(Math.max(0, Math.round(d)), curves.maxDays)];
  const now = at(daysSinceLast);
  if (!(now > 0)) return { score: 1, ever: 0, medianIfOrders: Infinity };
  const floor = at(daysSinceLast + NEXT_ORDER_LIMIT_DAYS);
  const ever = clamp01(1 - floor / now);
  const score = clamp01(at(daysSinceLast + horizonDays) / now);
  let medianIfOrders = Infinity;
  if (ever > 0) {
    const target = now - (now - floor) / 2;
    for (let d = Math.max(0, Math.round(daysSinceLast)); d <= curves.maxDays; d++) {
      if (curve[d] <= target) {
        medianIfOrders = d - daysSinceLast;
        break;
      }
    }
  }
  return { score, ever, medianIfOrders };
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 1;
}
