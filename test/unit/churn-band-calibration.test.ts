import { AppProvider } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ChurnBandCalibration } from "~/components/ChurnBandCalibration";
import type { BandCalibration } from "~/segmentation/bandCalibration";
import { parseIsoDay } from "~/segmentation/time";

const render = (calibration: BandCalibration | null | undefined) =>
  renderToStaticMarkup(
    createElement(AppProvider, { i18n: en }, createElement(ChurnBandCalibration, { calibration })),
  );

const row = (customers: number, orderedAgain: number, predicted: number, recency: number) => ({
  customers,
  orderedAgain,
  rate: orderedAgain / customers,
  predicted,
  recency: { customers, orderedAgain: recency, rate: recency / customers },
});

describe("the churn band calibration card", () => {
  it("shows each band's share who ordered again beside the recency baseline", () => {
    const html = render({
      basis: "model",
      splitDay: parseIsoDay("1997-07-01"),
      horizonDays: 91,
      customers: 1000,
      overallRate: 0.2,
      bands: {
        LOW: row(200, 100, 0.45, 80),
        MEDIUM: row(300, 60, 0.2, 70),
        HIGH: row(500, 40, 0.05, 50),
      },
      auc: 0.78,
      recencyAuc: 0.71,
    });
    expect(html).toContain("Jul 1, 1997");
    expect(html).toContain("next 91 days");
    expect(html).toContain("50.0%"); // LOW ordered again
    expect(html).toContain("40.0%"); // LOW by recency
    expect(html).toContain("Gap between low and high risk: 42.0% for the bands, 30.0% for recency");
    expect(html).toContain("0.78 for the churn score against 0.71");
    expect(html).toContain("the churn score beats the baseline.");
  });

  it("says why there is no table when the history is too short, and never prints NaN", () => {
    expect(render(null)).toContain("Not measured yet");
    expect(render(undefined)).toContain("after the next full recompute");
    expect(render(null)).not.toContain("NaN");
  });
});
