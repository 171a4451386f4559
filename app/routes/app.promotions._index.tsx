import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  EmptyState,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { requireShop } from "~/admin/shop-context.server";
import { formatCount, formatDate, formatMoney, formatShare } from "~/components/format";
import { listPromotions } from "~/promotions/results.server";
import { loadSuggestions } from "~/promotions/suggestions.server";
import { segmentDefinition } from "~/segmentation/catalog";
import { CLV_SHARE_FOR_DISCOUNT, PROMOTION_KIND_LABELS } from "~/segmentation/promotions";

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  const [promotions, segments] = await Promise.all([
    listPromotions(shop.id),
    loadSuggestions(shop.id, shop.currencyCode),
  ]);
  return { promotions, segments, currency: shop.currencyCode };
}

const newPromotionUrl = (segmentKey: string, playbook: string) =>
  `/app/promotions/new?segment=${encodeURIComponent(segmentKey)}&playbook=${encodeURIComponent(playbook)}`;

export default function PromotionsPage() {
  const { promotions, segments, currency } = useLoaderData<typeof loader>();
  return (
    <Page
      title="Promotions"
      subtitle="Discounts aimed at a segment, with a random holdout to measure what they changed"
      primaryAction={{ content: "New promotion", url: "/app/promotions/new" }}
    >
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Your promotions
              </Text>
              {promotions.length === 0 ? (
                <Text as="p" tone="subdued">
                  No promotions yet. Pick a suggestion below to create a discount code for a
                  segment.
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={[
                    "text",
                    "text",
                    "text",
                    "numeric",
                    "numeric",
                    "numeric",
                    "numeric",
                    "text",
                  ]}
                  headings={[
                    "Promotion",
                    "Segment",
                    "Code",
                    "Discount",
                    "Targeted",
                    "Holdout",
                    "Redemptions",
                    "Started",
                  ]}
                  rows={promotions.map((p) => [
                    <Link key={p.id} to={`/app/promotions/${p.id}`}>
                      {p.title}
                    </Link>,
                    segmentDefinition(p.segmentKey)?.label ?? p.segmentKey,
                    <InlineStack key={`${p.id}-code`} gap="100" wrap={false}>
                      <Text as="span" fontWeight="medium">
                        {p.code}
                      </Text>
                      {p.createdInStore ? null : <Badge tone="critical">Not in store</Badge>}
                    </InlineStack>,
                    `${p.discountPercent}%`,
                    formatCount(p.targetCount),
                    formatCount(p.holdoutCount),
                    formatCount(p.redemptions),
                    formatDate(p.startsAt),
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="300">
            <Text as="h2" variant="headingLg">
              Suggested promotions by segment
            </Text>
            <Text as="p" tone="subdued">
              Discount depth is bounded by what the segment is worth: the discount on an average
              order stays within {formatShare(CLV_SHARE_FOR_DISCOUNT)} of the average
              customer&apos;s predicted 12-month lifetime value.
            </Text>
          </BlockStack>
        </Layout.Section>
        {segments.length === 0 ? (
          <Layout.Section>
            <Card>
              <EmptyState
                heading="No segments yet"
                image="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"
                action={{ content: "See import progress", url: "/app" }}
              >
                <p>Suggestions appear once the first recompute has placed customers in segments.</p>
              </EmptyState>
            </Card>
          </Layout.Section>
        ) : (
          segments.map((segment) => {
            const headingId = `suggestions-${segment.key.replace(/[^a-zA-Z0-9]+/g, "-")}`;
            return (
              <Layout.Section key={segment.key}>
                <Card>
                  <section aria-labelledby={headingId}>
                    <BlockStack gap="300">
                      <InlineStack align="space-between" blockAlign="center">
                        <Text as="h3" variant="headingMd" id={headingId}>
                          {segment.label}
                        </Text>
                        <Text as="span" tone="subdued">
                          {formatCount(segment.stats.customers)} customers · average CLV{" "}
                          {formatMoney(
                            segment.stats.avgClvMinor === null
                              ? null
                              : Math.round(segment.stats.avgClvMinor),
                            currency,
                          )}{" "}
                          · average order{" "}
                          {formatMoney(
                            segment.stats.avgAovMinor === null
                              ? null
                              : Math.round(segment.stats.avgAovMinor),
                            currency,
                          )}
                        </Text>
                      </InlineStack>
                      <Text as="p" tone="subdued">
                        {segment.description}
                      </Text>
                      <BlockStack gap="200">
                        {segment.suggestions.map((s) => (
                          <InlineStack
                            key={s.id}
                            align="space-between"
                            blockAlign="center"
                            gap="400"
                            wrap={false}
                          >
                            <BlockStack gap="100">
                              <InlineStack gap="200" blockAlign="center">
                                <Text as="span" fontWeight="semibold">
                                  {s.title}
                                </Text>
                                <Badge>{PROMOTION_KIND_LABELS[s.kind]}</Badge>
                                {s.discountPercent === null ? (
                                  <Badge tone="info">No discount</Badge>
                                ) : (
                                  <Badge tone="success">{`Up to ${s.discountPercent}% off`}</Badge>
                                )}
                              </InlineStack>
                              <Text as="p" tone="subdued">
                                {s.why}
                              </Text>
                            </BlockStack>
                            {s.discountPercent === null ? (
                              <Box maxWidth="220px">
                                <Text as="p" tone="subdued" variant="bodySm">
                                  No code needed: reach them with Shopify Email or Flow through the
                                  segment&apos;s tag.
                                </Text>
                              </Box>
                            ) : (
                              <Button
                                url={newPromotionUrl(segment.key, s.id)}
                                accessibilityLabel={`Create “${s.title}” for ${segment.label}`}
                              >
                                Create
                              </Button>
                            )}
                          </InlineStack>
                        ))}
                      </BlockStack>
                    </BlockStack>
                  </section>
                </Card>
              </Layout.Section>
            );
          })
        )}
      </Layout>
    </Page>
  );
}
