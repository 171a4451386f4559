import { BlockStack, Card, DataTable, Text } from "@shopify/polaris";
import { formatCount, formatDate, formatDecimal, formatShare } from "~/components/format";
import {
  bandVerdict,
  CHURN_BANDS,
  type BandCalibration,
  type BandShare,
} from "~/segmentation/bandCalibration";
import type { ChurnBand } from "~/segmentation/churn";
import { dayToIsoDate } from "~/segmentation/time";

const BAND_LABELS: Record<ChurnBand, string> = {
  LOW: "Low risk",
  MEDIUM: "Medium risk",
  HIGH: "High risk",
};

const rate = (s: BandShare) => (s.rate === null ? "—" : formatShare(s.rate, 1));

/**
 * The model trust page's check of the churn bands on held-out time: each band's share of
 * customers who ordered again within the horizon, next to same-sized groups picked by recency
 * alone (the baseline a merchant has without a model).
 */
export function ChurnBandCalibration({
  calibration,
}: {
  calibration: BandCalibration | null | undefined;
}) {
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          Do the churn bands hold up?
        </Text>
        {calibration ? (
          <CalibrationBody c={calibration} />
        ) : (
          <Text as="p" tone="subdued">
            {calibration === null
              ? "Not measured yet: the history before the churn horizon is too short (or too few customers had ordered by then) to hold time out."
              : "The band check appears after the next full recompute."}
          </Text>
        )}
      </BlockStack>
    </Card>
  );
}

function CalibrationBody({ c }: { c: BandCalibration }) {
  const v = bandVerdict(c);
  const split = formatDate(dayToIsoDate(c.splitDay));
  return (
    <>
      <Text as="p">
        Customers were scored as of {split} using only what was known then
        {c.basis === "kaplan-meier" ? " (Kaplan–Meier estimate)" : ""}, and their bands compared
        with whether they ordered in the next {c.horizonDays} days. The baseline groups the same
        customers by days since their last order alone, in groups of the same sizes.
      </Text>
      <DataTable
        columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
        headings={[
          "Band",
          "Customers",
          "Predicted to order",
          "Ordered again",
          "Baseline: by recency",
        ]}
        rows={CHURN_BANDS.map((b) => {
          const row = c.bands[b];
          return [
            BAND_LABELS[b],
            formatCount(row.customers),
            row.predicted === null ? "—" : formatShare(row.predicted, 1),
            rate(row),
            rate(row.recency),
          ];
        })}
        totals={[
          "All",
          formatCount(c.customers),
          "",
          c.overallRate === null ? "—" : formatShare(c.overallRate, 1),
          "",
        ]}
        showTotalsInFooter
      />
      <Text as="p" tone={v.ordered && v.beatsRecency ? undefined : "caution"}>
        {v.ordered
          ? "Low-risk customers ordered again most often and high-risk ones least."
          : "The bands are not in order: a riskier band ordered again at least as often as a safer one."}{" "}
        Gap between low and high risk: {formatShare(v.spread ?? NaN, 1)} for the bands,{" "}
        {formatShare(v.recencySpread ?? NaN, 1)} for recency alone. AUC for &quot;no order&quot;:{" "}
        {formatDecimal(c.auc)} for the churn score against {formatDecimal(c.recencyAuc)} for recency
        alone (0.5 is a coin toss)
        {v.beatsRecency === null
          ? "."
          : v.beatsRecency
            ? ": the churn score beats the baseline."
            : ": the churn score does not beat the baseline here."}
      </Text>
    </>
  );
}
