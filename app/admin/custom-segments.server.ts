import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";
import { requestRecompute } from "~/segments/requests.server";
import { ruleToSql } from "~/segments/rule-sql";
import { customSegmentKey, SEGMENT_FAMILIES, segmentTag } from "~/segmentation/catalog";
import { checkRule, RULE_FIELDS } from "~/segmentation/rules";
import { segmentSettingsFrom, validateSegmentSettings } from "~/segmentation/settings";
import type { SnapshotCounts } from "~/segmentation/snapshot";
import { CUSTOM_SEGMENT_LIMITS } from "./custom-segment-limits";
import type { ShopRef } from "./shop-context.server";

/**
 * The custom segment builder: the shop's rules (stored in Shop.segmentSettings.customRules, the
 * engine's own input), a preview of a rule over the latest metrics, and save, rename and delete.
 * Saving asks for a full recompute, which evaluates the rules with the engine, writes the
 * memberships (Flow events, tags) and the segment pages' totals.
 */

export interface RuleProblem {
  message: string;
  detail: string;
  position: number;
  line: number;
  column: number;
}

export interface RulePreview {
  ok: true;
  customers: number;
  totalCustomers: number;
  computedAt: string | null;
  sample: {
    id: string;
    name: string;
    orders: number;
    totalSpentMinor: number;
    rfmGroup: string;
    churnRisk: string | null;
  }[];
}

export type PreviewResult = RulePreview | { ok: false; error: RuleProblem };

export async function loadCustomSegments(shopId: number) {
  const shop = await prisma.shop.findUniqueOrThrow({
    where: { id: shopId },
    select: { segmentSettings: true, tagPrefix: true, taggedFamilies: true },
  });
  const latest = await prisma.segmentSnapshot.findFirst({
    where: { shopId },
    orderBy: { takenAt: "desc" },
    select: { counts: true, takenAt: true },
  });
  const counts = (latest?.counts ?? {}) as unknown as SnapshotCounts;
  const tagged = shop.taggedFamilies.includes("custom");
  const rules = segmentSettingsFrom(shop.segmentSettings).customRules;
  return {
    tagged,
    tagPrefix: shop.tagPrefix,
    recomputedAt: latest?.takenAt.toISOString() ?? null,
    segments: rules.map((r) => {
      const key = customSegmentKey(r.name);
      return {
        name: r.name,
        rule: r.rule,
        key,
        tag: segmentTag(shop.tagPrefix, key),
        // Absent until the recompute that saving started has run.
        customers: counts[key]?.customers ?? null,
      };
    }),
    fields: Object.entries(RULE_FIELDS).map(([name, spec]) => ({
      name,
      type:
        spec.type.kind === "enum"
          ? `one of ${spec.type.values.join(", ")}`
          : spec.type.kind === "stringList"
            ? "list of text (CONTAINS)"
            : spec.type.kind === "string"
              ? "text"
              : spec.type.kind,
      description: spec.description,
    })),
  };
}

/** Checks a rule and, when it is valid, counts and samples its customers over the latest metrics. */
export async function previewRule(shop: ShopRef, source: string): Promise<PreviewResult> {
  const checked = checkRule(source);
  if (!checked.ok) {
    const e = checked.error;
    return {
      ok: false,
      error: {
        message: e.message,
        detail: e.detail,
        position: e.position,
        line: e.line,
        column: e.column,
      },
    };
  }
  const counted = ruleToSql(source, { currency: shop.currencyCode, firstParam: 2 });
  const sampled = ruleToSql(source, { currency: shop.currencyCode, firstParam: 3 });
  const from = `FROM "CustomerMetrics" cm
    JOIN "Customer" c ON c."shopId" = cm."shopId" AND c."id" = cm."customerId"
                     AND c."deletedAt" IS NULL AND c."redactedAt" IS NULL
   WHERE cm."shopId" = $1`;
  const [totals] = await prisma.$queryRawUnsafe<
    { customers: bigint; total: bigint; computedAt: Date | null }[]
  >(
    `SELECT count(*) FILTER (WHERE ${counted.condition}) AS customers, count(*) AS total,
            max(cm."computedAt") AS "computedAt"
       ${from}`,
    shop.id,
    ...counted.params,
  );
  const sample = await prisma.$queryRawUnsafe<
    {
      id: bigint;
      email: string | null;
      firstName: string | null;
      lastName: string | null;
      orders: number;
      totalSpentMinor: bigint;
      rfmGroup: string;
      churnRisk: string | null;
    }[]
  >(
    `SELECT c."id", c."email", c."firstName", c."lastName", cm."orders", cm."totalSpentMinor",
            cm."rfmGroup", cm."churnRisk"
       ${from} AND ${sampled.condition}
      ORDER BY cm."totalSpentMinor" DESC, cm."customerId" LIMIT $2`,
    shop.id,
    CUSTOM_SEGMENT_LIMITS.sample,
    ...sampled.params,
  );
  return {
    ok: true,
    customers: Number(totals.customers),
    totalCustomers: Number(totals.total),
    computedAt: totals.computedAt?.toISOString() ?? null,
    sample: sample.map((row) => ({
      id: row.id.toString(),
      name: [row.firstName, row.lastName].filter(Boolean).join(" ") || row.email || `#${row.id}`,
      orders: row.orders,
      totalSpentMinor: Number(row.totalSpentMinor),
      rfmGroup: row.rfmGroup,
      churnRisk: row.churnRisk,
    })),
  };
}

export type SaveResult = { ok: true; name: string } | { ok: false; errors: Record<string, string> };

/**
 * Saves a rule under `name`, replacing `previousName` when given (a rename or an edit). The new
 * list goes through the same validation as every stored setting.
 */
export async function saveCustomSegment(
  shop: ShopRef,
  input: { name: string; rule: string; previousName?: string },
): Promise<SaveResult> {
  const name = input.name.trim();
  const rule = input.rule.trim();
  return changeRules(shop, (rules) => {
    const at = rules.findIndex((r) => r.name === (input.previousName || name));
    if (input.previousName && at < 0)
      return { errors: { name: `There is no segment "${input.previousName}" any more.` } };
    if (at < 0 && rules.some((r) => r.name === name))
      return { errors: { name: `A segment named "${name}" exists; choose another name.` } };
    if (at >= 0 && name !== rules[at].name && rules.some((r) => r.name === name))
      return { errors: { name: `A segment named "${name}" exists; choose another name.` } };
    const next = [...rules];
    if (at >= 0) next[at] = { name, rule };
    else next.push({ name, rule });
    return { rules: next };
  }).then((r) => (r.ok ? { ok: true, name } : r));
}

export async function deleteCustomSegment(shop: ShopRef, name: string): Promise<SaveResult> {
  return changeRules(shop, (rules) => ({ rules: rules.filter((r) => r.name !== name) })).then(
    (r) => (r.ok ? { ok: true, name } : r),
  );
}

/** Adds or removes the custom family from the tagged families. */
export async function setCustomTagging(shop: ShopRef, tagged: boolean): Promise<void> {
  const { taggedFamilies } = await prisma.shop.findUniqueOrThrow({
    where: { id: shop.id },
    select: { taggedFamilies: true },
  });
  const next = SEGMENT_FAMILIES.filter((f) =>
    f === "custom" ? tagged : taggedFamilies.includes(f),
  );
  await prisma.shop.update({ where: { id: shop.id }, data: { taggedFamilies: next } });
  await requestRecompute(prisma, queues().recompute, shop.domain, { full: true });
}

type Rules = { name: string; rule: string }[];

async function changeRules(
  shop: ShopRef,
  change: (rules: Rules) => { rules: Rules } | { errors: Record<string, string> },
): Promise<{ ok: true } | { ok: false; errors: Record<string, string> }> {
  const stored = await prisma.shop.findUniqueOrThrow({
    where: { id: shop.id },
    select: { segmentSettings: true },
  });
  const settings = segmentSettingsFrom(stored.segmentSettings);
  const changed = change(settings.customRules);
  if ("errors" in changed) return { ok: false, errors: changed.errors };
  const checked = validateSegmentSettings({ ...settings, customRules: changed.rules });
  if (!checked.ok) {
    const errors: Record<string, string> = {};
    for (const [path, message] of Object.entries(checked.errors)) {
      const field = path.endsWith(".name") ? "name" : path.endsWith(".rule") ? "rule" : "form";
      errors[field] ??=
        path === "customRules" && /at most/i.test(message)
          ? `A shop can have at most ${CUSTOM_SEGMENT_LIMITS.segments} custom segments.`
          : message;
    }
    return { ok: false, errors };
  }
  await prisma.shop.update({
    where: { id: shop.id },
    data: { segmentSettings: checked.settings as object },
  });
  await requestRecompute(prisma, queues().recompute, shop.domain, { full: true });
  return { ok: true };
}
