import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, EmptyState, Layout, Page, Text } from "@shopify/polaris";
import prisma from "~/db.server";
import { authenticate } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { session } = await authenticate.admin(request);
  const shop = await prisma.shop.findUnique({
    where: { domain: session.shop },
    select: {
      domain: true,
      installedAt: true,
      lastWebhookAt: true,
      lastRecomputeAt: true,
      _count: { select: { customers: true, orders: true } },
    },
  });
  return {
    shopDomain: session.shop,
    customers: shop?._count.customers ?? 0,
    orders: shop?._count.orders ?? 0,
    lastRecomputeAt: shop?.lastRecomputeAt?.toISOString() ?? null,
  };
}

export default function Overview() {
  const data = useLoaderData<typeof loader>();
  return (
    <Page title="Overview">
      <Layout>
        <Layout.Section>
          {data.customers === 0 ? (
            <Card>
              <EmptyState
                heading="Your customer segments will appear here"
                image="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"
              >
                <p>
                  Propel is reading the order history of {data.shopDomain}. Segments are computed as
                  soon as the first sync finishes.
                </p>
              </EmptyState>
            </Card>
          ) : (
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Store data
                </Text>
                <Text as="p">
                  {data.customers.toLocaleString("en-US")} customers and{" "}
                  {data.orders.toLocaleString("en-US")} orders synced.
                </Text>
              </BlockStack>
            </Card>
          )}
        </Layout.Section>
      </Layout>
    </Page>
  );
}
