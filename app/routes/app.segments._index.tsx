import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { BlockStack, Card, DataTable, EmptyState, Layout, Page, Text } from "@shopify/polaris";
import { loadSegmentList } from "~/admin/segments.server";
import { requireShop } from "~/admin/shop-context.server";
import { formatCount, formatDateTime, formatMoney, formatShare } from "~/components/format";
import { Wrap } from "~/components/Wrap";
import { FAMILY_LABELS, SEGMENT_FAMILIES } from "~/segmentation/catalog";

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  return { currency: shop.currencyCode, ...(await loadSegmentList(shop.id)) };
}

export const meta: MetaFunction = () => [{ title: "Segments · Propel" }];

export default function SegmentsPage() {
  const { segments, takenAt, currency } = useLoaderData<typeof loader>();
  if (takenAt === null)
    return (
      <Page title="Segments">
        <Card>
          <EmptyState
            heading="No segments yet"
            image="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"
            action={{ content: "See import progress", url: "/app" }}
          >
            <p>Segments appear after the first recompute.</p>
          </EmptyState>
        </Card>
      </Page>
    );
  return (
    <Page title="Segments" subtitle={`As of the recompute of ${formatDateTime(takenAt)}`}>
      <Layout>
        {SEGMENT_FAMILIES.map((family) => {
          const rows = segments.filter((s) => s.family === family);
          if (rows.length === 0) return null;
          // A family partitions its customers (custom segments may overlap), so shares are within it.
          const total = rows.reduce((sum, s) => sum + s.customers, 0);
          const headingId = `family-${family}`;
          return (
            <Layout.Section key={family}>
              <Card>
                <section aria-labelledby={headingId}>
                  <BlockStack gap="300">
                    <Text as="h2" variant="headingMd" id={headingId}>
                      {FAMILY_LABELS[family]}
                    </Text>
                    <DataTable
                      columnContentTypes={[
                        "text",
                        "text",
                        "numeric",
                        "numeric",
                        "numeric",
                        "numeric",
                      ]}
                      headings={[
                        "Segment",
                        "What it means",
                        "Customers",
                        "Share",
                        "Revenue to date",
                        "Average 12-month CLV",
                      ]}
                      rows={rows.map((s) => [
                        <Link key={s.key} to={`/app/segments/${encodeURIComponent(s.key)}`}>
                          {s.label}
                        </Link>,
                        <Wrap key={`${s.key}-description`}>{s.description}</Wrap>,
                        formatCount(s.customers),
                        family === "custom"
                          ? "—"
                          : formatShare(total > 0 ? s.customers / total : 0, 1),
                        formatMoney(s.revenueMinor, currency),
                        s.customers > 0
                          ? formatMoney(Math.round(s.clvMinor / s.customers), currency)
                          : "—",
                      ])}
                    />
                  </BlockStack>
                </section>
              </Card>
            </Layout.Section>
          );
        })}
      </Layout>
    </Page>
  );
}
