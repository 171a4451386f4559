import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import {
  BlockStack,
  Card,
  EmptyState,
  InlineGrid,
  Layout,
  List,
  Page,
  Tabs,
  Text,
} from "@shopify/polaris";
import { memo, useDeferredValue, useMemo, useState } from "react";
import { loadOverview } from "~/admin/overview.server";
import type { Overview, SegmentRow } from "~/admin/overview.server";
import { requireShop } from "~/admin/shop-context.server";
import { ChartWithTable } from "~/components/charts";
import {
  formatCount,
  formatDate,
  formatDateTime,
  formatMoney,
  formatShare,
} from "~/components/format";
import { RfmHeatMap } from "~/components/RfmHeatMap";
import { SyncProgress } from "~/components/SyncProgress";
import { FAMILY_LABELS, type SegmentFamily } from "~/segmentation/catalog";
import { majorToMinor, minorToMajor } from "~/segmentation/money";

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  return loadOverview(shop.id);
}

export const meta: MetaFunction = () => [{ title: "Overview · Propel" }];

const CHART_FAMILIES: SegmentFamily[] = ["rfm", "churn", "spend", "value", "fxv"];
const FAMILY_TABS = CHART_FAMILIES.map((f) => ({
  id: `family-${f}`,
  content: FAMILY_LABELS[f],
  panelID: `family-${f}-panel`,
}));

export default function OverviewPage() {
  const data = useLoaderData<typeof loader>();
  return (
    <Page title="Overview">
      <Layout>
        <Layout.Section>
          <StatusCard data={data} />
        </Layout.Section>
        {data.snapshot === null ? (
          <Layout.Section>
            <FirstRun data={data} />
          </Layout.Section>
        ) : (
          <Segments data={data} />
        )}
      </Layout>
    </Page>
  );
}

function StatusCard({ data }: { data: Overview }) {
  const lastSync =
    data.backfill?.finishedAt ?? data.shop.lastReconciledAt ?? data.backfill?.startedAt ?? null;
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Data status
        </Text>
        <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
          <Fact label="Last sync" value={formatDateTime(lastSync)} />
          <Fact
            label="Last store update received"
            value={formatDateTime(data.shop.lastWebhookAt)}
          />
          <Fact label="Last recompute" value={formatDateTime(data.shop.lastRecomputeAt)} />
        </InlineGrid>
      </BlockStack>
    </Card>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <BlockStack gap="050">
      <Text as="p" variant="bodySm" tone="subdued">
        {label}
      </Text>
      <Text as="p">{value}</Text>
    </BlockStack>
  );
}

function FirstRun({ data }: { data: Overview }) {
  return (
    <Card>
      <EmptyState
        heading="Your customer segments will appear here"
        image="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"
      >
        <BlockStack gap="400">
          <Text as="p">
            Propel is reading the order history of {data.shop.domain}. Segments appear after the
            first recompute, which starts as soon as the import finishes.
          </Text>
          {data.backfill ? (
            <SyncProgress run={data.backfill} />
          ) : (
            <Text as="p" tone="subdued">
              The import has not started yet.
            </Text>
          )}
        </BlockStack>
      </EmptyState>
    </Card>
  );
}

/*
 * A click on a family tab must be answered within the 200 ms INP limit on a laptop-class CPU
 * (test/bench/vitals.bench.ts). Rendering a family's tables in the click cost too much (Polaris
 * DataTables measure themselves as they mount), and deferring them moved the page more than
 * 500 ms after the click, a layout shift counted in CLS. So every family's panel is rendered
 * once, with its tables, and a click only flips which one is hidden; the charts, which polaris-viz
 * draws for a few hundred milliseconds, follow the selection after the click's paint, in boxes
 * already sized for them. The trend card below is last on the page, so it follows them too.
 */
function Segments({ data }: { data: Overview }) {
  const [selected, setSelected] = useState(0);
  const family = CHART_FAMILIES[selected];
  const drawnFamily = useDeferredValue(family);
  const rowsByFamily = useMemo(
    () =>
      Object.fromEntries(
        CHART_FAMILIES.map((f) => [f, data.segments.filter((s) => s.family === f)]),
      ) as Record<SegmentFamily, SegmentRow[]>,
    [data],
  );
  return (
    <>
      <Layout.Section>
        <Card>
          <BlockStack gap="400">
            <Text as="h2" variant="headingMd">
              Segment sizes and revenue share
            </Text>
            <Text as="p" tone="subdued">
              As of the recompute of {formatDateTime(data.snapshot!.takenAt)}.
            </Text>
            <Tabs tabs={FAMILY_TABS} selected={selected} onSelect={setSelected} />
            {FAMILY_TABS.map((tab, index) => (
              <FamilyPanel
                key={tab.id}
                tab={tab}
                hidden={index !== selected}
                drawn={CHART_FAMILIES[index] === drawnFamily}
                family={CHART_FAMILIES[index]}
                rows={rowsByFamily[CHART_FAMILIES[index]]}
                currency={data.shop.currency}
              />
            ))}
          </BlockStack>
        </Card>
      </Layout.Section>
      <RfmGridSection data={data} />
      <Layout.Section variant="oneHalf">
        <Movements data={data} />
      </Layout.Section>
      <Layout.Section>
        <Trend data={data} family={drawnFamily} rows={rowsByFamily[drawnFamily]} />
      </Layout.Section>
    </>
  );
}

/** Memoized: a click changes the props of the panel shown and the one hidden, no other. */
const FamilyPanel = memo(function FamilyPanel({
  tab,
  hidden,
  drawn,
  family,
  rows,
  currency,
}: {
  tab: (typeof FAMILY_TABS)[number];
  hidden: boolean;
  drawn: boolean;
  family: SegmentFamily;
  rows: SegmentRow[];
  currency: string;
}) {
  return (
    <div role="tabpanel" id={tab.panelID} aria-labelledby={tab.id} hidden={hidden}>
      <InlineGrid columns={{ xs: 1, lg: 2 }} gap="400">
        <SizeChart family={family} rows={rows} drawn={drawn} />
        <RevenueChart family={family} rows={rows} currency={currency} drawn={drawn} />
      </InlineGrid>
    </div>
  );
});

const RfmGridSection = memo(function RfmGridSection({ data }: { data: Overview }) {
  const rfm = data.segments.filter((s) => s.family === "rfm");
  const rfmTotal = rfm.reduce((sum, s) => sum + s.customers, 0);
  return (
    <Layout.Section variant="oneHalf">
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            RFM grid
          </Text>
          <RfmHeatMap
            grid={data.rfmGrid}
            customersByGroup={Object.fromEntries(
              rfm.map((s) => [s.key.slice("rfm:".length), s.customers]),
            )}
            totalCustomers={rfmTotal}
          />
        </BlockStack>
      </Card>
    </Layout.Section>
  );
});

const SizeChart = memo(function SizeChart({
  family,
  rows,
  drawn,
}: {
  family: SegmentFamily;
  rows: SegmentRow[];
  drawn: boolean;
}) {
  return (
    <ChartWithTable
      drawn={drawn}
      title={`Customers per ${FAMILY_LABELS[family]} segment`}
      kind="horizontal-bar"
      data={[{ name: "Customers", data: rows.map((s) => ({ key: s.label, value: s.customers })) }]}
      table={{
        headings: ["Segment", "Customers"],
        rows: rows.map((s) => [s.label, formatCount(s.customers)]),
      }}
      formatValue={(v) => formatCount(v)}
    />
  );
});

const RevenueChart = memo(function RevenueChart({
  family,
  rows,
  currency,
  drawn,
}: {
  family: SegmentFamily;
  rows: SegmentRow[];
  currency: string;
  drawn: boolean;
}) {
  const total = rows.reduce((sum, s) => sum + s.revenueMinor, 0);
  return (
    <ChartWithTable
      drawn={drawn}
      title={`Revenue share per ${FAMILY_LABELS[family]} segment`}
      kind="donut"
      data={rows
        .filter((s) => s.revenueMinor > 0)
        .map((s) => ({
          name: s.label,
          data: [{ key: "Revenue", value: minorToMajor(s.revenueMinor, currency) }],
        }))}
      table={{
        headings: ["Segment", "Revenue to date", "Share"],
        rows: rows.map((s) => [
          s.label,
          formatMoney(s.revenueMinor, currency),
          formatShare(total > 0 ? s.revenueMinor / total : 0, 1),
        ]),
      }}
      formatValue={(v) => formatMoney(majorToMinor(v, currency), currency)}
    />
  );
});

const Movements = memo(function Movements({ data }: { data: Overview }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Movements in the last {data.movementDays} days
        </Text>
        {data.movements.length === 0 ? (
          <Text as="p" tone="subdued">
            No customer changed segment in the last {data.movementDays} days.
          </Text>
        ) : (
          <List>
            {data.movements.map((m) => (
              <List.Item key={`${m.from}->${m.to}`}>
                {formatCount(m.customers)} {m.customers === 1 ? "customer" : "customers"} moved from{" "}
                <Link to={`/app/segments/${encodeURIComponent(m.from!)}`}>{m.fromLabel}</Link> to{" "}
                <Link to={`/app/segments/${encodeURIComponent(m.to!)}`}>{m.toLabel}</Link>
              </List.Item>
            ))}
          </List>
        )}
      </BlockStack>
    </Card>
  );
});

const Trend = memo(function Trend({
  data,
  family,
  rows: segments,
}: {
  data: Overview;
  family: SegmentFamily;
  rows: SegmentRow[];
}) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {FAMILY_LABELS[family]} sizes over time
        </Text>
        {data.trend.length < 2 ? (
          <Text as="p" tone="subdued">
            The trend appears after the second recompute.
          </Text>
        ) : (
          <ChartWithTable
            title={`${FAMILY_LABELS[family]} segment sizes over the last ${data.trend.length} recomputes`}
            kind="line"
            data={segments.map((s) => ({
              name: s.label,
              data: data.trend.map((t) => ({
                key: formatDateTime(t.takenAt),
                value: t.counts[s.key] ?? 0,
              })),
            }))}
            table={{
              headings: ["Segment", ...data.trend.slice(-4).map((t) => formatDate(t.takenAt))],
              rows: segments.map((s) => [
                s.label,
                ...data.trend.slice(-4).map((t) => formatCount(t.counts[s.key] ?? 0)),
              ]),
            }}
            formatValue={(v) => formatCount(v)}
          />
        )}
      </BlockStack>
    </Card>
  );
});
