import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Card,
  DataTable,
  InlineGrid,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { requireShop } from "~/admin/shop-context.server";
import { formatCount, formatDateTime, formatMoney, formatShare } from "~/components/format";
import { loadPromotionResults } from "~/promotions/results.server";
import { loadPromotionWindows } from "~/promotions/windows.server";
import { PromotionWindowsCard } from "~/components/PromotionWindows";
import { segmentDefinition } from "~/segmentation/catalog";
import { PROMOTION_KIND_LABELS, type PromotionKind } from "~/segmentation/promotions";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  const id = Number(params.id);
  const results = Number.isSafeInteger(id) ? await loadPromotionResults(shop.id, id) : null;
  if (!results) throw new Response("No such promotion", { status: 404 });
  const days = Number(new URL(request.url).searchParams.get("days") ?? "");
  const windows = await loadPromotionWindows(shop.id, id, {
    windowDays: Number.isFinite(days) && days > 0 ? days : undefined,
  });
  return { results, windows, currency: shop.currencyCode };
}

const points = (difference: number) =>
  `${difference >= 0 ? "+" : "−"}${Math.abs(difference * 100).toFixed(1)} pts`;

function Metric({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="headingSm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
        {detail ? (
          <Text as="p" tone="subdued">
            {detail}
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}

export default function PromotionResultsPage() {
  const { results: r, windows, currency } = useLoaderData<typeof loader>();
  const segmentLabel = segmentDefinition(r.segmentKey)?.label ?? r.segmentKey;
  const kind = PROMOTION_KIND_LABELS[r.playbook as PromotionKind] ?? r.playbook;
  const lift = r.lift;
  const conclusion = !lift
    ? "No holdout was kept, so the promotion's effect cannot be separated from what these customers would have bought anyway."
    : lift.significant && lift.difference > 0
      ? `Customers who got the code ordered more often than the holdout: the difference is unlikely to be chance (${formatShare(lift.confidence)} interval above zero).`
      : lift.significant
        ? "Customers who got the code ordered less often than the holdout."
        : `So far the difference could be chance: the ${formatShare(lift.confidence)} interval includes zero. It narrows as more orders come in.`;

  return (
    <Page
      title={r.title}
      backAction={{ content: "Promotions", url: "/app/promotions" }}
      titleMetadata={
        r.discountId === null ? (
          <Badge tone="critical">Not created in the store</Badge>
        ) : r.status === "ACTIVE" ? (
          <Badge tone="success">Active</Badge>
        ) : (
          <Badge>Ended</Badge>
        )
      }
      subtitle={`${r.code} · ${r.discountPercent}% off · ${kind} for ${segmentLabel}`}
    >
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                About this promotion
              </Text>
              <Text as="p">
                Aimed at{" "}
                <Link to={`/app/segments/${encodeURIComponent(r.segmentKey)}`}>{segmentLabel}</Link>
                : {formatCount(r.treatment.customers)} customers can use the code{" "}
                <Text as="span" fontWeight="semibold">
                  {r.code}
                </Text>
                ; {formatCount(r.holdout.customers)} ({formatShare(r.holdoutShare)}) were held out
                at random. Started {formatDateTime(r.startsAt)}
                {r.endsAt ? `, ends ${formatDateTime(r.endsAt)}` : ", no end date"}.
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <section aria-label="Redemptions">
            <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
              <Metric
                label="Redemptions"
                value={formatCount(r.redemptions)}
                detail="Orders that used the code"
              />
              <Metric
                label="Customers who redeemed"
                value={formatCount(r.redeemingCustomers)}
                detail={
                  r.treatment.customers > 0
                    ? `${formatShare(r.redeemingCustomers / r.treatment.customers, 1)} of those targeted`
                    : undefined
                }
              />
              <Metric
                label="Revenue from the code"
                value={formatMoney(r.redemptionRevenueMinor, currency)}
                detail="Order totals after refunds"
              />
            </InlineGrid>
          </section>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Lift against the holdout
              </Text>
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
                headings={["Group", "Customers", "Ordered since start", "Conversion", "Revenue"]}
                rows={[
                  [
                    "Got the code",
                    formatCount(r.treatment.customers),
                    formatCount(r.treatment.converted),
                    r.treatment.customers > 0
                      ? formatShare(r.treatment.converted / r.treatment.customers, 1)
                      : "—",
                    formatMoney(r.treatment.revenueMinor, currency),
                  ],
                  [
                    "Holdout",
                    formatCount(r.holdout.customers),
                    formatCount(r.holdout.converted),
                    r.holdout.customers > 0
                      ? formatShare(r.holdout.converted / r.holdout.customers, 1)
                      : "—",
                    formatMoney(r.holdout.revenueMinor, currency),
                  ],
                ]}
              />
              {lift ? (
                <Text as="p">
                  Lift in conversion:{" "}
                  <Text as="span" fontWeight="semibold">
                    {points(lift.difference)}
                  </Text>{" "}
                  ({formatShare(lift.confidence)} interval {points(lift.interval.low)} to{" "}
                  {points(lift.interval.high)})
                  {lift.relativeLift === null
                    ? ""
                    : `, ${formatShare(lift.relativeLift)} relative to the holdout`}
                  .
                  {r.incrementalRevenueMinor === null
                    ? ""
                    : ` Incremental revenue estimate: ${formatMoney(r.incrementalRevenueMinor, currency)}.`}
                </Text>
              ) : null}
              <Text as="p" tone="subdued">
                {conclusion}
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
        {windows ? (
          <Layout.Section>
            <PromotionWindowsCard windows={windows} currency={currency} />
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}
