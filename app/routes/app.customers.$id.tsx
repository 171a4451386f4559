import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { KeyboardScrollable } from "~/components/KeyboardScrollable";
import { Link, useLoaderData } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Card,
  DataTable,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { loadCustomer } from "~/admin/customer.server";
import type { CustomerPage } from "~/admin/customer.server";
import { requireShop } from "~/admin/shop-context.server";
import {
  formatCount,
  formatDate,
  formatDateTime,
  formatDecimal,
  formatMoney,
  formatShare,
  humanize,
} from "~/components/format";
import { Wrap } from "~/components/Wrap";
import { FAMILY_LABELS } from "~/segmentation/catalog";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  if (!/^\d{1,19}$/.test(params.id ?? "")) throw new Response("No such customer", { status: 404 });
  const page = await loadCustomer(shop.id, BigInt(params.id!));
  if (!page) throw new Response("No such customer", { status: 404 });
  return page;
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.customer.name ?? data?.customer.email ?? "Customer"} · Propel` },
];

export default function CustomerPageView() {
  const data = useLoaderData<typeof loader>();
  const { customer } = data;
  const title = customer.name ?? customer.email ?? `Customer ${customer.id}`;
  return (
    <Page
      title={title}
      subtitle={customer.name && customer.email ? customer.email : undefined}
      backAction={{ content: "Segments", url: "/app/segments" }}
      titleMetadata={
        customer.deleted ? <Badge tone="critical">Deleted in Shopify</Badge> : undefined
      }
    >
      <Layout>
        <Layout.Section>
          <Scores data={data} />
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <Memberships data={data} />
        </Layout.Section>
        <Layout.Section>
          <Orders data={data} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Scores({ data }: { data: CustomerPage }) {
  const m = data.metrics;
  const why = data.explanations;
  if (!m || !why)
    return (
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Scores
          </Text>
          <Text as="p" tone="subdued">
            This customer has not been scored yet; scores appear after the next recompute.
          </Text>
        </BlockStack>
      </Card>
    );
  const rows: { label: string; value: string; why: string }[] = [
    { label: "Buying rhythm", value: `${formatCount(m.orders)} orders`, why: why.cadence },
    {
      label: "RFM scores",
      value: m.rScore === null ? "—" : `R ${m.rScore} · F ${m.fScore} · M ${m.mScore}`,
      why: why.rfm,
    },
    { label: "P(alive)", value: formatDecimal(m.pAlive), why: why.pAlive },
    {
      label: `Expected purchases (next ${data.forecastDays} days)`,
      value: formatDecimal(m.expectedPurchases, 1),
      why: why.expectedPurchases,
    },
    {
      label: `Predicted ${data.clvMonths}-month CLV`,
      value:
        formatMoney(m.clv12mMinor, m.currency) +
        (data.intervals?.clvMinor && m.clv12mMinor !== null
          ? ` (80% interval ${formatMoney(data.intervals.clvMinor.p10, m.currency)}–${formatMoney(data.intervals.clvMinor.p90, m.currency)})`
          : ""),
      why: why.clv,
    },
    {
      label: "Predicted spend tier",
      value: m.spendTier ? humanize(m.spendTier) : "—",
      why: why.spendTier,
    },
    { label: "Propensity to grow", value: formatDecimal(m.propensity), why: why.propensity },
    {
      label: data.churnHorizonDays
        ? `Churn risk (no order in ${data.churnHorizonDays} days)`
        : "Churn risk",
      value: m.churnRisk
        ? `${humanize(m.churnRisk)}${m.details.churnScore == null ? "" : ` · ${formatShare(m.details.churnScore)}`}${data.intervals ? ` (80% interval ${formatShare(data.intervals.churnScore.p10)}–${formatShare(data.intervals.churnScore.p90)})` : ""}`
        : "—",
      why: why.churnRisk,
    },
    {
      label: "Next order",
      value:
        m.details.nextOrderProbability == null
          ? "—"
          : `${formatShare(m.details.nextOrderProbability)}${m.nextOrderAt ? ` · ~${formatDate(m.nextOrderAt)}` : ""}`,
      why: why.nextOrder,
    },
    { label: "Value type", value: m.valueType ? humanize(m.valueType) : "—", why: why.valueType },
  ];
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            Scores
          </Text>
          <Badge tone="info">{humanize(m.rfmGroup)}</Badge>
        </InlineStack>
        <Text as="p" tone="subdued">
          {formatMoney(m.totalSpentMinor, m.currency)} spent over {formatCount(m.orders)} orders
          (average {formatMoney(m.aovMinor, m.currency)}). Computed {formatDateTime(m.computedAt)}
          {m.nextOrderAt ? `; next order expected around ${formatDate(m.nextOrderAt)}` : ""}.
        </Text>
        <KeyboardScrollable label="Scores">
          <DataTable
            columnContentTypes={["text", "numeric", "text"]}
            headings={["Score", "Value", "Why"]}
            rows={rows.map((row) => [row.label, row.value, <Wrap key={row.label}>{row.why}</Wrap>])}
            verticalAlign="top"
          />
        </KeyboardScrollable>
      </BlockStack>
    </Card>
  );
}

function Memberships({ data }: { data: CustomerPage }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Segments
        </Text>
        {data.segments.length === 0 ? (
          <Text as="p" tone="subdued">
            Not in any segment yet.
          </Text>
        ) : (
          <BlockStack gap="200">
            {data.segments.map((s) => (
              <BlockStack gap="0" key={s.key}>
                <Link to={`/app/segments/${encodeURIComponent(s.key)}`}>{s.label}</Link>
                <Text as="span" variant="bodySm" tone="subdued">
                  {FAMILY_LABELS[s.family]}, since {formatDate(s.since)}
                </Text>
              </BlockStack>
            ))}
          </BlockStack>
        )}
        {data.customer.tags.length > 0 && (
          <BlockStack gap="100">
            <Text as="h3" variant="headingSm">
              Tags in Shopify
            </Text>
            <InlineStack gap="100">
              {data.customer.tags.map((tag) => (
                <Badge key={tag}>{tag}</Badge>
              ))}
            </InlineStack>
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}

function Orders({ data }: { data: CustomerPage }) {
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          Orders
        </Text>
        {data.orders.length === 0 ? (
          <Text as="p" tone="subdued">
            No orders.
          </Text>
        ) : (
          <>
            <KeyboardScrollable label="Orders">
              <DataTable
                columnContentTypes={[
                  "text",
                  "text",
                  "numeric",
                  "numeric",
                  "numeric",
                  "numeric",
                  "numeric",
                  "numeric",
                  "text",
                ]}
                headings={[
                  "Order",
                  "Date",
                  "Net sales",
                  "Merchandise",
                  "Refunded merchandise",
                  "Shipping",
                  "Tax",
                  "Total paid",
                  "Counted",
                ]}
                rows={data.orders.map((o) => [
                  o.name,
                  formatDate(o.processedAt),
                  formatMoney(o.netMinor, o.currency),
                  formatMoney(o.merchandiseMinor, o.currency),
                  formatMoney(o.refundedMerchandiseMinor, o.currency),
                  formatMoney(o.shippingMinor, o.currency),
                  formatMoney(o.taxMinor, o.currency),
                  formatMoney(o.totalMinor, o.currency),
                  o.excluded ? `No: ${o.excluded.toLowerCase()}` : "Yes",
                ])}
              />
            </KeyboardScrollable>
            <Text as="p" tone="subdued">
              Scores count net sales: merchandise after discounts less refunded merchandise, each
              refund from its own date. Shipping and taxes are shown but not counted.
            </Text>
            {data.orderCount > data.orders.length && (
              <Text as="p" tone="subdued">
                Showing the latest {data.orders.length} of {formatCount(data.orderCount)} orders.
              </Text>
            )}
          </>
        )}
      </BlockStack>
    </Card>
  );
}
