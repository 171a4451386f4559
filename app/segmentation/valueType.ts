/**
 * Valuable vs volume vs occasional: who is loyal at full price, who buys often but mostly on
 * discount, and who simply has not bought enough to say.
 *
 *  - VOLUME: a repeat buyer whose orders are mostly discounted (discount share ≥ 50 %) or
 *    deeply discounted (≥ 15 % of the pre-discount price on average).
 *  - VALUABLE: a repeat buyer, customer for at least 90 days, buying mostly at full price, with
 *    an AOV at least 75 % of the shop's median AOV.
 *  - OCCASIONAL: every other customer with orders.
 */
import { median } from "./stats";
import type { CustomerSummaries } from "./summary";

export type ValueType = "VALUABLE" | "VOLUME" | "OCCASIONAL";

export interface ValueTypeRules {
  minOrders: number;
  minTenureDays: number;
  volumeDiscountShare: number;
  volumeDiscountDepth: number;
  /** VALUABLE needs AOV ≥ this × shop median AOV. */
  minAovRatio: number;
}

export const DEFAULT_VALUE_TYPE_RULES: ValueTypeRules = {
  minOrders: 2,
  minTenureDays: 90,
  volumeDiscountShare: 0.5,
  volumeDiscountDepth: 0.15,
  minAovRatio: 0.75,
};

/** The AOV yardstick of VALUABLE; frozen with the model when a few customers are rescored. */
export function shopMedianAovMinor(s: CustomerSummaries): number {
  return median(s.aovMinor, (i) => s.orders[i] > 0);
}

export function valueTypes(
  s: CustomerSummaries,
  rules: ValueTypeRules = DEFAULT_VALUE_TYPE_RULES,
  shopMedianAov = shopMedianAovMinor(s),
): (ValueType | null)[] {
  const types = new Array<ValueType | null>(s.count);
  for (let i = 0; i < s.count; i++) {
    if (s.orders[i] === 0) {
      types[i] = null;
      continue;
    }
    const repeat = s.orders[i] >= rules.minOrders;
    const discounted =
      s.discountShare[i] >= rules.volumeDiscountShare ||
      s.discountDepth[i] >= rules.volumeDiscountDepth;
    const tenureDays = s.asOfDay - s.firstDay[i];
    if (repeat && discounted) types[i] = "VOLUME";
    else if (
      repeat &&
      tenureDays >= rules.minTenureDays &&
      s.aovMinor[i] >= rules.minAovRatio * shopMedianAov
    ) {
      types[i] = "VALUABLE";
    } else types[i] = "OCCASIONAL";
  }
  return types;
}
