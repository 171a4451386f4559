import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, Link, Page, Text } from "@shopify/polaris";
import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";
import { requireOpsUser } from "~/ops/auth.server";
import { shopJobs } from "~/ops/jobs.server";
import { shopDetail } from "~/ops/queries.server";

/** The most recent of the shop's jobs the card lists; the scan itself is bounded per state. */
const JOBS_SHOWN = 100;

async function recentJobs(domain: string) {
  try {
    const history = await shopJobs(queues(), domain);
    return {
      error: null,
      found: history.jobs.length,
      scannedPerState: history.scannedPerState,
      unread: history.unread,
      jobs: history.jobs.slice(0, JOBS_SHOWN),
    };
  } catch (error) {
    // Without Redis the rest of the page, read from PostgreSQL, is still worth showing.
    return {
      error: (error as Error).message,
      found: 0,
      scannedPerState: 0,
      unread: 0,
      jobs: [],
    };
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  requireOpsUser(request);
  const detail = await shopDetail(prisma, params.domain ?? "");
  if (!detail) throw new Response("No such shop", { status: 404 });
  const { shop, deliveries } = detail;
  const jobs = await recentJobs(shop.domain);
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
    jobs,
  };
}

const time = (iso: string | null) => (iso ? `${iso.slice(0, 19).replace("T", " ")} UTC` : "");

function duration(ms: number | null): string {
  if (ms === null) return "";
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
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
          <BlockStack gap="200">
            <Text as="p">
              {data.customers.toLocaleString("en-US")} customers,{" "}
              {data.orders.toLocaleString("en-US")} orders. Plan {data.plan ?? "unknown"}.
            </Text>
            <Text as="p">
              GraphQL throttle: {data.throttle.currentlyAvailable ?? "?"} /{" "}
              {data.throttle.maximumAvailable} points available, restoring{" "}
              {data.throttle.restoreRate}/s (
              {data.throttle.observedAt
                ? `as of ${time(data.throttle.observedAt)}`
                : "not observed yet"}
              ).
            </Text>
          </BlockStack>
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
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Jobs
            </Text>
            {data.jobs.error ? (
              <Text as="p" tone="critical">
                The queues could not be read: {data.jobs.error}
              </Text>
            ) : (
              <Text as="p" tone="subdued">
                From the newest {data.jobs.scannedPerState} jobs of each state of each queue
                {data.jobs.unread > 0
                  ? `; ${data.jobs.unread.toLocaleString("en-US")} older jobs were not read`
                  : ""}
                .{" "}
                {data.jobs.found > data.jobs.jobs.length
                  ? `Showing the newest ${data.jobs.jobs.length} of ${data.jobs.found}.`
                  : ""}{" "}
                <Link url="/ops/jobs">All queues</Link>
              </Text>
            )}
          </BlockStack>
          <DataTable
            columnContentTypes={[
              "text",
              "text",
              "text",
              "text",
              "text",
              "numeric",
              "numeric",
              "text",
            ]}
            headings={["Added", "Queue", "Job", "Name", "State", "Attempts", "Duration", "Error"]}
            rows={data.jobs.jobs.map((job) => [
              time(job.createdAt),
              job.queue,
              <Link key={job.id} url={`/ops/jobs/${job.queue}/${encodeURIComponent(job.id)}`}>
                {job.id}
              </Link>,
              job.name,
              <Badge
                key={job.state}
                tone={
                  job.state === "failed"
                    ? "critical"
                    : job.state === "completed"
                      ? "success"
                      : undefined
                }
              >
                {job.state}
              </Badge>,
              `${job.attemptsMade} / ${job.attemptsAllowed}`,
              duration(job.durationMs),
              job.error ?? "",
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
