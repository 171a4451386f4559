/**
 * The new-promotion form: its fields, their validation with one message per field, and the
 * defaults a playbook suggestion fills in. Shared by the route (inline errors) and the server
 * code that creates the promotion.
 */
import { z } from "zod";
import { segmentDefinition } from "~/segmentation/catalog";
import type { SuggestedPromotion } from "~/segmentation/promotions";

/** The deepest holdout we allow: beyond half, most of the segment would not get the offer. */
export const MAX_HOLDOUT_PERCENT = 50;
export const DEFAULT_HOLDOUT_PERCENT = 10;

export interface PromotionFormValues {
  segmentKey: string;
  playbook: string;
  title: string;
  code: string;
  discountPercent: string;
  holdoutPercent: string;
  endsOn: string;
  oncePerCustomer: boolean;
}

export interface PromotionInput {
  segmentKey: string;
  playbook: string;
  title: string;
  code: string;
  discountPercent: number;
  holdoutShare: number;
  endsAt: Date | null;
  oncePerCustomer: boolean;
}

export type FieldErrors = Partial<Record<keyof PromotionFormValues | "form", string>>;

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

const schema = z.object({
  segmentKey: z.string().refine((key) => segmentDefinition(key) !== undefined, {
    message: "Choose one of the segments",
  }),
  playbook: z.string().min(1, "Choose a playbook").max(40),
  title: z.string().trim().min(1, "Give the promotion a title").max(255, "Keep the title short"),
  code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9_-]{4,32}$/, "Use 4–32 letters, digits, hyphens or underscores"),
  discountPercent: z.coerce
    .number({ message: "Enter a percentage" })
    .int("Use a whole percentage")
    .min(1, "The discount must be at least 1%")
    .max(100, "The discount cannot exceed 100%"),
  holdoutPercent: z.coerce
    .number({ message: "Enter a percentage" })
    .int("Use a whole percentage")
    .min(0, "The holdout cannot be negative")
    .max(MAX_HOLDOUT_PERCENT, `Hold out at most ${MAX_HOLDOUT_PERCENT}%`),
  endsOn: z
    .string()
    .trim()
    .refine((day) => day === "" || dayPattern.test(day), "Use a date like 2026-12-31"),
  oncePerCustomer: z.boolean(),
});

export function formValues(form: FormData): PromotionFormValues {
  const text = (name: string) => String(form.get(name) ?? "");
  return {
    segmentKey: text("segmentKey"),
    playbook: text("playbook"),
    title: text("title"),
    code: text("code"),
    discountPercent: text("discountPercent"),
    holdoutPercent: text("holdoutPercent"),
    endsOn: text("endsOn"),
    oncePerCustomer: form.get("oncePerCustomer") === "on" || form.get("oncePerCustomer") === "true",
  };
}

/** Validates the form; an end date is the end of that day (UTC) and must lie in the future. */
export function parsePromotionForm(
  values: PromotionFormValues,
  now = new Date(),
): { ok: true; input: PromotionInput } | { ok: false; errors: FieldErrors } {
  const parsed = schema.safeParse(values);
  const errors: FieldErrors = {};
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as keyof PromotionFormValues;
      errors[field] ??= issue.message;
    }
    return { ok: false, errors };
  }
  const data = parsed.data;
  const endsAt = data.endsOn ? new Date(`${data.endsOn}T23:59:59.999Z`) : null;
  if (endsAt && (Number.isNaN(endsAt.getTime()) || endsAt <= now))
    return { ok: false, errors: { endsOn: "The end date must be in the future" } };
  return {
    ok: true,
    input: {
      segmentKey: data.segmentKey,
      playbook: data.playbook,
      title: data.title,
      code: data.code,
      discountPercent: data.discountPercent,
      holdoutShare: data.holdoutPercent / 100,
      endsAt,
      oncePerCustomer: data.oncePerCustomer,
    },
  };
}

/** A code the merchant can read out: segment and kind, and a short random tail. */
export function suggestedCode(segmentKey: string, kind: string, random: () => number): string {
  const value = (segmentDefinition(segmentKey)?.value ?? "SEGMENT").replace(/[^A-Z0-9]+/gi, "");
  const prefix = kind === "winback_discount" ? "COMEBACK" : kind.split("_")[0].toUpperCase();
  const tail = Math.floor(random() * 36 ** 4)
    .toString(36)
    .toUpperCase()
    .padStart(4, "0");
  return `${prefix}-${value.slice(0, 12).toUpperCase()}-${tail}`.slice(0, 32);
}

/** The form's starting values for a segment and (optionally) one of its suggestions. */
export function defaultFormValues(
  segmentKey: string,
  suggestion: SuggestedPromotion | undefined,
  random: () => number = Math.random,
): PromotionFormValues {
  const label = segmentDefinition(segmentKey)?.label ?? segmentKey;
  return {
    segmentKey,
    playbook: suggestion?.id ?? "",
    title: suggestion ? `${suggestion.title} — ${label}` : "",
    code: suggestion ? suggestedCode(segmentKey, suggestion.kind, random) : "",
    discountPercent: suggestion?.discountPercent ? String(suggestion.discountPercent) : "",
    holdoutPercent: String(DEFAULT_HOLDOUT_PERCENT),
    endsOn: "",
    oncePerCustomer: true,
  };
}
