import { BlockStack, Card, DataTable, Text } from "@shopify/polaris";
import { formatCount, formatDecimal, formatShare } from "~/components/format";
import { Wrap } from "~/components/Wrap";
import { CHURN_BAND_RATIOS } from "~/segmentation/churn";
import { PURCHASE_MODEL_LABELS, type PurchaseModelName } from "~/segmentation/purchaseModel";
import type { PurchaseReport } from "~/segmentation/purchaseStage";

const label = (name: string | null | undefined) =>
  name ? (PURCHASE_MODEL_LABELS[name as PurchaseModelName] ?? name) : "—";

/** The model trust page's account of which purchase model the shop uses and how churn is scored. */
export function PurchaseModels({ purchase }: { purchase: PurchaseReport | undefined }) {
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          Purchase model and churn
        </Text>
        {!purchase ? (
          <Text as="p" tone="subdued">
            The purchase-model comparison appears after the next full recompute.
          </Text>
        ) : (
          <PurchaseBody purchase={purchase} />
        )}
      </BlockStack>
    </Card>
  );
}

function PurchaseBody({ purchase }: { purchase: PurchaseReport }) {
  const selection = purchase.selection;
  const ratios = purchase.bandRatios ?? CHURN_BAND_RATIOS;
  const high = formatShare(ratios.high);
  const medium = formatShare(ratios.medium);
  return (
    <>
      {purchase.basis === "kaplan-meier" ? (
        <Text as="p">
          Too little data for a purchase model yet, so churn is estimated directly from how soon
          this shop&apos;s customers came back after their first, second and later orders (a
          Kaplan–Meier estimate). P(alive), expected purchases and lifetime value stay empty until
          the model gates open.
        </Text>
      ) : (
        <Text as="p">
          Three purchase models were fitted: BG/NBD, MBG/NBD (which lets a one-time buyer leave) and
          Pareto/NBD (which lets a customer leave at any time). The shop uses{" "}
          <strong>{label(purchase.selected)}</strong>
          {selection?.basis === "holdout"
            ? `, the one that best predicted who ordered in the last ${selection.holdoutDays} days when fitted without them.`
            : ": the history is too short to compare the models on held-out time, so the default stands."}
        </Text>
      )}
      {selection && selection.scores.length > 0 && (
        <DataTable
          columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "text"]}
          headings={[
            "Model",
            "Brier score (who ordered)",
            "RMSE (orders per customer)",
            "Predicted orders",
            "Actual orders",
            "In use",
          ]}
          rows={selection.scores.map((s) => [
            label(s.model),
            formatDecimal(s.brier, 4),
            formatDecimal(s.rmse, 3),
            formatDecimal(s.predictedOrders, 0),
            formatCount(s.actualOrders),
            s.model === purchase.selected ? "Yes" : s.converged ? "" : "Did not converge",
          ])}
        />
      )}
      {selection && selection.scores.length > 0 && (
        <Text as="p" tone="subdued">
          Scored on {formatCount(selection.customers)} customers who had ordered before the held-out{" "}
          {selection.holdoutDays} days; lower is better. The Brier score decides, because it
          measures exactly what the churn score claims: the chance of ordering again.
        </Text>
      )}
      <Wrap>
        <Text as="p">
          Churn score: the chance of{" "}
          <strong>no order in the next {purchase.horizonDays} days</strong>. That horizon is the
          time within which 80% of this shop&apos;s returning customers placed their next order
          (kept between 30 and 365 days). Bands compare a customer&apos;s chance of ordering within
          the horizon with that of a customer who has just ordered (
          {formatShare(1 - purchase.baselineScore)} here): high risk below {high} of it, medium
          below {medium}, low otherwise — so &quot;high&quot; means the same in every shop.
        </Text>
      </Wrap>
    </>
  );
}
