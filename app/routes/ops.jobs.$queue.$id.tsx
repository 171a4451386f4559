import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  DescriptionList,
  InlineStack,
  Layout,
  Link,
  Page,
  Text,
} from "@shopify/polaris";
import type { ReactNode } from "react";
import { queues } from "~/jobs/producer.server";
import { recordOpsAccess } from "~/ops/audit.server";
import { requireOpsAction, requireOpsUser } from "~/ops/auth.server";
import { formatDuration, formatTime } from "~/ops/format";
import { jobDetail, parseJobId, parseQueueName, runJobAction } from "~/ops/jobs.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOpsUser(request);
  return jobDetail(queues(), parseQueueName(params.queue), parseJobId(params.id));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireOpsAction(request);
  await recordOpsAccess(request, user, { action: "job-action" });
  const name = parseQueueName(params.queue);
  const id = parseJobId(params.id);
  const result = await runJobAction(queues(), await request.formData(), { queue: name, id });
  if (!result.ok) return data({ error: result.error }, { status: result.status });
  if (result.intent === "remove") return redirect(`/ops/jobs/${name}?state=${result.from}`);
  return redirect(`/ops/jobs/${name}/${encodeURIComponent(id)}`);
}

const time = (iso: string | null) => formatTime(iso, "—");
const duration = (ms: number | null) => formatDuration(ms, "—");

const TONES: Record<string, "critical" | "success" | "info" | "attention" | undefined> = {
  failed: "critical",
  completed: "success",
  active: "info",
  delayed: "attention",
};

function Code({ children }: { children: ReactNode }) {
  return (
    <Box background="bg-surface-secondary" padding="300" borderRadius="200" overflowX="scroll">
      <pre style={{ margin: 0, fontSize: 12, lineHeight: 1.5, whiteSpace: "pre" }}>{children}</pre>
    </Box>
  );
}

export default function OpsJob() {
  const job = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <Page
      title={`${job.queue} job ${job.id}`}
      subtitle={job.name}
      backAction={{ content: job.queue, url: `/ops/jobs/${job.queue}?state=${job.state}` }}
      titleMetadata={<Badge tone={TONES[job.state]}>{job.state}</Badge>}
      fullWidth
    >
      <Layout>
        {actionData?.error ? (
          <Layout.Section>
            <Banner tone="critical">{actionData.error}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="400">
            {job.failedReason ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    Error
                  </Text>
                  <Text as="p" tone="critical" breakWord>
                    {job.failedReason}
                  </Text>
                </BlockStack>
              </Card>
            ) : null}
            {job.stacktrace.length > 0 ? (
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    Stack traces, one per failed attempt
                  </Text>
                  {job.stacktrace.map((trace, index) => (
                    <BlockStack gap="100" key={index}>
                      <Text as="h3" variant="headingSm">
                        Failure {index + 1}
                      </Text>
                      <Code>{trace}</Code>
                    </BlockStack>
                  ))}
                </BlockStack>
              </Card>
            ) : null}
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Payload
                </Text>
                <Code>{job.payload ?? "none"}</Code>
              </BlockStack>
            </Card>
            {job.returnValue !== null ? (
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    Return value
                  </Text>
                  <Code>{job.returnValue}</Code>
                </BlockStack>
              </Card>
            ) : null}
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  Options
                </Text>
                <Code>{job.options ?? "{}"}</Code>
              </BlockStack>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <BlockStack gap="400">
            {job.canRetry || job.canRemove ? (
              <Card>
                <InlineStack gap="200">
                  {job.canRetry ? (
                    <Form method="post">
                      <input type="hidden" name="intent" value="retry" />
                      <Button submit variant="primary">
                        Retry
                      </Button>
                    </Form>
                  ) : null}
                  {job.canRemove ? (
                    <Form method="post">
                      <input type="hidden" name="intent" value="remove" />
                      <Button submit tone="critical">
                        Remove
                      </Button>
                    </Form>
                  ) : null}
                </InlineStack>
              </Card>
            ) : null}
            <Card>
              <DescriptionList
                items={[
                  {
                    term: "Shop",
                    description: job.shopDomain ? (
                      <Link url={`/ops/shops/${job.shopDomain}`}>{job.shopDomain}</Link>
                    ) : (
                      "—"
                    ),
                  },
                  { term: "Added", description: time(job.createdAt) },
                  { term: "Last started", description: time(job.processedAt) },
                  { term: "Finished", description: time(job.finishedAt) },
                  { term: "Duration of last run", description: duration(job.durationMs) },
                  {
                    term: "Attempts",
                    description: `${job.attemptsMade} made of ${job.attemptsAllowed} allowed (${job.attemptsStarted} started)`,
                  },
                  { term: "Stalled", description: `${job.stalledCounter} times` },
                  { term: "Delay", description: duration(job.delayMs || null) },
                ]}
              />
            </Card>
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
