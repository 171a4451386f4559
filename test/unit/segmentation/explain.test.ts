import { describe, expect, it } from "vitest";
import {
  explainCadence,
  explainChurnRisk,
  explainClv,
  explainCustomer,
  explainExpectedPurchases,
  explainPAlive,
  explainPropensity,
  explainRfm,
  explainSpendTier,
  explainValueType,
  formatMinor,
  type ExplainableMetrics,
  type ExplainContext,
} from "~/segmentation/explain";

const context: ExplainContext = {
  forecastDays: 90,
  clvMonths: 12,
  churnThresholds: { high: 0.3, medium: 0.7 },
  spendTierShares: { high: 0.1, medium: 0.4 },
  clvBasis: "bgnbd+gamma-gamma",
  spendTierBasis: "clv",
  propensityMethod: "logistic",
  propensityWindowDays: 90,
};

const lapsing: ExplainableMetrics = {
  orders: 6,
  currency: "USD",
  totalSpentMinor: 124_000,
  aovMinor: 20_667,
  rScore: 2,
  fScore: 4,
  mScore: 5,
  rfmGroup: "AT_RISK",
  valueType: "VOLUME",
  pAlive: 0.34,
  expectedPurchases: 0.42,
  churnRisk: "MEDIUM",
  clv12mMinor: 31_250,
  spendTier: "HIGH",
  propensity: 0.18,
  details: {
    daysSinceLast: 64,
    meanGapDays: 21,
    discountShare: 0.62,
    expectedSpendMinor: 19_810,
    valueTrend: -0.2,
    fm: 5,
  },
};

const prospect: ExplainableMetrics = {
  ...lapsing,
  orders: 0,
  totalSpentMinor: 0,
  aovMinor: 0,
  rScore: null,
  fScore: null,
  mScore: null,
  rfmGroup: "PROSPECTS",
  valueType: null,
  pAlive: null,
  expectedPurchases: null,
  churnRisk: null,
  clv12mMinor: null,
  spendTier: null,
  propensity: null,
  details: {},
};

describe("explanations of a customer's scores", () => {
  it("describe the buying rhythm against the time since the last order", () => {
    expect(explainCadence(lapsing)).toBe("Usually orders every 21 days; last order 64 days ago.");
    expect(explainCadence({ ...lapsing, orders: 1, details: { daysSinceLast: 1 } })).toBe(
      "One order so far; last order 1 day ago.",
    );
    expect(explainCadence(prospect)).toBe("No orders yet.");
  });

  it("say how long a customer has been quiet relative to their usual gap", () => {
    expect(explainPAlive(lapsing, context)).toBe(
      "P(alive) 0.34: quiet for 3× their usual gap (64 days against 21 days).",
    );
    expect(
      explainPAlive(
        { ...lapsing, pAlive: 0.91, details: { daysSinceLast: 10, meanGapDays: 21 } },
        context,
      ),
    ).toBe("P(alive) 0.91: last order 10 days ago, within their usual gap of 21 days.");
    expect(
      explainPAlive(
        { ...lapsing, orders: 1, details: { daysSinceLast: 40, meanGapDays: null } },
        context,
      ),
    ).toMatch(/^P\(alive\) 0\.34: a single order 40 days ago;/);
  });

  it("name the threshold behind the churn-risk band", () => {
    expect(explainChurnRisk(lapsing, context)).toBe(
      "Medium: P(alive) 0.34 is between 0.30 and 0.70.",
    );
    expect(explainChurnRisk({ ...lapsing, churnRisk: "HIGH", pAlive: 0.12 }, context)).toBe(
      "High: P(alive) 0.12 is below 0.30.",
    );
    expect(
      explainChurnRisk(lapsing, { ...context, churnThresholds: { high: 0.2, medium: 0.5 } }),
    ).toContain("between 0.20 and 0.50");
  });

  it("say why a prediction is missing when the churn model did not run", () => {
    const skipped = {
      ...context,
      clvBasis: "none" as const,
      churnModelSkipped:
        "The churn model needs at least 100 customers with orders; the shop has 40.",
    };
    const unscored = {
      ...lapsing,
      pAlive: null,
      expectedPurchases: null,
      churnRisk: null,
      clv12mMinor: null,
    };
    expect(explainPAlive(unscored, skipped)).toBe(
      "Not predicted: The churn model needs at least 100 customers with orders; the shop has 40.",
    );
    expect(explainChurnRisk(unscored, skipped)).toContain("the shop has 40");
    expect(explainClv(unscored, skipped)).toMatch(/^No lifetime value: it needs the churn model/);
    expect(explainPAlive(prospect, skipped)).toBe("No prediction without an order.");
  });

  it("show the RFM scores with the grid cell they land in", () => {
    expect(explainRfm(lapsing)).toBe(
      "Recency 2/5, frequency 4/5 (6 orders), monetary 5/5 ($1,240.00 spent); on the grid R 2 × FM 5 is AT_RISK.",
    );
    expect(explainRfm(prospect)).toMatch(/prospect/);
  });

  it("state the CLV basis and the horizon in force", () => {
    expect(explainClv(lapsing, context)).toBe(
      "About $198.10 per future order (their average of $206.67 blended with the shop's) × their discounted expected orders over 12 months.",
    );
    expect(explainClv(lapsing, { ...context, clvBasis: "bgnbd+aov", clvMonths: 24 })).toBe(
      "Their average order of $206.67 × their discounted expected orders over 24 months (too few repeat buyers for the spend model).",
    );
    expect(explainExpectedPurchases(lapsing, { ...context, forecastDays: 30 })).toMatch(
      /^0\.4 orders expected in the next 30 days/,
    );
  });

  it("place the spend tier in the shop's shares", () => {
    expect(explainSpendTier(lapsing, context)).toBe(
      "High: in the top 10% of customers by predicted lifetime value.",
    );
    expect(
      explainSpendTier(
        { ...lapsing, spendTier: "LOW" },
        { ...context, spendTierBasis: "historical-spend" },
      ),
    ).toBe(
      "Low: in the remaining 50% of customers by spend to date (the lifetime value model did not run).",
    );
  });

  it("give the discount share behind a value type", () => {
    expect(explainValueType(lapsing)).toBe(
      "Volume: a repeat buyer who buys mostly on discount (62% of orders used a discount).",
    );
    expect(explainValueType({ ...lapsing, valueType: "OCCASIONAL", orders: 1 })).toBe(
      "Occasional: only one order so far.",
    );
  });

  it("say which way order values move and where the propensity score came from", () => {
    expect(explainPropensity(lapsing, context)).toBe(
      "0.18 chance of spending more in the next 90 days than in the previous 90 days; order values trending down; from the shop's own backtested model.",
    );
    expect(
      explainPropensity(
        { ...lapsing, details: { valueTrend: 0.3 } },
        { ...context, propensityMethod: "heuristic" },
      ),
    ).toContain("trending up; from a simple rule");
  });

  it("explain every field at once, and format money in the currency's minor units", () => {
    const all = explainCustomer(prospect, context);
    expect(Object.values(all).every((line) => line.length > 0)).toBe(true);
    expect(formatMinor(1500, "JPY")).toBe("¥1,500");
    expect(formatMinor(12345, "KWD")).toMatch(/^KWD\s12\.345$/);
  });
});

describe("churn over the shop's horizon and the next order", () => {
  const withChurn: ExplainContext = {
    ...context,
    churn: { basis: "model", model: "mbgnbd", horizonDays: 45, baselineScore: 0.6 },
  };
  const scored: ExplainableMetrics = {
    ...lapsing,
    churnRisk: "HIGH",
    details: { ...lapsing.details, churnScore: 0.9, nextOrderProbability: 0.3 },
  };

  it("states the chance of no order, the reference customer and the rule", () => {
    expect(explainChurnRisk(scored, withChurn)).toBe(
      "High: 90% chance of no order in the next 45 days. A customer who has just ordered orders again within that time with chance 40%; this customer's 10% is 25% of that (high below 30%, medium below 70%). From the MBG/NBD model, the one that predicted this shop's held-out orders best.",
    );
  });

  it("says when the empirical estimate stands in for a model", () => {
    const km: ExplainContext = {
      ...context,
      churn: { basis: "kaplan-meier", model: null, horizonDays: 45, baselineScore: 0.6 },
    };
    expect(explainChurnRisk({ ...scored, pAlive: null }, km)).toMatch(
      /too little data for a purchase model yet\)\.$/,
    );
  });

  it("gives the next order's chance, and a date only when one is likely", () => {
    const explained = explainCustomer({ ...scored, nextOrderAt: null }, withChurn);
    expect(explained.nextOrder).toBe(
      "30% chance of another order within two years; too unlikely for an expected date.",
    );
    const likely = {
      ...scored,
      details: { ...scored.details, nextOrderProbability: 0.8 },
      nextOrderAt: "2026-03-02T00:00:00.000Z",
    };
    expect(explainCustomer(likely, withChurn).nextOrder).toBe(
      "80% chance of another order within two years; if it comes, most likely around 2026-03-02.",
    );
  });
});
