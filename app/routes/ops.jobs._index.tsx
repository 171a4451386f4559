import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Button,
  Card,
  IndexTable,
  Link,
  Page,
  Text,
} from "@shopify/polaris";
import { queues } from "~/jobs/producer.server";
import { DEFAULT_JOB_OPTIONS } from "~/jobs/queues";
import { recordOpsAccess } from "~/ops/audit.server";
import { requireOpsAction, requireOpsUser } from "~/ops/auth.server";
import { formatCount, formatDays } from "~/ops/format";
import { JOB_STATES, queueOverview, runJobAction } from "~/ops/jobs.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOpsUser(request);
  return { queues: await queueOverview(queues()), states: JOB_STATES };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireOpsAction(request);
  await recordOpsAccess(request, user, { action: "job-action" });
  const result = await runJobAction(queues(), await request.formData());
  if (!result.ok) return data({ error: result.error }, { status: result.status });
  return redirect("/ops/jobs");
}

const { removeOnComplete, removeOnFail } = DEFAULT_JOB_OPTIONS;

const STATE_LABELS: Record<string, string> = {
  waiting: "Waiting",
  prioritized: "Prioritized",
  delayed: "Delayed",
  active: "Active",
  "waiting-children": "Waiting children",
  completed: "Completed",
  failed: "Failed",
};

export default function OpsJobs() {
  const { queues, states } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <Page
      title="Propel ops: jobs"
      backAction={{ content: "Shops", url: "/ops" }}
      subtitle="BullMQ queues shared by the web process and the workers"
      fullWidth
    >
      <BlockStack gap="400">
        {actionData?.error ? <Banner tone="critical">{actionData.error}</Banner> : null}
        <Card padding="0">
          <IndexTable
            resourceName={{ singular: "queue", plural: "queues" }}
            itemCount={queues.length}
            selectable={false}
            headings={[
              { title: "Queue" },
              { title: "Status" },
              ...states.map((state) => ({
                title: STATE_LABELS[state] ?? state,
                alignment: "end" as const,
              })),
              { title: "" },
            ]}
          >
            {queues.map((queue, index) => (
              <IndexTable.Row id={queue.name} key={queue.name} position={index}>
                <IndexTable.Cell>
                  <Link url={`/ops/jobs/${queue.name}`}>{queue.name}</Link>
                </IndexTable.Cell>
                <IndexTable.Cell>
                  {queue.paused ? (
                    <Badge tone="warning">Paused</Badge>
                  ) : (
                    <Badge tone="success">Running</Badge>
                  )}
                </IndexTable.Cell>
                {states.map((state) => (
                  <IndexTable.Cell key={state}>
                    <Text
                      as="span"
                      alignment="end"
                      tone={state === "failed" && queue.counts[state] > 0 ? "critical" : undefined}
                    >
                      <Link
                        url={`/ops/jobs/${queue.name}?state=${state}`}
                        accessibilityLabel={`${queue.counts[state]} ${state} jobs in ${queue.name}`}
                      >
                        {formatCount(queue.counts[state])}
                      </Link>
                    </Text>
                  </IndexTable.Cell>
                ))}
                <IndexTable.Cell>
                  <Form method="post">
                    <input type="hidden" name="queue" value={queue.name} />
                    <input type="hidden" name="intent" value={queue.paused ? "resume" : "pause"} />
                    <Button
                      submit
                      size="slim"
                      accessibilityLabel={`${queue.paused ? "Resume" : "Pause"} ${queue.name}`}
                    >
                      {queue.paused ? "Resume" : "Pause"}
                    </Button>
                  </Form>
                </IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </Card>
        <Text as="p" tone="subdued">
          Pausing a queue stops workers from starting its jobs; running jobs finish and new jobs
          keep being added. Completed jobs are kept {formatDays(removeOnComplete.age)} (at most{" "}
          {formatCount(removeOnComplete.count)} per queue), failed jobs{" "}
          {formatDays(removeOnFail.age)}.
        </Text>
      </BlockStack>
    </Page>
  );
}
