import { SHOPIFY_MAX_TAGS, SHOPIFY_MAX_TAG_LENGTH } from "~/segmentation/catalog";

/**
 * What one customer's tags need, worked out from three sets: the tags Propel wants on the
 * customer (`desired`), the tags Propel knows it wrote (`applied`), and the customer's tags as
 * last read from Shopify (`current`, which includes the merchant's and other apps' tags).
 *
 * Only `applied` tags are ever removed, so a tag Propel did not write survives every push. A
 * tag under Propel's prefix is Propel's: the prefix is a per-shop setting for exactly that
 * reason, so a tag the merchant typed under it before Propel added it is treated as Propel's
 * once Propel has added it (Shopify keeps tags as a set, so there is no telling them apart).
 */
export interface TagPlan {
  add: string[];
  remove: string[];
  /** Propel's tags on the customer once the plan is applied, sorted like desiredTags. */
  after: string[];
  /** Why some desired tags were left out (Shopify's limits). */
  notes: string[];
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function planTags(input: {
  desired: readonly string[];
  applied: readonly string[];
  current: readonly string[];
}): TagPlan {
  const notes: string[] = [];
  const desired = input.desired.filter((tag) => tag.length > 0);
  const tooLong = desired.filter((tag) => tag.length > SHOPIFY_MAX_TAG_LENGTH);
  if (tooLong.length > 0)
    notes.push(`${tooLong.length} tag(s) over ${SHOPIFY_MAX_TAG_LENGTH} characters not added`);
  const wanted = new Set(desired.filter((tag) => tag.length <= SHOPIFY_MAX_TAG_LENGTH));
  const applied = new Set(input.applied);

  const remove = [...applied].filter((tag) => !wanted.has(tag)).sort(byCodeUnit);
  const keep = [...applied].filter((tag) => wanted.has(tag));
  let add = [...wanted].filter((tag) => !applied.has(tag)).sort(byCodeUnit);

  // Shopify compares tags case-insensitively; everything not ours counts against the limit.
  const ours = new Set([...applied, ...wanted].map((tag) => tag.toLowerCase()));
  const others = new Set(
    input.current.map((tag) => tag.toLowerCase()).filter((tag) => !ours.has(tag)),
  );
  const room = SHOPIFY_MAX_TAGS - others.size - keep.length;
  if (add.length > room) {
    const left = add.length - Math.max(0, room);
    notes.push(`${left} tag(s) not added: the customer would exceed ${SHOPIFY_MAX_TAGS} tags`);
    add = add.slice(0, Math.max(0, room));
  }
  return { add, remove, after: [...keep, ...add].sort(byCodeUnit), notes };
}

/** Propel's tags actually on a customer, given the tags Shopify reports for it. */
export function propelTagsPresent(
  shopifyTags: readonly string[],
  candidates: readonly string[],
): string[] {
  const present = new Set(shopifyTags.map((tag) => tag.toLowerCase()));
  return [...new Set(candidates)].filter((tag) => present.has(tag.toLowerCase())).sort(byCodeUnit);
}
