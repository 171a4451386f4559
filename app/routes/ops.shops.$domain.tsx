import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, Page, Text } from "@shopify/polaris";
import prisma from "~/db.server";
import { requireOpsUser } from "~/ops/auth.server";
import { shopDetail } from "~/ops/queries.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireOpsUser(request);
  const detail = await shopDetail(prisma, params.domain ?? "");
  if (!detail) throw new Response("No such shop", { status: 404 });
  const { shop, deliveries } = detail;
  return {
    domain: shop.domain,
    installState: shop.installState,
    plan: shop.planName,
    throttle: {
      restoreRate: shop.throttleRestoreRate,
      maximumAvailable: shop.throttleMaximumAvailable,
      currentlyAvailable: shop.throttleCurrentlyAvailable,
      observedAt: shop.throttleObservedAt?.toISOString() ?? null,
    },
    customers: shop._count.customers,
    orders: shop._count.orders,
    syncRuns: shop.syncRuns.map((run) => ({
      id: run.id,
      kind: run.kind,
      status: run.status,
      startedAt: run.startedAt.toISOString(),
      finishedAt: run.finishedAt?.toISOString() ?? null,
      customers: run.customersSynced,
      orders: run.ordersSynced,
      error: run.error,
    })),
    deliveries: deliveries.map((delivery) => ({
      id: delivery.id.toString(),
      topic: delivery.topic,
      status: delivery.status,
      error: delivery.error,
      receivedAt: delivery.receivedAt.toISOString(),
      processedAt: delivery.processedAt?.toISOString() ?? null,
      webhookId: delivery.webhookId,
    })),
  };
}

export default function OpsShop() {
  const data = useLoaderData<typeof loader>();
  return (
    <Page
      title={data.domain}
      backAction={{ content: "Shops", url: "/ops" }}
      titleMetadata={<Badge>{data.installState}</Badge>}
      fullWidth
    >
      <BlockStack gap="400">
        <Card>
          <Text as="p">
            {data.customers.toLocaleString("en-US")} customers,{" "}
            {data.orders.toLocaleString("en-US")} orders. Plan {data.plan ?? "unknown"}. GraphQL
            bucket: {data.throttle.currentlyAvailable ?? "?"} / {data.throttle.maximumAvailable}{" "}
            points, restoring {data.throttle.restoreRate}/s (seen{" "}
            {data.throttle.observedAt ?? "never"}).
          </Text>
        </Card>
        <Card>
          <Text as="h2" variant="headingMd">
            Sync runs
          </Text>
          <DataTable
            columnContentTypes={["text", "text", "text", "text", "numeric", "numeric", "text"]}
            headings={["Kind", "Status", "Started", "Finished", "Customers", "Orders", "Error"]}
            rows={data.syncRuns.map((run) => [
              run.kind,
              run.status,
              run.startedAt,
              run.finishedAt ?? "running",
              run.customers,
              run.orders,
              run.error ?? "",
            ])}
          />
        </Card>
        <Card>
          <Text as="h2" variant="headingMd">
            Recent webhook deliveries
          </Text>
          <DataTable
            columnContentTypes={["text", "text", "text", "text", "text"]}
            headings={["Received", "Topic", "Status", "Webhook id", "Error"]}
            rows={data.deliveries.map((delivery) => [
              delivery.receivedAt,
              delivery.topic,
              delivery.status,
              delivery.webhookId,
              delivery.error ?? "",
            ])}
          />
        </Card>
      </BlockStack>
    </Page>
  );
}
