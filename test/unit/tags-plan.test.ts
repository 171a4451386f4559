import { describe, expect, it } from "vitest";
import { scoresNeedWrite, type KeyScores } from "~/tags/score-threshold";
import { planTags, propelTagsPresent } from "~/tags/tag-plan";

// Pure rules of the tags worker (no I/O).
describe("planTags", () => {
  it("adds what is missing and removes only what Propel wrote", () => {
    expect(
      planTags({
        desired: ["propel:champions", "propel:churn-low"],
        applied: ["propel:churn-low", "propel:dormant"],
        current: ["VIP", "propel:churn-low", "propel:dormant", "other-app:x"],
      }),
    ).toEqual({
      add: ["propel:champions"],
      remove: ["propel:dormant"],
      after: ["propel:champions", "propel:churn-low"],
      notes: [],
    });
  });

  it("leaves a merchant's tag alone even when it is not desired", () => {
    const plan = planTags({ desired: [], applied: [], current: ["propel:vip-by-hand"] });
    expect(plan.remove).toEqual([]);
  });

  it("stops at 250 tags, counting the merchant's, and says so", () => {
    const current = Array.from({ length: 248 }, (_, i) => `m${i}`);
    const plan = planTags({ desired: ["p:a", "p:b", "p:c"], applied: [], current });
    expect(plan.add).toEqual(["p:a", "p:b"]);
    expect(plan.notes).toEqual(["1 tag(s) not added: the customer would exceed 250 tags"]);
  });

  it("frees room by its own removals before counting", () => {
    const current = [...Array.from({ length: 249 }, (_, i) => `m${i}`), "p:old"];
    const plan = planTags({ desired: ["p:new"], applied: ["p:old"], current });
    expect(plan).toMatchObject({ add: ["p:new"], remove: ["p:old"], notes: [] });
  });

  it("drops a tag over 255 characters rather than fail the customer", () => {
    const plan = planTags({ desired: ["p:" + "x".repeat(260), "p:ok"], applied: [], current: [] });
    expect(plan.add).toEqual(["p:ok"]);
    expect(plan.notes[0]).toMatch(/over 255 characters/);
  });

  it("reads back which of Propel's tags a customer really has, whatever their case", () => {
    expect(
      propelTagsPresent(["VIP", "Propel:Champions"], ["propel:champions", "propel:x"]),
    ).toEqual(["propel:champions"]);
  });
});

describe("scoresNeedWrite", () => {
  const written: KeyScores = {
    clvMinor: 10_000,
    churnRisk: "LOW",
    pAlive: 0.8,
    propensity: 0.2,
    churnScore: 0.3,
    nextOrderDate: "2027-01-10",
  };

  it("writes the first time and on any change of churn band", () => {
    expect(scoresNeedWrite(null, written)).toBe(true);
    expect(scoresNeedWrite(written, { ...written, churnRisk: "MEDIUM" })).toBe(true);
  });

  it("ignores noise and writes real moves", () => {
    expect(scoresNeedWrite(written, { ...written, clvMinor: 10_400, pAlive: 0.83 })).toBe(false);
    expect(scoresNeedWrite(written, { ...written, clvMinor: 10_600 })).toBe(true);
    expect(scoresNeedWrite(written, { ...written, propensity: 0.26 })).toBe(true);
    expect(scoresNeedWrite(written, { ...written, pAlive: null })).toBe(true);
    expect(scoresNeedWrite(written, { ...written, churnScore: 0.33 })).toBe(false);
    expect(scoresNeedWrite(written, { ...written, churnScore: 0.36 })).toBe(true);
  });

  it("rewrites the expected next order when it moves by a week, not as it drifts by days", () => {
    expect(scoresNeedWrite(written, { ...written, nextOrderDate: "2027-01-14" })).toBe(false);
    expect(scoresNeedWrite(written, { ...written, nextOrderDate: "2027-01-17" })).toBe(true);
    expect(scoresNeedWrite(written, { ...written, nextOrderDate: null })).toBe(true);
  });

  it("needs at least one major unit of CLV change on small values", () => {
    const small = { ...written, clvMinor: 500 };
    expect(scoresNeedWrite(small, { ...small, clvMinor: 580 })).toBe(false);
    expect(scoresNeedWrite(small, { ...small, clvMinor: 600 })).toBe(true);
  });

  it("writes nothing when there is nothing to write", () => {
    expect(scoresNeedWrite(written, null)).toBe(false);
  });
});
