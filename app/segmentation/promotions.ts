/**
 * What to offer each segment: a short playbook of promotions per segment, and how deep a
 * discount the segment can carry.
 *
 * The playbooks follow the usual reading of RFM and customer-value segments (Hughes,
 * "Strategic Database Marketing"; Kumar & Reinartz, "Customer Relationship Management";
 * Blattberg, Kim & Neslin, "Database Marketing"): reward and recognise the best customers
 * rather than discount them, grow the promising ones with bundles and thresholds, win back the
 * slipping ones while they still remember the shop (and ask them why they left), and spend
 * little on the long-gone. Customers who already buy mostly on discount ("volume") are steered
 * to bigger baskets, not deeper discounts, so the shop does not train them to wait for one.
 *
 * Discount depth is bounded by what a customer is worth. The rule: the discount given on one
 * average order must not exceed a fixed share (CLV_SHARE_FOR_DISCOUNT, a fifth) of the
 * average member's expected 12-month CLV,
 *
 *     percent × avgAov / 100 ≤ CLV_SHARE_FOR_DISCOUNT × avgClv
 *     ⇒ percent ≤ 100 × CLV_SHARE_FOR_DISCOUNT × avgClv / avgAov,
 *
 * then capped by the playbook entry (a win-back may go deeper than a thank-you) and floored to
 * a whole percent. When the bound falls below MIN_USEFUL_PERCENT there is no discount worth
 * giving, and the suggestion carries `discountPercent: null`. Without a CLV estimate (the
 * models' gates were closed, or the segment has no orders yet) the bound cannot be computed,
 * and the conservative UNKNOWN_CLV_CAP_PERCENT stands in.
 */
import { segmentDefinition } from "./catalog";

export type PromotionKind =
  | "loyalty_reward"
  | "early_access"
  | "upsell"
  | "bundle"
  | "free_shipping"
  | "welcome_offer"
  | "winback_discount"
  | "satisfaction_survey"
  | "reactivation";

export interface SuggestedPromotion {
  /** Unique within one segment's playbook (it is the kind); used as `?playbook=` in links. */
  id: string;
  kind: PromotionKind;
  title: string;
  /** Why this promotion suits the segment, in a merchant's words. */
  why: string;
  /** Suggested percentage off, bounded by CLV; null where no discount fits. */
  discountPercent: number | null;
}

export interface SegmentPromotionStats {
  customers: number;
  /** Average predicted 12-month CLV of the segment's members, minor units; null if unknown. */
  avgClvMinor: number | null;
  /** Average order value of the segment's members, minor units; null if they have no orders. */
  avgAovMinor: number | null;
  currency: string;
}

/** Share of the average expected CLV one average order's discount may give away. */
export const CLV_SHARE_FOR_DISCOUNT = 0.2;
/** Below this a percentage discount is noise to the customer and still costs margin. */
export const MIN_USEFUL_PERCENT = 5;
/** Ceiling used when CLV or AOV is unknown. */
export const UNKNOWN_CLV_CAP_PERCENT = 10;

export const PROMOTION_KIND_LABELS: Record<PromotionKind, string> = {
  loyalty_reward: "Loyalty reward",
  early_access: "Early access",
  upsell: "Upsell",
  bundle: "Bundle",
  free_shipping: "Free shipping threshold",
  welcome_offer: "Welcome offer",
  winback_discount: "Win-back discount",
  satisfaction_survey: "Satisfaction survey",
  reactivation: "Reactivation",
};

/** A playbook entry: `cap` is the deepest discount this kind of promotion should offer (0: none). */
interface Play {
  kind: PromotionKind;
  title: string;
  why: string;
  cap: number;
}

const play = (kind: PromotionKind, cap: number, title: string, why: string): Play => ({
  kind,
  cap,
  title,
  why,
});

// Reusable plays; a segment's playbook lists the ones that fit it, best first.
const thankYouReward = play(
  "loyalty_reward",
  10,
  "Thank-you reward for your best customers",
  "They already buy often and spend the most; recognition keeps them, a deep discount would only give margin away.",
);
const fullPriceRecognition = play(
  "loyalty_reward",
  0,
  "Loyalty perks instead of discounts",
  "They buy at full price; perks (points, gifts, service) reward them without teaching them to wait for a sale.",
);
const earlyAccess = play(
  "early_access",
  0,
  "Early access to new products",
  "Engaged customers value being first more than a discount; early access costs no margin.",
);
const upsell = play(
  "upsell",
  0,
  "Recommend the next product up",
  "They are engaged and trust the shop; suggesting a higher-value or complementary product grows the basket.",
);
const bundle = play(
  "bundle",
  10,
  "Bundle offer on complementary products",
  "A bundle raises the order value and introduces more of the range, for a modest discount.",
);
const freeShipping = play(
  "free_shipping",
  0,
  "Free shipping above a basket threshold",
  "A threshold just above their usual order value lifts the basket without a percentage discount.",
);
const welcomeOffer = play(
  "welcome_offer",
  15,
  "Welcome offer on the second order",
  "The step from first to second order is where most customers are lost; a welcome offer makes it easy.",
);
const firstOrderOffer = play(
  "welcome_offer",
  10,
  "First-order welcome offer",
  "They signed up but never ordered; a small first-order offer turns interest into a purchase.",
);
const winback = play(
  "winback_discount",
  20,
  "Win-back discount",
  "They were good customers and are slipping away; a time-limited offer while they still remember the shop is the cheapest way back.",
);
const gentleWinback = play(
  "winback_discount",
  10,
  "Limited-time offer",
  "Their gap since the last order is growing; a small, time-limited offer prompts the next order before they drift further.",
);
const survey = play(
  "satisfaction_survey",
  0,
  "Satisfaction survey",
  "Asking why they stopped tells the shop what to fix, and the attention alone brings some back.",
);
const reactivation = play(
  "reactivation",
  10,
  "Reactivation message with a small offer",
  "Long inactive and low value: a light-touch reminder with a small offer, or none, is all the spend they justify.",
);

const PLAYBOOKS: Record<string, readonly Play[]> = {
  "rfm:CHAMPIONS": [thankYouReward, earlyAccess, upsell],
  "rfm:LOYAL": [thankYouReward, upsell, earlyAccess],
  "rfm:ACTIVE": [upsell, bundle],
  "rfm:NEW": [welcomeOffer, bundle],
  "rfm:PROMISING": [bundle, freeShipping],
  "rfm:NEEDS_ATTENTION": [gentleWinback, bundle],
  "rfm:AT_RISK": [winback, survey],
  "rfm:PREVIOUSLY_LOYAL": [winback, survey],
  "rfm:ALMOST_LOST": [reactivation, survey],
  "rfm:DORMANT": [reactivation],
  "rfm:PROSPECTS": [firstOrderOffer],
  "fxv:FREQUENT_HIGH_SPEND": [thankYouReward, earlyAccess],
  "fxv:FREQUENT_LOW_SPEND": [upsell, bundle],
  "fxv:INFREQUENT_HIGH_SPEND": [earlyAccess, gentleWinback],
  "fxv:INFREQUENT_LOW_SPEND": [bundle, freeShipping],
  "value:VALUABLE": [fullPriceRecognition, earlyAccess, upsell],
  "value:VOLUME": [bundle, freeShipping],
  "value:OCCASIONAL": [bundle, freeShipping],
  "churn:HIGH": [winback, survey],
  "churn:MEDIUM": [gentleWinback, survey],
  "churn:LOW": [fullPriceRecognition, earlyAccess],
  "spend:HIGH": [earlyAccess, thankYouReward],
  "spend:MEDIUM": [upsell, bundle],
  "spend:LOW": [bundle, freeShipping],
  "propensity:LIKELY_TO_GROW": [upsell, bundle],
};

// A custom rule can mean anything; suggest the plays that are safe for any audience.
const CUSTOM_PLAYBOOK: readonly Play[] = [bundle, survey];

/**
 * The deepest percentage one average order may carry under the CLV rule, before any playbook
 * cap; null when CLV or AOV is unknown.
 */
export function clvDiscountCeiling(stats: SegmentPromotionStats): number | null {
  const { avgClvMinor, avgAovMinor } = stats;
  if (avgClvMinor === null || avgAovMinor === null || !(avgAovMinor > 0)) return null;
  if (!Number.isFinite(avgClvMinor) || !Number.isFinite(avgAovMinor)) return null;
  return (100 * CLV_SHARE_FOR_DISCOUNT * Math.max(0, avgClvMinor)) / avgAovMinor;
}

/** The suggested percentage for a play with the given cap, or null where none fits. */
export function boundedDiscountPercent(cap: number, stats: SegmentPromotionStats): number | null {
  if (cap <= 0) return null;
  const ceiling = clvDiscountCeiling(stats) ?? UNKNOWN_CLV_CAP_PERCENT;
  const percent = Math.floor(Math.min(cap, ceiling, 100));
  return percent >= MIN_USEFUL_PERCENT ? percent : null;
}

/** The suggested promotions for a segment, best first; empty for an unknown segment key. */
export function playbookFor(
  segmentKey: string,
  stats: SegmentPromotionStats,
): SuggestedPromotion[] {
  const definition = segmentDefinition(segmentKey);
  if (!definition) return [];
  const plays = definition.family === "custom" ? CUSTOM_PLAYBOOK : (PLAYBOOKS[segmentKey] ?? []);
  return plays.map((p) => ({
    id: p.kind,
    kind: p.kind,
    title: p.title,
    why: p.why,
    discountPercent: boundedDiscountPercent(p.cap, stats),
  }));
}

/** One suggestion of a segment's playbook by its id, for links such as `?playbook=`. */
export function suggestionFor(
  segmentKey: string,
  playbookId: string,
  stats: SegmentPromotionStats,
): SuggestedPromotion | undefined {
  return playbookFor(segmentKey, stats).find((s) => s.id === playbookId);
}
