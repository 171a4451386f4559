/**
 * The fields a custom rule can use, with their types. Money is in major units of the shop
 * currency (`clv12m > 200` means 200 dollars in a USD shop), times in days unless noted.
 * `metafield.<namespace>.<key>` reaches any customer metafield; its type is only known at
 * evaluation time.
 */
import { RFM_GROUPS } from "../rfm";

export type FieldType =
  | { kind: "number" }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "string" }
  | { kind: "stringList" }
  | { kind: "boolean" }
  | { kind: "dynamic" };

export interface FieldSpec {
  type: FieldType;
  description: string;
}

const number: FieldType = { kind: "number" };
const levels = { kind: "enum", values: ["LOW", "MEDIUM", "HIGH"] } as const;

export const RULE_FIELDS: Readonly<Record<string, FieldSpec>> = {
  orders: { type: number, description: "counted orders" },
  frequency: { type: number, description: "repeat purchase days (BG/NBD x)" },
  recency: { type: number, description: "time from first to last purchase (model time unit)" },
  age: {
    type: number,
    description: "time from first purchase to the as-of date (model time unit)",
  },
  daysSinceLast: { type: number, description: "days since the last purchase" },
  totalSpend: { type: number, description: "total net spend, major units" },
  aov: { type: number, description: "average order value, major units" },
  discountShare: { type: number, description: "share of orders with a discount (0–1)" },
  discountDepth: { type: number, description: "discount / pre-discount price (0–1)" },
  refundShare: { type: number, description: "share of orders refunded (0–1)" },
  valueTrend: { type: number, description: "order value trend, relative change per order" },
  rfmR: { type: number, description: "RFM recency score 1–5" },
  rfmF: { type: number, description: "RFM frequency score 1–5" },
  rfmM: { type: number, description: "RFM monetary score 1–5" },
  rfmGroup: { type: { kind: "enum", values: RFM_GROUPS }, description: "RFM group" },
  priceTier: { type: number, description: "quintile 1–5 of the mean unit price bought" },
  fxvCell: {
    type: {
      kind: "enum",
      values: [
        "FREQUENT_HIGH_SPEND",
        "FREQUENT_LOW_SPEND",
        "INFREQUENT_HIGH_SPEND",
        "INFREQUENT_LOW_SPEND",
      ],
    },
    description: "frequency × value cell",
  },
  valueType: {
    type: { kind: "enum", values: ["VALUABLE", "VOLUME", "OCCASIONAL"] },
    description: "value type",
  },
  pAlive: { type: number, description: "BG/NBD probability the customer is still active (0–1)" },
  expectedPurchases: { type: number, description: "expected purchases in the forecast horizon" },
  churnRisk: {
    type: levels,
    description:
      "churn band: chance of ordering within the shop's horizon, relative to a customer who just ordered",
  },
  churnScore: {
    type: number,
    description: "probability of no order within the shop's churn horizon (0–1)",
  },
  nextOrderProbability: {
    type: number,
    description: "probability of another order within two years (0–1)",
  },
  daysToNextOrder: { type: number, description: "days until the expected next order" },
  expectedSpend: { type: number, description: "Gamma-Gamma expected spend per order, major units" },
  clv12m: { type: number, description: "12-month customer lifetime value, major units" },
  spendTier: { type: levels, description: "predicted spend tier" },
  propensity: { type: number, description: "probability of spending more next window (0–1)" },
  leadingProductType: { type: { kind: "string" }, description: "product type with the most spend" },
  leadingVendor: { type: { kind: "string" }, description: "vendor with the most spend" },
  tags: { type: { kind: "stringList" }, description: "the customer's Shopify tags" },
  emailConsent: { type: { kind: "boolean" }, description: "subscribed to email marketing" },
};

export const METAFIELD_PREFIX = "metafield.";

export function lookupField(
  name: string,
  fields: Readonly<Record<string, FieldSpec>> = RULE_FIELDS,
): FieldSpec | undefined {
  if (name.startsWith(METAFIELD_PREFIX) && name.length > METAFIELD_PREFIX.length) {
    return {
      type: { kind: "dynamic" },
      description: `customer metafield ${name.slice(METAFIELD_PREFIX.length)}`,
    };
  }
  return Object.hasOwn(fields, name) ? fields[name] : undefined;
}
