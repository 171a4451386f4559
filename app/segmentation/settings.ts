/**
 * A shop's segmentation settings: what a merchant may change, validated before it is saved
 * (with a message per field for the settings form) and turned into engine options. Stored as
 * Shop.segmentSettings JSON; anything absent takes the engine's default.
 */
import { z } from "zod";
import { DEFAULT_CHURN_THRESHOLDS } from "./bgnbd";
import type { CustomRuleDefinition, SegmentShopOptions } from "./engine";
import { DEFAULT_SPEND_TIER_SHARES } from "./gammaGamma";
import { DEFAULT_RFM_GRID, validateRfmGrid, type RfmGrid } from "./rfm";
import { compileRule, RuleError } from "./rules";

export interface SegmentSettings {
  rfmGrid: RfmGrid;
  churnThresholds: { high: number; medium: number };
  spendTierShares: { high: number; medium: number };
  /** Horizon of "expected purchases", days. */
  forecastDays: number;
  /** CLV horizon, months. */
  clvMonths: number;
  /** Monthly discount rate of CLV, e.g. 0.01. */
  monthlyDiscountRate: number;
  customRules: CustomRuleDefinition[];
  /** Gross margin where the shop records no product costs (margin CLV; margin.ts). */
  marginRate: number;
}

export const DEFAULT_SEGMENT_SETTINGS: SegmentSettings = {
  rfmGrid: DEFAULT_RFM_GRID,
  churnThresholds: { ...DEFAULT_CHURN_THRESHOLDS },
  spendTierShares: { ...DEFAULT_SPEND_TIER_SHARES },
  forecastDays: 90,
  clvMonths: 12,
  monthlyDiscountRate: 0.01,
  customRules: [],
  marginRate: 0.5,
};

const probability = z.number().gt(0).lt(1);

const schema = z
  .object({
    rfmGrid: z.unknown().superRefine((grid, ctx) => {
      const checked = validateRfmGrid(grid);
      if (!checked.ok)
        for (const message of checked.errors) ctx.addIssue({ code: "custom", message });
    }),
    churnThresholds: z
      .object({ high: probability, medium: probability })
      .refine((t) => t.high < t.medium, {
        message: "the high-risk threshold must be below the medium-risk threshold",
      }),
    spendTierShares: z
      .object({ high: probability, medium: probability })
      .refine((s) => s.high + s.medium < 1, {
        message: "the high and medium shares must leave some customers in LOW",
      }),
    forecastDays: z.number().int().min(7).max(730),
    clvMonths: z.number().int().min(1).max(60),
    monthlyDiscountRate: z.number().min(0).max(0.2),
    marginRate: z.number().min(0).max(1),
    customRules: z
      .array(
        z.object({
          name: z
            .string()
            .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "use lowercase letters, digits and hyphens"),
          rule: z.string().min(1).max(2_000),
        }),
      )
      .max(20)
      .superRefine((rules, ctx) => {
        const seen = new Set<string>();
        rules.forEach((r, i) => {
          if (seen.has(r.name))
            ctx.addIssue({
              code: "custom",
              path: [i, "name"],
              message: `"${r.name}" is used twice`,
            });
          seen.add(r.name);
          try {
            compileRule(r.rule);
          } catch (e) {
            if (!(e instanceof RuleError)) throw e;
            ctx.addIssue({ code: "custom", path: [i, "rule"], message: e.message });
          }
        });
      }),
  })
  .partial();

export type SettingsValidation =
  { ok: true; settings: SegmentSettings } | { ok: false; errors: Record<string, string> };

/** Validates a candidate (e.g. from the settings form) over the defaults; errors keyed by field path. */
export function validateSegmentSettings(candidate: unknown): SettingsValidation {
  const parsed = schema.safeParse(candidate ?? {});
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join(".") || "settings";
      errors[path] ??= issue.message;
    }
    return { ok: false, errors };
  }
  const value = parsed.data;
  return {
    ok: true,
    settings: {
      ...DEFAULT_SEGMENT_SETTINGS,
      ...value,
      rfmGrid: (value.rfmGrid as RfmGrid | undefined) ?? DEFAULT_SEGMENT_SETTINGS.rfmGrid,
    },
  };
}

/** Stored settings to use; stored values that no longer validate fall back to the defaults. */
export function segmentSettingsFrom(stored: unknown): SegmentSettings {
  const checked = validateSegmentSettings(stored);
  return checked.ok ? checked.settings : DEFAULT_SEGMENT_SETTINGS;
}

export function engineOptions(settings: SegmentSettings): SegmentShopOptions {
  return {
    rfmGrid: settings.rfmGrid,
    churnThresholds: settings.churnThresholds,
    spendTierShares: settings.spendTierShares,
    forecastDays: settings.forecastDays,
    clvMonths: settings.clvMonths,
    monthlyDiscountRate: settings.monthlyDiscountRate,
    customRules: settings.customRules,
    marginRate: settings.marginRate,
  };
}
