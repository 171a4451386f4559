import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, Card, IndexTable, Link, Page, Text } from "@shopify/polaris";
import prisma from "~/db.server";
import { requireOpsUser } from "~/ops/auth.server";
import { formatCount, formatTime } from "~/ops/format";
import { shopsOverview } from "~/ops/queries.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOpsUser(request);
  const shops = await shopsOverview(prisma);
  return {
    shops: shops.map((shop) => ({
      domain: shop.domain,
      installState: shop.installState,
      customers: shop._count.customers,
      orders: shop._count.orders,
      lastWebhookAt: shop.lastWebhookAt?.toISOString() ?? null,
      lastReconciledAt: shop.lastReconciledAt?.toISOString() ?? null,
      sync: shop.latestSync
        ? {
            kind: shop.latestSync.kind,
            status: shop.latestSync.status,
            customers: shop.latestSync.customersSynced,
            orders: shop.latestSync.ordersSynced,
          }
        : null,
      failed24h: shop.deliveries24h.FAILED ?? 0,
      received24h: Object.values(shop.deliveries24h).reduce((sum, count) => sum + count, 0),
    })),
  };
}

const when = (iso: string | null) => formatTime(iso, "never");

export default function OpsShops() {
  const { shops } = useLoaderData<typeof loader>();
  return (
    <Page
      title="Propel ops: shops"
      secondaryActions={[{ content: "Jobs", url: "/ops/jobs" }]}
      fullWidth
    >
      <Card padding="0">
        <IndexTable
          resourceName={{ singular: "shop", plural: "shops" }}
          itemCount={shops.length}
          selectable={false}
          headings={[
            { title: "Shop" },
            { title: "State" },
            { title: "Customers" },
            { title: "Orders" },
            { title: "Latest sync" },
            { title: "Last webhook" },
            { title: "Webhooks (24 h)" },
          ]}
        >
          {shops.map((shop, index) => (
            <IndexTable.Row id={shop.domain} key={shop.domain} position={index}>
              <IndexTable.Cell>
                <Link url={`/ops/shops/${shop.domain}`}>{shop.domain}</Link>
              </IndexTable.Cell>
              <IndexTable.Cell>
                <Badge tone={shop.installState === "INSTALLED" ? "success" : "critical"}>
                  {shop.installState}
                </Badge>
              </IndexTable.Cell>
              <IndexTable.Cell>{formatCount(shop.customers)}</IndexTable.Cell>
              <IndexTable.Cell>{formatCount(shop.orders)}</IndexTable.Cell>
              <IndexTable.Cell>
                {shop.sync
                  ? `${shop.sync.kind} ${shop.sync.status}: ${shop.sync.customers} customers, ${shop.sync.orders} orders`
                  : "none"}
              </IndexTable.Cell>
              <IndexTable.Cell>{when(shop.lastWebhookAt)}</IndexTable.Cell>
              <IndexTable.Cell>
                <Text as="span" tone={shop.failed24h > 0 ? "critical" : undefined}>
                  {shop.received24h} received, {shop.failed24h} failed
                </Text>
              </IndexTable.Cell>
            </IndexTable.Row>
          ))}
        </IndexTable>
      </Card>
    </Page>
  );
}
