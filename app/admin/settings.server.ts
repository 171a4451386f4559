import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";
import { requestRecompute } from "~/segments/requests.server";
import { SEGMENT_FAMILIES, TAG_PREFIX_PATTERN } from "~/segmentation/catalog";
import type { RfmGrid } from "~/segmentation/rfm";
import { segmentSettingsFrom, validateSegmentSettings } from "~/segmentation/settings";

/**
 * The settings form: what the merchant sees (percentages where a merchant thinks in them) and
 * how it maps onto Shop columns and the validated Shop.segmentSettings JSON.
 */

const R_SCORES = ["5", "4", "3", "2", "1"] as const;

/** The form's fields, as strings, exactly as the inputs hold them. */
export interface SettingsFormValues {
  tagPrefix: string;
  taggedFamilies: string[];
  flowTriggers: boolean;
  writeMetafields: boolean;
  /** rfmGrid[R][FM − 1] */
  rfmGrid: Record<string, string[]>;
  churnHigh: string;
  churnMedium: string;
  spendHighPercent: string;
  spendMediumPercent: string;
  forecastDays: string;
  clvMonths: string;
  discountRatePercent: string;
  marginPercent: string;
}

/** Per field; `form` holds what belongs to no single field. */
export type FieldErrors = Partial<Record<keyof SettingsFormValues | "form", string>>;

const percentText = (share: number) => String(Math.round(share * 10_000) / 100);

export async function loadSettings(shopId: number): Promise<SettingsFormValues> {
  const shop = await prisma.shop.findUniqueOrThrow({
    where: { id: shopId },
    select: {
      tagPrefix: true,
      taggedFamilies: true,
      flowTriggers: true,
      writeMetafields: true,
      segmentSettings: true,
    },
  });
  const s = segmentSettingsFrom(shop.segmentSettings);
  return {
    tagPrefix: shop.tagPrefix,
    taggedFamilies: shop.taggedFamilies,
    flowTriggers: shop.flowTriggers,
    writeMetafields: shop.writeMetafields,
    rfmGrid: Object.fromEntries(R_SCORES.map((r) => [r, [...s.rfmGrid[Number(r) as 1]]])),
    churnHigh: String(s.churnThresholds.high),
    churnMedium: String(s.churnThresholds.medium),
    spendHighPercent: percentText(s.spendTierShares.high),
    spendMediumPercent: percentText(s.spendTierShares.medium),
    forecastDays: String(s.forecastDays),
    clvMonths: String(s.clvMonths),
    discountRatePercent: percentText(s.monthlyDiscountRate),
    marginPercent: percentText(s.marginRate),
  };
}

export function readSettingsForm(form: FormData): SettingsFormValues {
  const text = (name: string) => String(form.get(name) ?? "").trim();
  return {
    tagPrefix: text("tagPrefix"),
    taggedFamilies: form.getAll("taggedFamilies[]").map(String),
    flowTriggers: form.get("flowTriggers") !== null,
    writeMetafields: form.get("writeMetafields") !== null,
    rfmGrid: Object.fromEntries(
      R_SCORES.map((r) => [r, [1, 2, 3, 4, 5].map((fm) => text(`rfm-${r}-${fm}`))]),
    ),
    churnHigh: text("churnHigh"),
    churnMedium: text("churnMedium"),
    spendHighPercent: text("spendHighPercent"),
    spendMediumPercent: text("spendMediumPercent"),
    forecastDays: text("forecastDays"),
    clvMonths: text("clvMonths"),
    discountRatePercent: text("discountRatePercent"),
    marginPercent: text("marginPercent"),
  };
}

/** Where each settings path's message is shown in the form. */
const FIELD_OF_PATH: [prefix: string, field: keyof SettingsFormValues][] = [
  ["rfmGrid", "rfmGrid"],
  ["churnThresholds.high", "churnHigh"],
  ["churnThresholds.medium", "churnMedium"],
  ["churnThresholds", "churnHigh"],
  ["spendTierShares.high", "spendHighPercent"],
  ["spendTierShares.medium", "spendMediumPercent"],
  ["spendTierShares", "spendHighPercent"],
  ["forecastDays", "forecastDays"],
  ["clvMonths", "clvMonths"],
  ["monthlyDiscountRate", "discountRatePercent"],
  ["marginRate", "marginPercent"],
];

export type SettingsCheck =
  { ok: true; shop: ShopSettingsUpdate } | { ok: false; errors: FieldErrors };

interface ShopSettingsUpdate {
  tagPrefix: string;
  taggedFamilies: string[];
  flowTriggers: boolean;
  writeMetafields: boolean;
  segmentSettings: object;
}

/** Checks the form; the stored custom rules are kept as they are (they have their own editor). */
export function checkSettingsForm(
  values: SettingsFormValues,
  storedSettings: unknown,
): SettingsCheck {
  const errors: FieldErrors = {};
  if (!TAG_PREFIX_PATTERN.test(values.tagPrefix))
    errors.tagPrefix =
      "Use 1 to 40 lowercase letters, digits or hyphens, starting with a letter or digit.";
  const families: readonly string[] = SEGMENT_FAMILIES;
  const unknown = values.taggedFamilies.filter((f) => !families.includes(f));
  if (unknown.length > 0)
    errors.taggedFamilies = `Unknown segment families: ${unknown.join(", ")}.`;

  const number = (field: keyof SettingsFormValues, scale = 1): number => {
    const raw = values[field] as string;
    const parsed = raw === "" ? NaN : Number(raw);
    if (!Number.isFinite(parsed)) {
      errors[field] ??= "Enter a number.";
      return NaN;
    }
    return parsed / scale;
  };
  const candidate = {
    rfmGrid: Object.fromEntries(Object.entries(values.rfmGrid)) as unknown as RfmGrid,
    churnThresholds: { high: number("churnHigh"), medium: number("churnMedium") },
    spendTierShares: {
      high: number("spendHighPercent", 100),
      medium: number("spendMediumPercent", 100),
    },
    forecastDays: number("forecastDays"),
    clvMonths: number("clvMonths"),
    monthlyDiscountRate: number("discountRatePercent", 100),
    marginRate: number("marginPercent", 100),
    customRules: segmentSettingsFrom(storedSettings).customRules,
  };
  const checked = validateSegmentSettings(candidate);
  if (!checked.ok) {
    for (const [path, message] of Object.entries(checked.errors)) {
      const field = FIELD_OF_PATH.find(([prefix]) => path.startsWith(prefix))?.[1];
      errors[field ?? "form"] ??= sentence(message);
    }
  }
  if (Object.keys(errors).length > 0 || !checked.ok) return { ok: false, errors };
  return {
    ok: true,
    shop: {
      tagPrefix: values.tagPrefix,
      taggedFamilies: SEGMENT_FAMILIES.filter((f) => values.taggedFamilies.includes(f)),
      flowTriggers: values.flowTriggers,
      writeMetafields: values.writeMetafields,
      segmentSettings: checked.settings,
    },
  };
}

const sentence = (message: string) => {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
};

/**
 * Saves checked settings and asks for a full recompute, since a new grid, threshold or horizon
 * changes every customer's segments (and a new prefix or family every customer's tags).
 */
export async function saveSettings(shopId: number, shopDomain: string, update: ShopSettingsUpdate) {
  await prisma.shop.update({ where: { id: shopId }, data: update });
  await requestRecompute(prisma, queues().recompute, shopDomain, { full: true });
}

/** Checks a submitted form against the shop's stored settings and saves it when valid. */
export async function submitSettings(
  shop: { id: number; domain: string },
  values: SettingsFormValues,
): Promise<SettingsCheck> {
  const stored = await prisma.shop.findUniqueOrThrow({
    where: { id: shop.id },
    select: { segmentSettings: true },
  });
  const checked = checkSettingsForm(values, stored.segmentSettings);
  if (checked.ok) await saveSettings(shop.id, shop.domain, checked.shop);
  return checked;
}
