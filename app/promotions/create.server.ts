/**
 * Creating a promotion: pick the segment's current members, keep a random holdout out of it,
 * and create the discount code in the store for the rest.
 *
 * Who can redeem the code. The discount's `context.customers` lists exactly the treated
 * customers. A Shopify customer segment built on the segment's tag would follow the segment
 * as it changes, but it would also include the holdout (they carry the same tag) and let
 * customers who join later redeem, which breaks the comparison the holdout exists for: lift is
 * measured on a fixed cohort. The list is kept to MAX_LISTED_CUSTOMERS so the mutation stays a
 * reasonable size; a larger group without a holdout is aimed at the Shopify segment on the
 * segment's tag instead (app/tags/shopify-segments.server.ts), which needs the family to be
 * tagged. A larger group with a holdout is refused with a message rather than truncated.
 *
 * The assignment is stored before the discount is created, seeded by the promotion's id, so the
 * holdout can be audited and the same split recomputed. If the store refuses the discount the
 * promotion and its assignment are removed again and the store's message is shown on the form.
 */
import prisma from "~/db.server";
import { logger } from "~/logger.server";
import { shopGraphql } from "~/shopify/admin-graphql.server";
import { familyOf, FAMILY_LABELS } from "~/segmentation/catalog";
import { splitHoldout } from "~/segmentation/lift";
import { ensureShopifySegment } from "~/tags/shopify-segments.server";
import { DISCOUNT_CODE_BASIC_CREATE, type DiscountCodeBasicCreateData } from "./documents";
import type { FieldErrors, PromotionInput } from "./form";

export const MAX_LISTED_CUSTOMERS = 2_500;

export type CreatePromotionResult =
  { ok: true; promotionId: number } | { ok: false; errors: FieldErrors };

/** The seed of a promotion's holdout draw. */
export const holdoutSeed = (promotionId: number) => `promotion-${promotionId}`;

/** Shopify's user-error field paths, mapped onto the form's fields. */
function formField(path: string[] | null): keyof FieldErrors {
  const last = path?.[path.length - 1] ?? "";
  if (last === "code") return "code";
  if (last === "endsAt") return "endsOn";
  if (last === "percentage" || last === "value") return "discountPercent";
  if (last === "title") return "title";
  return "form";
}

export async function createPromotion(
  shop: { id: number; domain: string },
  input: PromotionInput,
  now = new Date(),
  maxListed = MAX_LISTED_CUSTOMERS,
): Promise<CreatePromotionResult> {
  const taken = await prisma.promotion.findUnique({
    where: { shopId_code: { shopId: shop.id, code: input.code } },
    select: { id: true },
  });
  if (taken) return { ok: false, errors: { code: "Another promotion already uses this code" } };

  const members = await prisma.segmentMembership.findMany({
    where: {
      shopId: shop.id,
      segmentKey: input.segmentKey,
      customer: { deletedAt: null, redactedAt: null },
    },
    select: { customerId: true },
    orderBy: { customerId: "asc" },
  });
  if (members.length === 0)
    return { ok: false, errors: { segmentKey: "This segment has no customers right now" } };
  const expectedTreated = members.length - Math.round(input.holdoutShare * members.length);
  if (expectedTreated === 0)
    return { ok: false, errors: { holdoutPercent: "The holdout would leave nobody to target" } };
  let shopifySegmentId: string | null = null;
  if (expectedTreated > maxListed) {
    const limit = maxListed.toLocaleString("en-US");
    if (input.holdoutShare > 0)
      return {
        ok: false,
        errors: {
          holdoutPercent: `With a holdout a promotion can target at most ${limit} customers (this one would target ${expectedTreated.toLocaleString("en-US")}); choose a smaller segment or no holdout`,
        },
      };
    const shopRow = await prisma.shop.findUniqueOrThrow({ where: { id: shop.id } });
    const family = familyOf(input.segmentKey);
    if (!family || !shopRow.taggedFamilies.includes(family))
      return {
        ok: false,
        errors: {
          segmentKey: `Segments over ${limit} customers are reached through their tag: turn on tagging for "${family ? FAMILY_LABELS[family] : input.segmentKey}" in Settings first`,
        },
      };
    try {
      shopifySegmentId = (await ensureShopifySegment(prisma, shopRow, input.segmentKey)).shopifyId;
    } catch (error) {
      logger.error({ err: error, shop: shop.domain }, "creating the Shopify segment failed");
      return {
        ok: false,
        errors: { form: "Shopify did not create the customer segment to aim the discount at." },
      };
    }
  }

  const promotion = await prisma.promotion.create({
    data: {
      shopId: shop.id,
      segmentKey: input.segmentKey,
      playbook: input.playbook,
      title: input.title,
      code: input.code,
      discountPercent: input.discountPercent,
      holdoutShare: input.holdoutShare,
      startsAt: now,
      endsAt: input.endsAt,
    },
  });
  const { treatment, holdout } = splitHoldout(
    members.map((m) => m.customerId),
    input.holdoutShare,
    holdoutSeed(promotion.id),
  );
  await prisma.$transaction([
    prisma.promotionAssignment.createMany({
      data: [
        ...treatment.map((customerId) => ({ customerId, holdout: false })),
        ...holdout.map((customerId) => ({ customerId, holdout: true })),
      ].map((a) => ({ ...a, shopId: shop.id, promotionId: promotion.id })),
    }),
    prisma.promotion.update({
      where: { id: promotion.id },
      data: { targetCount: treatment.length, holdoutCount: holdout.length },
    }),
  ]);

  let data: DiscountCodeBasicCreateData;
  try {
    data = await shopGraphql<DiscountCodeBasicCreateData>(shop.domain, DISCOUNT_CODE_BASIC_CREATE, {
      basicCodeDiscount: {
        title: input.title,
        code: input.code,
        startsAt: now.toISOString(),
        endsAt: input.endsAt?.toISOString() ?? null,
        appliesOncePerCustomer: input.oncePerCustomer,
        customerGets: {
          value: { percentage: input.discountPercent / 100 },
          items: { all: true },
        },
        context: shopifySegmentId
          ? { customerSegments: { add: [shopifySegmentId] } }
          : { customers: { add: treatment.map((id) => `gid://shopify/Customer/${id}`) } },
      },
    });
  } catch (error) {
    await prisma.promotion.delete({ where: { id: promotion.id } });
    logger.error({ err: error, shop: shop.domain }, "discountCodeBasicCreate failed");
    return {
      ok: false,
      errors: { form: "Shopify did not answer; the discount was not created. Try again." },
    };
  }
  const result = data.discountCodeBasicCreate;
  if (result.userErrors.length > 0 || !result.codeDiscountNode) {
    await prisma.promotion.delete({ where: { id: promotion.id } });
    const errors: FieldErrors = {};
    for (const e of result.userErrors) errors[formField(e.field)] ??= e.message;
    if (Object.keys(errors).length === 0) errors.form = "Shopify did not create the discount.";
    return { ok: false, errors };
  }
  await prisma.promotion.update({
    where: { id: promotion.id },
    data: { discountId: result.codeDiscountNode.id },
  });
  return { ok: true, promotionId: promotion.id };
}
