import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData, useNavigate } from "@remix-run/react";
import {
  BlockStack,
  Card,
  DataTable,
  InlineGrid,
  Layout,
  Page,
  Select,
  Text,
} from "@shopify/polaris";
import { useState } from "react";
import { RETENTION_SPLITS, SPLIT_LABELS } from "~/admin/retention-splits";
import { loadRetention, retentionOptionsFrom } from "~/admin/retention.server";
import { loadSegmentList } from "~/admin/segments.server";
import { requireShop } from "~/admin/shop-context.server";
import { ChartWithTable } from "~/components/charts";
import { downloadFile } from "~/components/downloadFile";
import { formatCount, formatDateTime, formatMoney, formatShare } from "~/components/format";
import type { CohortRow, GroupRetention } from "~/segmentation/retention";

export const meta: MetaFunction = () => [{ title: "Retention · Propel" }];

/** What the page draws; the CSV export has every cohort and month. */
const SHOWN_COHORTS = 18;
const SHOWN_OFFSETS = 12;
const CURVE_OFFSETS = 24;
const REPEAT_MONTHS = 24;
const SHOWN_GROUPS = 6;

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  const params = new URL(request.url).searchParams;
  const options = retentionOptionsFrom(params);
  const [report, segments] = await Promise.all([
    loadRetention(shop, options),
    loadSegmentList(shop.id),
  ]);
  return {
    currency: shop.currencyCode,
    report,
    segments: segments.segments
      .filter((s) => s.customers > 0)
      .map((s) => ({ key: s.key, label: s.label })),
  };
}

export default function RetentionPage() {
  const { report, segments, currency } = useLoaderData<typeof loader>();
  const navigate = useNavigate();
  const [exporting, setExporting] = useState(false);
  const query = (change: Record<string, string>) => {
    const params = new URLSearchParams();
    const next = { split: report.split, segment: report.segment ?? "", ...change };
    if (next.split !== "none") params.set("split", next.split);
    if (next.segment) params.set("segment", next.segment);
    return params.toString();
  };
  const all = report.all;
  const series = all
    ? [{ ...all, label: "All customers" }, ...report.groups.slice(0, SHOWN_GROUPS)]
    : [];
  const money = (minor: number) => formatMoney(Math.round(minor), currency);
  const population = report.segment
    ? (segments.find((s) => s.key === report.segment)?.label ?? report.segment)
    : "All customers";

  return (
    <Page
      title="Retention"
      subtitle="Customers grouped by the month of their first order, and how many come back"
      secondaryActions={[
        {
          content: "Export CSV",
          loading: exporting,
          onAction: () => {
            setExporting(true);
            downloadFile(`/app/retention.csv?${query({})}`, "retention.csv").finally(() =>
              setExporting(false),
            );
          },
        },
      ]}
    >
      <Layout>
        <Layout.Section>
          <Card>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
              <Select
                label="Customers"
                options={[
                  { label: "All customers", value: "" },
                  ...segments.map((s) => ({ label: s.label, value: s.key })),
                ]}
                value={report.segment ?? ""}
                onChange={(segment) => navigate(`/app/retention?${query({ segment })}`)}
                helpText="A segment's current members, over their whole history."
              />
              <Select
                label="Compare"
                options={RETENTION_SPLITS.map((s) => ({ label: SPLIT_LABELS[s], value: s }))}
                value={report.split}
                onChange={(split) => navigate(`/app/retention?${query({ split })}`)}
                helpText="Curves and repeat rate per group, beside all customers."
              />
            </InlineGrid>
          </Card>
        </Layout.Section>
        {!all ? (
          <Layout.Section>
            <Card>
              <Text as="p">
                {report.talliedThrough
                  ? "No counted orders yet: retention appears after the first orders."
                  : "Retention appears once the first recompute of your store has run."}
              </Text>
            </Card>
          </Layout.Section>
        ) : (
          <>
            <Layout.Section>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    {population}: {formatCount(all.customers)} customers with orders in{" "}
                    {formatCount(all.cohorts.length)} monthly cohorts
                  </Text>
                  <Text as="p" tone="subdued">
                    Month 0 is the month of the first order; &ldquo;retained in month k&rdquo; is
                    the share of the cohort who ordered again in the k-th month after it. Revenue is
                    net of refunds; cancelled, test and fully refunded orders do not count. Averages
                    use the cohorts for which the month is over ({report.currentMonth} is still
                    running). Counts orders synced up to {formatDateTime(report.talliedThrough)},
                    the last recompute; computed in {formatCount(report.serverMs)} ms.
                  </Text>
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section>
              <Card>
                <ChartWithTable
                  title="Retention curve"
                  caption={
                    <Text as="h2" variant="headingMd">
                      Retention curve: share of a cohort ordering in month k
                    </Text>
                  }
                  kind="line"
                  formatValue={(v) => formatShare(v)}
                  data={series.map((g) => ({
                    name: g.label,
                    data: g.curve
                      .slice(1, CURVE_OFFSETS + 1)
                      .map((p) => ({ key: `M${p.offset}`, value: p.retained })),
                  }))}
                  table={curveTable(series, (p) => formatShare(p.retained, 1))}
                />
              </Card>
            </Layout.Section>
            <Layout.Section>
              <Card>
                <ChartWithTable
                  title="Cumulative net revenue per customer"
                  caption={
                    <Text as="h2" variant="headingMd">
                      Cumulative net revenue per customer by month since the first order
                    </Text>
                  }
                  kind="line"
                  formatValue={money}
                  data={series.map((g) => ({
                    name: g.label,
                    data: g.curve
                      .slice(0, CURVE_OFFSETS + 1)
                      .map((p) => ({ key: `M${p.offset}`, value: p.revenuePerCustomerMinor })),
                  }))}
                  table={curveTable(series, (p) => money(p.revenuePerCustomerMinor))}
                />
              </Card>
            </Layout.Section>
            <Layout.Section>
              <Card>
                <ChartWithTable
                  title="Repeat-purchase rate over time"
                  caption={
                    <Text as="h2" variant="headingMd">
                      Repeat-purchase rate: share of each month&apos;s buyers who had ordered before
                    </Text>
                  }
                  kind="line"
                  formatValue={(v) => formatShare(v)}
                  data={series.map((g) => ({
                    name: g.label,
                    data: g.repeat
                      .slice(-REPEAT_MONTHS)
                      .map((r) => ({ key: r.month, value: r.rate })),
                  }))}
                  table={repeatTable(series)}
                />
              </Card>
            </Layout.Section>
            <Layout.Section>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Cohorts: share ordering in each month since the first order
                  </Text>
                  <CohortTable
                    cohorts={all.cohorts}
                    cell={(c, k) => formatShare(c.retained[k], 1)}
                    shade={(c, k) => c.retained[k]}
                  />
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section>
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Cohorts: cumulative net revenue per customer
                  </Text>
                  <CohortTable
                    cohorts={all.cohorts}
                    cell={(c, k) => money(c.revenuePerCustomerMinor[k])}
                  />
                </BlockStack>
              </Card>
            </Layout.Section>
          </>
        )}
      </Layout>
    </Page>
  );
}

type Series = GroupRetention & { label: string };

function curveTable(
  series: Series[],
  value: (p: GroupRetention["curve"][number]) => string,
): { headings: string[]; rows: string[][] } {
  const offsets = Math.min(CURVE_OFFSETS + 1, Math.max(0, ...series.map((g) => g.curve.length)));
  return {
    headings: ["Month since first order", ...series.map((g) => g.label)],
    rows: Array.from({ length: offsets }, (_, k) => [
      `M${k}`,
      ...series.map((g) => (g.curve[k] ? value(g.curve[k]) : "—")),
    ]),
  };
}

function repeatTable(series: Series[]): { headings: string[]; rows: string[][] } {
  const months = [...new Set(series.flatMap((g) => g.repeat.map((r) => r.month)))]
    .sort()
    .slice(-REPEAT_MONTHS);
  return {
    headings: ["Month", ...series.map((g) => g.label)],
    rows: months.map((month) => [
      month,
      ...series.map((g) => {
        const r = g.repeat.find((p) => p.month === month);
        return r
          ? `${formatShare(r.rate, 1)} (${formatCount(r.returning)}/${formatCount(r.buyers)})`
          : "—";
      }),
    ]),
  };
}

function CohortTable({
  cohorts,
  cell,
  shade,
}: {
  cohorts: CohortRow[];
  cell: (c: CohortRow, k: number) => string;
  shade?: (c: CohortRow, k: number) => number;
}) {
  const shown = cohorts.slice(-SHOWN_COHORTS).reverse();
  const offsets = Math.min(SHOWN_OFFSETS + 1, Math.max(0, ...shown.map((c) => c.retained.length)));
  return (
    <DataTable
      increasedTableDensity
      columnContentTypes={["text", "numeric", ...Array<"numeric">(offsets).fill("numeric")]}
      headings={["Cohort", "Customers", ...Array.from({ length: offsets }, (_, k) => `M${k}`)]}
      rows={shown.map((c) => [
        c.cohort,
        formatCount(c.customers),
        ...Array.from({ length: offsets }, (_, k) =>
          k < c.retained.length ? (
            <span
              key={k}
              style={
                shade
                  ? {
                      background: `rgba(0, 91, 211, ${0.04 + 0.36 * Math.min(1, shade(c, k))})`,
                      padding: "2px 4px",
                      borderRadius: 4,
                    }
                  : undefined
              }
            >
              {cell(c, k)}
            </span>
          ) : (
            ""
          ),
        ),
      ])}
      footerContent={`The latest ${Math.min(SHOWN_COHORTS, cohorts.length)} of ${cohorts.length} cohorts and their first ${offsets} months; the CSV export has all.`}
    />
  );
}
