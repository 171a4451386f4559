import { describe, expect, it } from "vitest";
import { defaultFormValues, parsePromotionForm, suggestedCode } from "~/promotions/form";
import { suggestionFor } from "~/segmentation/promotions";

const now = new Date("2026-11-24T12:00:00Z");
const valid = {
  segmentKey: "rfm:AT_RISK",
  playbook: "winback_discount",
  title: "Win-back discount — At risk",
  code: "comeback-atrisk-1a2b",
  discountPercent: "15",
  holdoutPercent: "10",
  endsOn: "2026-12-31",
  oncePerCustomer: true,
};

describe("the new-promotion form", () => {
  it("accepts a valid form and normalises it", () => {
    const parsed = parsePromotionForm(valid, now);
    expect(parsed).toEqual({
      ok: true,
      input: {
        segmentKey: "rfm:AT_RISK",
        playbook: "winback_discount",
        title: "Win-back discount — At risk",
        code: "COMEBACK-ATRISK-1A2B",
        discountPercent: 15,
        holdoutShare: 0.1,
        endsAt: new Date("2026-12-31T23:59:59.999Z"),
        oncePerCustomer: true,
      },
    });
  });

  it("gives one message per invalid field", () => {
    const parsed = parsePromotionForm(
      {
        ...valid,
        segmentKey: "rfm:NOPE",
        code: "a b",
        discountPercent: "150",
        holdoutPercent: "80",
        endsOn: "31/12/2026",
        title: " ",
      },
      now,
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.errors).sort()).toEqual(
      ["code", "discountPercent", "endsOn", "holdoutPercent", "segmentKey", "title"].sort(),
    );
    expect(parsed.errors.discountPercent).toBe("The discount cannot exceed 100%");
    expect(parsed.errors.holdoutPercent).toBe("Hold out at most 50%");
  });

  it("refuses an end date in the past and an empty or fractional discount", () => {
    expect(parsePromotionForm({ ...valid, endsOn: "2026-11-23" }, now)).toEqual({
      ok: false,
      errors: { endsOn: "The end date must be in the future" },
    });
    const empty = parsePromotionForm({ ...valid, discountPercent: "" }, now);
    expect(empty.ok).toBe(false);
    const fraction = parsePromotionForm({ ...valid, discountPercent: "12.5" }, now);
    expect(fraction).toEqual({ ok: false, errors: { discountPercent: "Use a whole percentage" } });
  });

  it("prefills from a playbook suggestion with a valid code", () => {
    const suggestion = suggestionFor("rfm:AT_RISK", "winback_discount", {
      customers: 100,
      avgClvMinor: 30_000,
      avgAovMinor: 6_000,
      currency: "USD",
    });
    const values = defaultFormValues("rfm:AT_RISK", suggestion, () => 0.5);
    expect(values.discountPercent).toBe("20");
    expect(values.playbook).toBe("winback_discount");
    expect(values.code).toBe("COMEBACK-ATRISK-I000");
    expect(parsePromotionForm(values, now).ok).toBe(true);
    expect(suggestedCode("custom:summer-vip", "bundle", () => 0)).toBe("BUNDLE-SUMMERVIP-0000");
  });
});
