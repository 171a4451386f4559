import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigate,
  useNavigation,
  useSearchParams,
} from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  IndexTable,
  InlineStack,
  Layout,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { useState } from "react";
import { loadSegmentMembers, parseMemberQuery } from "~/admin/segment-customers.server";
import { loadSegmentSummary } from "~/admin/segments.server";
import { requireShop } from "~/admin/shop-context.server";
import { createShopifySegment, shopifySegmentFor } from "~/admin/shopify-segment.server";
import { ChartWithTable } from "~/components/charts";
import { downloadFile } from "~/components/downloadFile";
import { MEMBER_SORT_LABELS, type SortKey } from "~/components/member-sorts";
import {
  formatCount,
  formatDate,
  formatDateTime,
  formatDecimal,
  formatMoney,
  humanize,
} from "~/components/format";
import { FAMILY_LABELS } from "~/segmentation/catalog";
import { playbookFor, type SuggestedPromotion } from "~/segmentation/promotions";
import { segmentAverages } from "~/segmentation/snapshot";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  const key = params.key ?? "";
  const summary = await loadSegmentSummary(shop.id, key);
  if (!summary) throw new Response("No such segment", { status: 404 });
  const query = parseMemberQuery(new URL(request.url).searchParams);
  const [members, shopifySegment] = await Promise.all([
    loadSegmentMembers(shop.id, key, query),
    shopifySegmentFor(shop.id, key),
  ]);
  const promotions = playbookFor(key, {
    customers: summary.current?.customers ?? 0,
    ...segmentAverages(summary.current),
    currency: shop.currencyCode,
  });
  return { currency: shop.currencyCode, ...summary, query, members, promotions, shopifySegment };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const shop = await requireShop(request);
  const form = await request.formData();
  if (form.get("intent") !== "create-shopify-segment")
    return Response.json({ error: "Unknown action." }, { status: 400 });
  const result = await createShopifySegment(shop.id, params.key ?? "");
  return Response.json(result, { status: result.error ? 422 : 200 });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.definition.label ?? "Segment"} · Propel` },
];

/** Column order of the customers table; the sortable ones map to server-side sorts. */
const COLUMNS: { title: string; sort?: SortKey }[] = [
  { title: "Customer" },
  { title: "Orders", sort: "orders" },
  { title: "Total spent", sort: "spent" },
  { title: "Predicted 12-month CLV", sort: "clv" },
  { title: "P(alive)" },
  { title: "Last order", sort: "lastOrder" },
];

export default function SegmentPage() {
  const { definition, current, history, currency, promotions, shopifySegment } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const exportUrl = `/app/segments/${encodeURIComponent(definition.key)}.csv`;
  const [exporting, setExporting] = useState(false);
  return (
    <Page
      title={definition.label}
      subtitle={FAMILY_LABELS[definition.family]}
      backAction={{ content: "Segments", url: "/app/segments" }}
      secondaryActions={[
        {
          content: exporting ? "Exporting…" : "Export CSV",
          disabled: exporting,
          onAction: () => {
            setExporting(true);
            downloadFile(exportUrl, "segment.csv").finally(() => setExporting(false));
          },
        },
      ]}
    >
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                What this segment means
              </Text>
              <Text as="p">{definition.description}</Text>
              {current ? (
                <Text as="p" tone="subdued">
                  {formatCount(current.customers)} customers,{" "}
                  {formatMoney(current.revenueMinor, currency)} spent to date,{" "}
                  {formatMoney(current.clvMinor, currency)} predicted over the next 12 months
                  (recompute of {formatDateTime(current.takenAt)}).
                </Text>
              ) : (
                <Text as="p" tone="subdued">
                  Sizes appear after the first recompute.
                </Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">
                In Shopify&apos;s customer view
              </Text>
              {actionData?.error && <Banner tone="critical">{actionData.error}</Banner>}
              {shopifySegment ? (
                <Text as="p">
                  Shopify segment &ldquo;{shopifySegment.name}&rdquo; ({shopifySegment.query}),
                  created {formatDateTime(shopifySegment.createdAt)}: use it in Shopify Email,
                  discounts and marketing automations.
                </Text>
              ) : (
                <Form method="post">
                  <InlineStack gap="300" blockAlign="center">
                    <Text as="p">
                      Create a Shopify customer segment on this segment&apos;s tag, so Shopify
                      Email, discounts and automations can aim at it.
                    </Text>
                    <input type="hidden" name="intent" value="create-shopify-segment" />
                    <Button submit loading={navigation.state === "submitting"}>
                      Create Shopify segment
                    </Button>
                  </InlineStack>
                </Form>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        {history.length >= 2 && (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Size and value over time
                </Text>
                <ChartWithTable
                  title={`${definition.label}: customers over the last ${history.length} recomputes`}
                  kind="line"
                  data={[
                    {
                      name: "Customers",
                      data: history.map((p) => ({
                        key: formatDateTime(p.takenAt),
                        value: p.customers,
                      })),
                    },
                  ]}
                  table={{
                    headings: [
                      "Recompute",
                      "Customers",
                      "Revenue to date",
                      "Predicted 12-month CLV",
                    ],
                    rows: history
                      .slice(-6)
                      .reverse()
                      .map((p) => [
                        formatDateTime(p.takenAt),
                        formatCount(p.customers),
                        formatMoney(p.revenueMinor, currency),
                        formatMoney(p.clvMinor, currency),
                      ]),
                  }}
                  formatValue={(v) => formatCount(v)}
                  height={200}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
        )}
        <Layout.Section>
          <Members />
        </Layout.Section>
        <Layout.Section>
          <Promotions segmentKey={definition.key} promotions={promotions} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/**
 * The search field keeps what is typed in state of its own: held by the members list, every
 * key press re-rendered the 50-row IndexTable, and each key's next paint came well past the
 * 200 ms INP limit on a laptop-class CPU (test/bench/vitals.bench.ts).
 */
function MemberSearch({
  initial,
  sort,
  direction,
}: {
  initial: string;
  sort: string;
  direction: string;
}) {
  const [search, setSearch] = useState(initial);
  return (
    <Form method="get" role="search" aria-label="Search customers in this segment">
      <InlineStack gap="200" blockAlign="end">
        <div style={{ flex: 1 }}>
          <TextField
            label="Search by email or name"
            name="q"
            value={search}
            onChange={setSearch}
            autoComplete="off"
            placeholder="Starts with…"
          />
        </div>
        <input type="hidden" name="sort" value={sort} />
        <input type="hidden" name="direction" value={direction} />
        <Button submit>Search</Button>
      </InlineStack>
    </Form>
  );
}

function Members() {
  const { definition, currency, query, members } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const navigation = useNavigation();
  const go = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes))
      if (value === null) next.delete(name);
      else next.set(name, value);
    navigate(`?${next.toString()}`);
  };
  const sortIndex = COLUMNS.findIndex((c) => c.sort === query.sort);
  return (
    <Card padding="0">
      <section aria-labelledby="segment-customers">
        <BlockStack gap="0">
          <div style={{ padding: "var(--p-space-400)" }}>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd" id="segment-customers">
                Customers in {definition.label}
              </Text>
              <MemberSearch initial={query.search} sort={query.sort} direction={query.direction} />
            </BlockStack>
          </div>
          <IndexTable
            resourceName={{ singular: "customer", plural: "customers" }}
            itemCount={members.rows.length}
            selectable={false}
            loading={navigation.state === "loading"}
            headings={
              COLUMNS.map((c) => ({ title: c.title })) as [
                { title: string },
                ...{ title: string }[],
              ]
            }
            sortable={COLUMNS.map((c) => c.sort !== undefined)}
            sortColumnIndex={sortIndex}
            sortDirection={query.direction === "asc" ? "ascending" : "descending"}
            onSort={(index, direction) =>
              go({
                sort: COLUMNS[index].sort ?? null,
                direction: direction === "ascending" ? "asc" : "desc",
                page: null,
              })
            }
            emptyState={
              <div style={{ padding: "var(--p-space-400)" }}>
                <Text as="p" tone="subdued">
                  {query.search
                    ? `No customer in this segment starts with “${query.search}”.`
                    : "No customers."}
                </Text>
              </div>
            }
            pagination={{
              hasNext: members.hasNext,
              hasPrevious: members.hasPrevious,
              onNext: () => go({ page: String(query.page + 1) }),
              onPrevious: () => go({ page: String(query.page - 1) }),
              label: `Page ${query.page}, sorted by ${MEMBER_SORT_LABELS[query.sort].toLowerCase()}`,
            }}
          >
            {members.rows.map((c, i) => (
              <IndexTable.Row id={c.id} key={c.id} position={i}>
                <IndexTable.Cell>
                  <Link to={`/app/customers/${c.id}`}>
                    {c.name ?? c.email ?? `Customer ${c.id}`}
                  </Link>
                  {c.name && c.email ? (
                    <Text as="p" variant="bodySm" tone="subdued">
                      {c.email}
                    </Text>
                  ) : null}
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" numeric>
                    {formatCount(c.orders)}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" numeric>
                    {formatMoney(c.totalSpentMinor, c.currency || currency)}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" numeric>
                    {formatMoney(c.clv12mMinor, c.currency || currency)}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <InlineStack gap="100">
                    <Text as="span" numeric>
                      {formatDecimal(c.pAlive)}
                    </Text>
                    {c.churnRisk ? <Badge>{`${humanize(c.churnRisk)} risk`}</Badge> : null}
                  </InlineStack>
                </IndexTable.Cell>
                <IndexTable.Cell>{formatDate(c.lastOrderDate)}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </BlockStack>
      </section>
    </Card>
  );
}

function Promotions({
  segmentKey,
  promotions,
}: {
  segmentKey: string;
  promotions: SuggestedPromotion[];
}) {
  return (
    <Card>
      <section aria-labelledby="suggested-promotions">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd" id="suggested-promotions">
            Suggested promotions
          </Text>
          {promotions.length === 0 ? (
            <Text as="p" tone="subdued">
              No promotion is suggested for this segment.
            </Text>
          ) : (
            promotions.map((p) => (
              <InlineStack
                key={p.id}
                align="space-between"
                blockAlign="center"
                gap="400"
                wrap={false}
              >
                <BlockStack gap="100">
                  <InlineStack gap="200" blockAlign="center">
                    <Text as="h3" variant="headingSm">
                      {p.title}
                    </Text>
                    {p.discountPercent !== null && (
                      <Badge tone="info">{`${p.discountPercent}% off`}</Badge>
                    )}
                  </InlineStack>
                  <Text as="p" tone="subdued">
                    {p.why}
                  </Text>
                </BlockStack>
                <Button
                  url={`/app/promotions/new?segment=${encodeURIComponent(segmentKey)}&playbook=${encodeURIComponent(p.id)}`}
                  accessibilityLabel={`Create promotion: ${p.title}`}
                >
                  Create
                </Button>
              </InlineStack>
            ))
          )}
        </BlockStack>
      </section>
    </Card>
  );
}
