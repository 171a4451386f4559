/**
 * The segments Propel maintains, named once: their keys (`family:VALUE`, as stored in
 * SegmentMembership), what they mean in plain words, and the customer tag each becomes.
 * Everything that shows, stores or pushes a segment reads it from here.
 */
import type { ChurnRisk } from "./bgnbd";
import type { FrequencyValueCell } from "./frequencyValue";
import type { SpendTier } from "./gammaGamma";
import { RFM_GROUPS, type RfmGroup } from "./rfm";
import type { ValueType } from "./valueType";

export const SEGMENT_FAMILIES = [
  "rfm",
  "fxv",
  "value",
  "churn",
  "spend",
  "propensity",
  "custom",
] as const;
export type SegmentFamily = (typeof SEGMENT_FAMILIES)[number];

export const FAMILY_LABELS: Record<SegmentFamily, string> = {
  rfm: "RFM group",
  fxv: "Frequency × value",
  value: "Valuable vs volume",
  churn: "Churn risk",
  spend: "Predicted spend tier",
  propensity: "Propensity to progress",
  custom: "Custom segment",
};

export interface SegmentDefinition {
  key: string;
  family: SegmentFamily;
  value: string;
  label: string;
  /** What membership means, in a merchant's words. */
  description: string;
}

const rfmDescriptions: Record<RfmGroup, string> = {
  CHAMPIONS: "Bought recently, buy often and spend the most.",
  LOYAL: "Buy regularly and spend well; not necessarily in the last few weeks.",
  ACTIVE: "Bought recently with middling frequency and spend.",
  NEW: "Placed their first order recently.",
  PROMISING: "Recent buyers with a modest history so far.",
  NEEDS_ATTENTION: "Average customers whose last order is getting further away.",
  AT_RISK: "Used to buy often and spend well, but have not bought for a while.",
  PREVIOUSLY_LOYAL: "Were among the best customers, and have not bought for a long time.",
  ALMOST_LOST: "Low activity and a long time since the last order.",
  DORMANT: "One small order, long ago.",
  PROSPECTS: "Customers who have not placed an order yet.",
};

const fxvDescriptions: Record<FrequencyValueCell, string> = {
  FREQUENT_HIGH_SPEND: "Order more often and spend more than the shop's typical repeat buyer.",
  FREQUENT_LOW_SPEND: "Order often but spend less than the typical repeat buyer.",
  INFREQUENT_HIGH_SPEND: "Order rarely but spend a lot when they do.",
  INFREQUENT_LOW_SPEND: "Order rarely and spend little.",
};

const valueDescriptions: Record<ValueType, string> = {
  VALUABLE: "Repeat customers of 90+ days who buy mostly at full price.",
  VOLUME: "Repeat customers who buy mostly on discount.",
  OCCASIONAL: "Customers without enough repeat history to call valuable or volume.",
};

const churnDescriptions: Record<ChurnRisk, string> = {
  HIGH: "The model gives them under a 30% chance of still being a customer.",
  MEDIUM: "The model gives them a 30–70% chance of still being a customer.",
  LOW: "The model expects them to keep buying.",
};

const spendDescriptions: Record<SpendTier, string> = {
  HIGH: "The top 10% by predicted 12-month customer lifetime value.",
  MEDIUM: "The next 40% by predicted lifetime value.",
  LOW: "The remaining half by predicted lifetime value.",
};

export const LIKELY_TO_GROW = "LIKELY_TO_GROW";
/** Share of customers with orders, by propensity score, placed in `propensity:LIKELY_TO_GROW`. */
export const LIKELY_TO_GROW_SHARE = 0.2;

const titleCase = (value: string) =>
  value
    .toLowerCase()
    .split("_")
    .map((word, i) => (i === 0 ? word[0].toUpperCase() + word.slice(1) : word))
    .join(" ");

function definitions<V extends string>(
  family: SegmentFamily,
  descriptions: Record<V, string>,
  label: (value: V) => string = titleCase,
): SegmentDefinition[] {
  return (Object.keys(descriptions) as V[]).map((value) => ({
    key: `${family}:${value}`,
    family,
    value,
    label: label(value),
    description: descriptions[value],
  }));
}

/** Every built-in segment, in display order. Custom segments come from the shop's settings. */
export const BUILT_IN_SEGMENTS: readonly SegmentDefinition[] = [
  ...definitions("rfm", rfmDescriptions).sort(
    (a, b) => RFM_GROUPS.indexOf(a.value as RfmGroup) - RFM_GROUPS.indexOf(b.value as RfmGroup),
  ),
  ...definitions("fxv", fxvDescriptions),
  ...definitions("value", valueDescriptions),
  ...definitions("churn", churnDescriptions, (v) => `${titleCase(v)} churn risk`),
  ...definitions("spend", spendDescriptions, (v) => `${titleCase(v)} predicted spend`),
  {
    key: `propensity:${LIKELY_TO_GROW}`,
    family: "propensity",
    value: LIKELY_TO_GROW,
    label: "Likely to grow",
    description:
      "The fifth of customers most likely to spend more in the next 90 days than in the last 90.",
  },
];

const builtInByKey = new Map(BUILT_IN_SEGMENTS.map((s) => [s.key, s]));

export function customSegmentKey(name: string): string {
  return `custom:${name}`;
}

/** The definition of a stored segment key, custom segments included. */
export function segmentDefinition(key: string): SegmentDefinition | undefined {
  const known = builtInByKey.get(key);
  if (known) return known;
  if (key.startsWith("custom:")) {
    const name = key.slice("custom:".length);
    return {
      key,
      family: "custom",
      value: name,
      label: name,
      description: "A custom segment defined by a rule in Custom segments.",
    };
  }
  return undefined;
}

export function familyOf(key: string): SegmentFamily | undefined {
  return segmentDefinition(key)?.family;
}

/** Shopify's limits on customer tags. */
export const SHOPIFY_MAX_TAGS = 250;
export const SHOPIFY_MAX_TAG_LENGTH = 255;

export const TAG_PREFIX_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

const slug = (value: string) =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");

/**
 * The tag of a segment: `propel:champions`, `propel:churn-high`, `propel:volume`,
 * `propel:spend-high`, `propel:likely-to-grow`. Families whose values would collide or read
 * ambiguously on their own carry the family name.
 */
export function segmentTag(prefix: string, key: string): string {
  const definition = segmentDefinition(key);
  if (!definition) throw new RangeError(`unknown segment ${key}`);
  const value = slug(definition.value);
  const body =
    definition.family === "churn" || definition.family === "spend"
      ? `${definition.family}-${value}`
      : definition.family === "custom"
        ? `segment-${value}`
        : value;
  return `${prefix}:${body}`.slice(0, SHOPIFY_MAX_TAG_LENGTH);
}

/** The tags Propel wants on a customer: one per membership in a tagged family, sorted. */
export function desiredTags(
  memberships: readonly string[],
  settings: { tagPrefix: string; taggedFamilies: readonly string[] },
): string[] {
  const tags = new Set<string>();
  for (const key of memberships) {
    const family = familyOf(key);
    if (family && settings.taggedFamilies.includes(family))
      tags.add(segmentTag(settings.tagPrefix, key));
  }
  return [...tags].sort();
}
