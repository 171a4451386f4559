import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  ButtonGroup,
  Card,
  IndexTable,
  InlineStack,
  Link,
  Page,
  Pagination,
  Text,
} from "@shopify/polaris";
import { queues } from "~/jobs/producer.server";
import { recordOpsAccess } from "~/ops/audit.server";
import { requireOpsAction, requireOpsUser } from "~/ops/auth.server";
import { formatCount, formatDuration, formatTime } from "~/ops/format";
import {
  JOB_STATES,
  jobPage,
  parsePage,
  parseQueueName,
  parseState,
  runJobAction,
} from "~/ops/jobs.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOpsUser(request);
  const name = parseQueueName(params.queue);
  const url = new URL(request.url);
  const state = parseState(url.searchParams.get("state"));
  const page = parsePage(url.searchParams.get("page"));
  return { ...(await jobPage(queues(), name, state, page)), states: JOB_STATES };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireOpsAction(request);
  await recordOpsAccess(request, user, { action: "job-action" });
  const name = parseQueueName(params.queue);
  const result = await runJobAction(queues(), await request.formData(), { queue: name });
  if (!result.ok) return data({ error: result.error }, { status: result.status });
  const url = new URL(request.url);
  url.searchParams.delete("index");
  return redirect(`${url.pathname}${url.search}`);
}

function JobButton(props: { intent: "retry" | "remove"; id: string; label: string }) {
  return (
    <Form method="post">
      <input type="hidden" name="intent" value={props.intent} />
      <input type="hidden" name="id" value={props.id} />
      <Button
        submit
        size="slim"
        tone={props.intent === "remove" ? "critical" : undefined}
        accessibilityLabel={`${props.label} job ${props.id}`}
      >
        {props.label}
      </Button>
    </Form>
  );
}

export default function OpsQueue() {
  const page = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const base = `/ops/jobs/${page.queue}`;
  const pageUrl = (number: number) => `${base}?state=${page.state}&page=${number}`;
  const first = page.total === 0 ? 0 : (page.page - 1) * page.pageSize + 1;
  const last = Math.min(page.page * page.pageSize, page.total);
  return (
    <Page
      title={`Queue ${page.queue}`}
      backAction={{ content: "Jobs", url: "/ops/jobs" }}
      titleMetadata={
        page.paused ? <Badge tone="warning">Paused</Badge> : <Badge tone="success">Running</Badge>
      }
      fullWidth
    >
      <BlockStack gap="400">
        {actionData?.error ? <Banner tone="critical">{actionData.error}</Banner> : null}
        <InlineStack gap="400" align="space-between" blockAlign="center">
          <ButtonGroup variant="segmented">
            {page.states.map((state) => (
              <Button key={state} url={`${base}?state=${state}`} pressed={state === page.state}>
                {`${state} (${formatCount(page.counts[state])})`}
              </Button>
            ))}
          </ButtonGroup>
          <Form method="post">
            <input type="hidden" name="intent" value={page.paused ? "resume" : "pause"} />
            <Button submit>{page.paused ? "Resume queue" : "Pause queue"}</Button>
          </Form>
        </InlineStack>
        <Card padding="0">
          <IndexTable
            resourceName={{ singular: "job", plural: "jobs" }}
            itemCount={page.jobs.length}
            selectable={false}
            emptyState={
              <Text as="p" alignment="center" tone="subdued">
                No {page.state} jobs in {page.queue}.
              </Text>
            }
            headings={[
              { title: "Job" },
              { title: "Name" },
              { title: "Shop" },
              { title: "Added" },
              { title: "Finished" },
              { title: "Duration" },
              { title: "Attempts" },
              { title: "Error" },
              { title: "" },
            ]}
          >
            {page.jobs.map((job, index) => (
              <IndexTable.Row id={job.id} key={job.id} position={index}>
                <IndexTable.Cell>
                  <Link url={`${base}/${encodeURIComponent(job.id)}`}>{job.id}</Link>
                </IndexTable.Cell>
                <IndexTable.Cell>{job.name}</IndexTable.Cell>
                <IndexTable.Cell>
                  {job.shopDomain ? (
                    <Link url={`/ops/shops/${job.shopDomain}`}>{job.shopDomain}</Link>
                  ) : null}
                </IndexTable.Cell>
                <IndexTable.Cell>{formatTime(job.createdAt)}</IndexTable.Cell>
                <IndexTable.Cell>{formatTime(job.finishedAt)}</IndexTable.Cell>
                <IndexTable.Cell>{formatDuration(job.durationMs)}</IndexTable.Cell>
                <IndexTable.Cell>
                  {job.attemptsMade} / {job.attemptsAllowed}
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" tone="critical" breakWord>
                    {job.error ?? ""}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <InlineStack gap="200" wrap={false}>
                    {job.state === "failed" ? (
                      <JobButton intent="retry" id={job.id} label="Retry" />
                    ) : null}
                    {job.state !== "active" ? (
                      <JobButton intent="remove" id={job.id} label="Remove" />
                    ) : null}
                  </InlineStack>
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </Card>
        <InlineStack align="center">
          <Pagination
            hasPrevious={page.hasPrevious}
            previousURL={page.hasPrevious ? pageUrl(page.page - 1) : undefined}
            hasNext={page.hasNext}
            nextURL={page.hasNext ? pageUrl(page.page + 1) : undefined}
            label={`${first}–${last} of ${formatCount(page.total)}, newest first`}
          />
        </InlineStack>
      </BlockStack>
    </Page>
  );
}
