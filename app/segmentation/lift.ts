/**
 * Did a promotion change behaviour? The treated group got the code, a random holdout did not;
 * the lift is the difference between the share of each group that ordered since the start.
 *
 * The interval of that difference is Newcombe's hybrid score interval (Newcombe 1998,
 * "Interval estimation for the difference between independent proportions", Statistics in
 * Medicine 17, method 10), built from the Wilson score interval of each proportion. Unlike the
 * textbook Wald interval it stays inside [-1, 1] and behaves when a group is small or nobody in
 * it has ordered yet — the usual state of a promotion in its first days.
 */

export interface GroupOutcome {
  /** Customers in the group. */
  customers: number;
  /** Of them, how many placed at least one order in the window. */
  converted: number;
}

export interface Interval {
  low: number;
  high: number;
}

export interface LiftEstimate {
  treatmentRate: number;
  holdoutRate: number;
  /** treatmentRate − holdoutRate, in proportion points (0.03 = 3 points). */
  difference: number;
  /** The 95% (by default) interval of `difference`. */
  interval: Interval;
  /** treatmentRate / holdoutRate − 1; null while nobody in the holdout converted. */
  relativeLift: number | null;
  /** True when the interval excludes zero. */
  significant: boolean;
  confidence: number;
}

/** z of the two-sided standard normal interval for the usual confidence levels. */
const Z: Record<string, number> = { "0.8": 1.2816, "0.9": 1.6449, "0.95": 1.96, "0.99": 2.5758 };

function zFor(confidence: number): number {
  const z = Z[String(confidence)];
  if (z === undefined) throw new RangeError(`confidence must be one of ${Object.keys(Z)}`);
  return z;
}

function checkGroup(group: GroupOutcome, name: string) {
  const { customers, converted } = group;
  if (!Number.isInteger(customers) || !Number.isInteger(converted))
    throw new RangeError(`${name}: counts must be integers`);
  if (customers < 0 || converted < 0 || converted > customers)
    throw new RangeError(`${name}: need 0 ≤ converted ≤ customers`);
}

/** Wilson's score interval of a proportion (Wilson 1927). */
export function wilsonInterval(converted: number, customers: number, z = 1.96): Interval {
  if (customers === 0) return { low: 0, high: 1 };
  const p = converted / customers;
  const z2 = z * z;
  const centre = (p + z2 / (2 * customers)) / (1 + z2 / customers);
  const half =
    (z / (1 + z2 / customers)) *
    Math.sqrt((p * (1 - p)) / customers + z2 / (4 * customers * customers));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The lift of the treated group over the holdout, with its interval; null when either group is
 * empty (no holdout was kept, or nobody was targeted), since then there is nothing to compare.
 */
export function conversionLift(
  treatment: GroupOutcome,
  holdout: GroupOutcome,
  confidence = 0.95,
): LiftEstimate | null {
  checkGroup(treatment, "treatment");
  checkGroup(holdout, "holdout");
  if (treatment.customers === 0 || holdout.customers === 0) return null;
  const z = zFor(confidence);
  const p1 = treatment.converted / treatment.customers;
  const p2 = holdout.converted / holdout.customers;
  const w1 = wilsonInterval(treatment.converted, treatment.customers, z);
  const w2 = wilsonInterval(holdout.converted, holdout.customers, z);
  const difference = p1 - p2;
  const interval = {
    low: difference - Math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2),
    high: difference + Math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2),
  };
  return {
    treatmentRate: p1,
    holdoutRate: p2,
    difference,
    interval,
    relativeLift: p2 > 0 ? p1 / p2 - 1 : null,
    significant: interval.low > 0 || interval.high < 0,
    confidence,
  };
}

/**
 * A deterministic coin per customer for a promotion: the same promotion and customer always
 * land in the same group, so a retried or re-read assignment never moves anyone. FNV-1a over
 * the seed and the customer id, mixed with a final avalanche, mapped to [0, 1).
 */
export function holdoutDraw(seed: string, customerId: string): number {
  let h = 0x811c9dc5;
  const text = `${seed}:${customerId}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // murmur3's fmix32, so neighbouring ids do not give neighbouring draws
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/**
 * Splits customers into treatment and holdout: exactly round(share × n) customers, those with
 * the smallest draws, are held out, so the holdout's size is what the merchant asked for and
 * the choice is random but reproducible from the seed.
 */
export function splitHoldout<T extends string | bigint>(
  customerIds: readonly T[],
  share: number,
  seed: string,
): { treatment: T[]; holdout: T[] } {
  if (!(share >= 0 && share < 1)) throw new RangeError("holdout share must be in [0, 1)");
  const size = Math.round(share * customerIds.length);
  const ranked = customerIds
    .map((id) => ({ id, draw: holdoutDraw(seed, String(id)) }))
    .sort((a, b) => a.draw - b.draw || (String(a.id) < String(b.id) ? -1 : 1));
  const held = new Set(ranked.slice(0, size).map((r) => r.id));
  return {
    treatment: customerIds.filter((id) => !held.has(id)),
    holdout: customerIds.filter((id) => held.has(id)),
  };
}
