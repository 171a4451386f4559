/**
 * When a customer's key scores are worth writing to Shopify again. Scores move a little on
 * every recompute; rewriting six metafields per customer for noise would spend the shop's API
 * budget and wake every flow that watches them, so a score is rewritten only when it moved by
 * an amount a merchant would act on.
 */
export interface KeyScores {
  /** Predicted 12-month CLV in minor units of the shop currency. */
  clvMinor: number | null;
  churnRisk: string | null;
  pAlive: number | null;
  propensity: number | null;
  /** Probability of no order within the shop's churn horizon (what the band is read from). */
  churnScore: number | null;
  /** Expected next order (YYYY-MM-DD), for customers likely to order again. */
  nextOrderDate: string | null;
}

/** CLV: 5% of the last written value, and at least one major unit (100 minor units). */
export const CLV_RELATIVE_THRESHOLD = 0.05;
export const CLV_ABSOLUTE_THRESHOLD_MINOR = 100;
/** Probabilities: five percentage points. */
export const PROBABILITY_THRESHOLD = 0.05;
/** The expected next order: a week. Smaller moves are the forecast drifting day by day. */
export const NEXT_ORDER_THRESHOLD_DAYS = 7;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function keyScoresFrom(value: unknown): KeyScores | null {
  if (!value || typeof value !== "object") return null;
  const record = value as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  return {
    clvMinor: num(record.clvMinor),
    churnRisk: typeof record.churnRisk === "string" ? record.churnRisk : null,
    pAlive: num(record.pAlive),
    propensity: num(record.propensity),
    churnScore: num(record.churnScore),
    nextOrderDate:
      typeof record.nextOrderDate === "string" && ISO_DATE.test(record.nextOrderDate)
        ? record.nextOrderDate
        : null,
  };
}

function movedDate(before: string | null, after: string | null): boolean {
  if (before === null || after === null) return before !== after;
  const days = Math.abs(Date.parse(after) - Date.parse(before)) / 86_400_000;
  return days >= NEXT_ORDER_THRESHOLD_DAYS;
}

function movedNumber(before: number | null, after: number | null, threshold: number): boolean {
  if (before === null || after === null) return before !== after;
  return Math.abs(after - before) >= threshold;
}

/** True when `desired` differs from what was last written by more than the thresholds. */
export function scoresNeedWrite(applied: KeyScores | null, desired: KeyScores | null): boolean {
  if (!desired) return false;
  if (!applied) return true;
  const clvThreshold = Math.max(
    CLV_ABSOLUTE_THRESHOLD_MINOR,
    Math.abs(applied.clvMinor ?? 0) * CLV_RELATIVE_THRESHOLD,
  );
  return (
    applied.churnRisk !== desired.churnRisk ||
    movedNumber(applied.clvMinor, desired.clvMinor, clvThreshold) ||
    movedNumber(applied.pAlive, desired.pAlive, PROBABILITY_THRESHOLD) ||
    movedNumber(applied.propensity, desired.propensity, PROBABILITY_THRESHOLD) ||
    movedNumber(applied.churnScore, desired.churnScore, PROBABILITY_THRESHOLD) ||
    movedDate(applied.nextOrderDate, desired.nextOrderDate)
  );
}
