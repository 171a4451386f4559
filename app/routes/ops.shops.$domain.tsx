import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  DescriptionList,
  InlineStack,
  Link,
  Page,
  Text,
} from "@shopify/polaris";
import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";
import { recordOpsAccess } from "~/ops/audit.server";
import { requireOpsAction, requireOpsUser } from "~/ops/auth.server";
import { formatCount, formatDuration, formatTime } from "~/ops/format";
import { shopJobs } from "~/ops/jobs.server";
import { shopDetail } from "~/ops/queries.server";
import { isShopIntent, runShopAction, SHOP_INTENT_DONE } from "~/ops/shop-actions.server";

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
  const user = await requireOpsUser(request);
  const detail = await shopDetail(prisma, params.domain ?? "");
  if (!detail) throw new Response("No such shop", { status: 404 });
  await recordOpsAccess(request, user, { action: "view-shop", shopDomain: detail.shop.domain });
  const { shop, deliveries } = detail;
  const jobs = await recentJobs(shop.domain);
  const queued = new URL(request.url).searchParams.get("queued");
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    done: isShopIntent(queued) ? SHOP_INTENT_DONE[queued] : null,
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
    segments: {
      lastReconciledAt: iso(shop.lastReconciledAt),
      lastRecomputeAt: iso(shop.lastRecomputeAt),
      modelFittedAt: iso(shop.modelFittedAt),
      dirtySince: iso(shop.dirtySince),
      fullRecomputeRequestedAt: iso(shop.fullRecomputeRequestedAt),
      changedSinceFit: shop.changedSinceFit,
      latestSnapshot: detail.latestSnapshot && {
        kind: detail.latestSnapshot.kind,
        takenAt: detail.latestSnapshot.takenAt.toISOString(),
        rfmCustomers: detail.latestSnapshot.rfmCustomers,
      },
      tagSync: detail.tagSync,
    },
    dataRequests: detail.dataRequests.map((delivery) => ({
      id: delivery.id.toString(),
      status: delivery.status,
      error: delivery.error,
      receivedAt: delivery.receivedAt.toISOString(),
      customerId: delivery.request.customerId?.toString() ?? null,
      ordersRequested: delivery.request.ordersRequested.length,
    })),
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

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireOpsAction(request);
  const domain = params.domain ?? "";
  const form = await request.formData();
  const intent = form.get("intent");
  await recordOpsAccess(request, user, {
    action: "shop-action",
    shopDomain: domain,
    subject: typeof intent === "string" ? intent.slice(0, 100) : null,
  });
  const result = await runShopAction(prisma, queues(), domain, form);
  if (!result.ok) return data({ error: result.error }, { status: result.status });
  // Post/redirect/get: a reload shows the banner again without posting again.
  return redirect(`/ops/shops/${encodeURIComponent(domain)}?queued=${result.intent}`);
}

function ShopAction(props: { intent: string; label: string; busy: boolean }) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={props.intent} />
      <Button submit loading={props.busy} disabled={props.busy}>
        {props.label}
      </Button>
    </Form>
  );
}

function snapshotLine(snapshot: { kind: string; takenAt: string; rfmCustomers: number } | null) {
  if (!snapshot) return "none yet";
  const customers = formatCount(snapshot.rfmCustomers);
  return `${snapshot.kind}, ${formatTime(snapshot.takenAt)}: ${customers} customers in RFM segments`;
}

const TAG_SYNC_ORDER = ["PENDING", "IN_FLIGHT", "SYNCED", "FAILED"] as const;

const tagSyncLine = (counts: Record<(typeof TAG_SYNC_ORDER)[number], number>) =>
  TAG_SYNC_ORDER.map(
    (status) => `${formatCount(counts[status])} ${status.toLowerCase().replace("_", " ")}`,
  ).join(", ");

export default function OpsShop() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const posting = (intent: string) =>
    navigation.state === "submitting" && navigation.formData?.get("intent") === intent;
  const { segments } = data;
  return (
    <Page
      title={data.domain}
      backAction={{ content: "Shops", url: "/ops" }}
      titleMetadata={<Badge>{data.installState}</Badge>}
      fullWidth
    >
      <BlockStack gap="400">
        {actionData?.error ? <Banner tone="critical">{actionData.error}</Banner> : null}
        {data.done && !actionData ? <Banner tone="success">{data.done}</Banner> : null}
        <Card>
          <BlockStack gap="200">
            <Text as="p">
              {formatCount(data.customers)} customers, {formatCount(data.orders)} orders. Plan{" "}
              {data.plan ?? "unknown"}.
            </Text>
            <Text as="p">
              GraphQL throttle: {data.throttle.currentlyAvailable ?? "?"} /{" "}
              {data.throttle.maximumAvailable} points available, restoring{" "}
              {data.throttle.restoreRate}/s (
              {data.throttle.observedAt
                ? `as of ${formatTime(data.throttle.observedAt)}`
                : "not observed yet"}
              ).
            </Text>
            <InlineStack gap="200">
              <ShopAction intent="reconcile" label="Reconcile now" busy={posting("reconcile")} />
              <ShopAction
                intent="recompute"
                label="Recompute segments now"
                busy={posting("recompute")}
              />
            </InlineStack>
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Segments
            </Text>
            <DescriptionList
              items={[
                {
                  term: "Last reconciled",
                  description: formatTime(segments.lastReconciledAt, "never"),
                },
                {
                  term: "Last recompute",
                  description: formatTime(segments.lastRecomputeAt, "never"),
                },
                {
                  term: "Models fitted",
                  description: formatTime(segments.modelFittedAt, "never"),
                },
                {
                  term: "Changes waiting since",
                  description: formatTime(segments.dirtySince, "nothing waiting"),
                },
                {
                  term: "Full recompute requested",
                  description: formatTime(segments.fullRecomputeRequestedAt, "no"),
                },
                {
                  term: "Customers rescored since the fit",
                  description: formatCount(segments.changedSinceFit),
                },
                {
                  term: "Latest snapshot",
                  description: snapshotLine(segments.latestSnapshot),
                },
                {
                  term: "Tag sync",
                  description: tagSyncLine(segments.tagSync),
                },
              ]}
            />
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
              formatTime(run.startedAt),
              formatTime(run.finishedAt, "running"),
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
                  ? `; ${formatCount(data.jobs.unread)} older jobs were not read`
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
              formatTime(job.createdAt),
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
              formatDuration(job.durationMs),
              job.error ?? "",
            ])}
          />
        </Card>
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              Customer data requests
            </Text>
            <Text as="p" tone="subdued">
              Shopify&apos;s customers/data_request deliveries, newest first. Each export is built
              when downloaded, from what Propel holds then; hand the file to the merchant.
            </Text>
          </BlockStack>
          <DataTable
            columnContentTypes={["text", "text", "numeric", "text", "text"]}
            headings={["Received", "Customer", "Orders requested", "Status", "Export"]}
            rows={data.dataRequests.map((request) => [
              formatTime(request.receivedAt),
              request.customerId ?? "none named",
              request.ordersRequested,
              request.error ? `${request.status}: ${request.error}` : request.status,
              request.customerId ? (
                <Link
                  key={request.id}
                  url={`/ops/shops/${encodeURIComponent(data.domain)}/data-requests/${request.id}.json`}
                >
                  Download JSON
                </Link>
              ) : (
                "nothing to export"
              ),
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
              formatTime(delivery.receivedAt),
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
