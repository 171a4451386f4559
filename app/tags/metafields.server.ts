import { currencyDigits } from "~/sync/money";
import type { KeyScores } from "./score-threshold";

/**
 * Key scores as customer metafields in an app-owned namespace. `$app:propel` resolves to
 * `app--<app id>--propel`: only Propel can write it, merchants and other apps can read it
 * (Flow conditions, Shopify segments on metafields, email templates).
 */
export const METAFIELD_NAMESPACE = "$app:propel";
/** Shopify accepts at most 25 metafields per metafieldsSet call. */
export const METAFIELDS_PER_CALL = 25;

export interface MetafieldInput {
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
}

function decimal(value: number, digits: number): string {
  return value.toFixed(digits);
}

/** The metafields of one customer's scores; scores the recompute could not give are left out. */
export function scoreMetafields(
  ownerId: string,
  scores: KeyScores,
  currencyCode: string,
): MetafieldInput[] {
  const base = { ownerId, namespace: METAFIELD_NAMESPACE };
  const out: MetafieldInput[] = [];
  if (scores.clvMinor !== null) {
    const digits = currencyDigits(currencyCode);
    out.push({
      ...base,
      key: "clv_12m",
      type: "money",
      value: JSON.stringify({
        amount: decimal(scores.clvMinor / 10 ** digits, digits),
        currency_code: currencyCode,
      }),
    });
  }
  if (scores.churnRisk !== null)
    out.push({
      ...base,
      key: "churn_risk",
      type: "single_line_text_field",
      value: scores.churnRisk,
    });
  if (scores.pAlive !== null)
    out.push({ ...base, key: "p_alive", type: "number_decimal", value: decimal(scores.pAlive, 4) });
  if (scores.propensity !== null)
    out.push({
      ...base,
      key: "propensity",
      type: "number_decimal",
      value: decimal(scores.propensity, 4),
    });
  if (scores.churnScore !== null)
    out.push({
      ...base,
      key: "churn_score",
      type: "number_decimal",
      value: decimal(scores.churnScore, 4),
    });
  if (scores.nextOrderDate !== null)
    out.push({ ...base, key: "next_order_date", type: "date", value: scores.nextOrderDate });
  return out;
}
