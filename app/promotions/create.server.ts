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

  const memberWhere = {
    shopId: shop.id,
    segmentKey: input.segmentKey,
    customer: { deletedAt: null, redactedAt: null },
  };
  // Counted, not loaded: a segment may hold a million customers.
  const memberCount = await prisma.segmentMembership.count({ where: memberWhere });
  if (memberCount === 0)
    return { ok: false, errors: { segmentKey: "This segment has no customers right now" } };
  const expectedTreated = memberCount - Math.round(input.holdoutShare * memberCount);
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
  let treatment: bigint[];
  if (input.holdoutShare > 0) {
    // With a holdout the treated group is at most maxListed (checked above), so the members fit
    // in memory and the draw is the tested one of app/segmentation/lift.
    const members = await prisma.segmentMembership.findMany({
      where: memberWhere,
      select: { customerId: true },
      orderBy: { customerId: "asc" },
    });
    const split = splitHoldout(
      members.map((m) => m.customerId),
      input.holdoutShare,
      holdoutSeed(promotion.id),
    );
    treatment = split.treatment;
    await prisma.$transaction([
      prisma.promotionAssignment.createMany({
        data: [
          ...split.treatment.map((customerId) => ({ customerId, holdout: false })),
          ...split.holdout.map((customerId) => ({ customerId, holdout: true })),
        ].map((a) => ({ ...a, shopId: shop.id, promotionId: promotion.id })),
      }),
      prisma.promotion.update({
        where: { id: promotion.id },
        data: { targetCount: split.treatment.length, holdoutCount: split.holdout.length },
      }),
    ]);
  } else {
    // Everyone is treated: the assignment is copied inside PostgreSQL, never through this
    // process, however large the segment.
    const [copied] = await prisma.$transaction([
      prisma.$executeRaw`
        INSERT INTO "PromotionAssignment" ("shopId", "promotionId", "customerId", "holdout")
        SELECT m."shopId", ${promotion.id}, m."customerId", false
          FROM "SegmentMembership" m
          JOIN "Customer" c ON c."shopId" = m."shopId" AND c."id" = m."customerId"
         WHERE m."shopId" = ${shop.id} AND m."segmentKey" = ${input.segmentKey}
           AND c."deletedAt" IS NULL AND c."redactedAt" IS NULL`,
    ]);
    await prisma.promotion.update({
      where: { id: promotion.id },
      data: { targetCount: copied, holdoutCount: 0 },
    });
    // Listed on the discount only when small enough; a larger group goes by Shopify segment.
    treatment = shopifySegmentId
      ? []
      : (
          await prisma.promotionAssignment.findMany({
            where: { shopId: shop.id, promotionId: promotion.id },
            select: { customerId: true },
            orderBy: { customerId: "asc" },
          })
        ).map((a) => a.customerId);
  }

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
