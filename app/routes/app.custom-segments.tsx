import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import {
  Form,
  Link,
  useActionData,
  useFetcher,
  useLoaderData,
  useNavigation,
} from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  DataTable,
  DescriptionList,
  FormLayout,
  InlineError,
  InlineStack,
  Layout,
  List,
  Page,
  Text,
  TextField,
} from "@shopify/polaris";
import { memo, useCallback, useEffect, useState } from "react";
import { CUSTOM_SEGMENT_LIMITS } from "~/admin/custom-segment-limits";
import {
  deleteCustomSegment,
  loadCustomSegments,
  previewRule,
  saveCustomSegment,
  setCustomTagging,
  type PreviewResult,
  type RuleProblem,
} from "~/admin/custom-segments.server";
import { requireShop } from "~/admin/shop-context.server";
import {
  formatCount,
  formatDateTime,
  formatMoney,
  formatShare,
  humanize,
} from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Custom segments · Propel" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  return { currency: shop.currencyCode, ...(await loadCustomSegments(shop.id)) };
}

type ActionResult =
  | { intent: "preview"; preview: PreviewResult }
  | { intent: "save" | "delete" | "tagging"; ok: true; name?: string }
  | { intent: "save" | "delete"; ok: false; errors: Record<string, string> };

export async function action({ request }: ActionFunctionArgs): Promise<ActionResult> {
  const shop = await requireShop(request);
  const form = await request.formData();
  const text = (name: string) => String(form.get(name) ?? "");
  switch (text("intent")) {
    case "preview":
      return { intent: "preview", preview: await previewRule(shop, text("rule")) };
    case "save": {
      const saved = await saveCustomSegment(shop, {
        name: text("name"),
        rule: text("rule"),
        previousName: text("previousName") || undefined,
      });
      return saved.ok
        ? { intent: "save", ok: true, name: saved.name }
        : { intent: "save", ok: false, errors: saved.errors };
    }
    case "delete": {
      const deleted = await deleteCustomSegment(shop, text("name"));
      return deleted.ok
        ? { intent: "delete", ok: true, name: deleted.name }
        : { intent: "delete", ok: false, errors: deleted.errors };
    }
    case "tagging":
      await setCustomTagging(shop, form.get("tagged") === "true");
      return { intent: "tagging", ok: true };
    default:
      throw new Response("Unknown intent", { status: 400 });
  }
}

// A preview reads; it changes nothing the page shows, so it does not reload the page's data.
export const shouldRevalidate: ShouldRevalidateFunction = ({
  formData,
  defaultShouldRevalidate,
}) => (formData?.get("intent") === "preview" ? false : defaultShouldRevalidate);

const EXAMPLE = "churnRisk = HIGH AND clv12m > 100";
const PREVIEW_DELAY_MS = 350;

export default function CustomSegmentsPage() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const [editing, setEditing] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [rule, setRule] = useState(EXAMPLE);
  const preview = useFetcher<typeof action>();

  // After a save the editor starts over for the next segment.
  useEffect(() => {
    if (result && result.intent === "save" && result.ok) {
      setEditing(null);
      setName("");
      setRule(EXAMPLE);
    }
  }, [result]);

  // Live preview: the rule is checked and counted a moment after the merchant stops typing.
  const { submit } = preview;
  useEffect(() => {
    const timer = setTimeout(
      () => submit({ intent: "preview", rule }, { method: "post" }),
      PREVIEW_DELAY_MS,
    );
    return () => clearTimeout(timer);
  }, [rule, submit]);

  const previewed =
    preview.data && preview.data.intent === "preview" ? preview.data.preview : undefined;
  const problem = previewed && !previewed.ok ? previewed.error : undefined;
  const saveErrors = result && result.intent === "save" && !result.ok ? result.errors : {};
  const deleteErrors = result && result.intent === "delete" && !result.ok ? result.errors : {};

  const startEditing = useCallback((segment: { name: string; rule: string }) => {
    setEditing(segment.name);
    setName(segment.name);
    setRule(segment.rule);
  }, []);

  return (
    <Page
      title="Custom segments"
      subtitle="Write your own segment as a rule over the scores Propel computes"
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {result && "ok" in result && result.ok && result.intent !== "tagging" ? (
              <Banner
                tone="success"
                title={result.intent === "save" ? "Segment saved" : "Segment deleted"}
              >
                <p>
                  Segments are being recomputed: the segment&apos;s members
                  {data.tagged ? ", tags and Flow triggers" : " and Flow triggers"} follow in a
                  moment.
                </p>
              </Banner>
            ) : null}
            {deleteErrors.form ? (
              <Banner tone="critical" title="The segment was not deleted">
                <p>{deleteErrors.form}</p>
              </Banner>
            ) : null}
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {editing ? `Edit “${editing}”` : "New segment"}
                </Text>
                <Form method="post" noValidate>
                  <input type="hidden" name="intent" value="save" />
                  <input type="hidden" name="previousName" value={editing ?? ""} />
                  <FormLayout>
                    <TextField
                      label="Name"
                      name="name"
                      value={name}
                      onChange={setName}
                      autoComplete="off"
                      placeholder="vip-at-risk"
                      error={saveErrors.name}
                      helpText={`Lowercase letters, digits and hyphens; the tag will be ${data.tagPrefix}:segment-${name || "<name>"}.`}
                    />
                    <TextField
                      label="Rule"
                      name="rule"
                      value={rule}
                      onChange={setRule}
                      multiline={3}
                      monospaced
                      autoComplete="off"
                      maxLength={CUSTOM_SEGMENT_LIMITS.ruleLength}
                      error={saveErrors.rule}
                      helpText="Conditions joined with AND, OR, NOT and parentheses; the fields are listed below."
                    />
                    {problem ? <RuleErrorPointer rule={rule} problem={problem} /> : null}
                    {previewed && previewed.ok ? (
                      <PreviewSummary preview={previewed} currency={data.currency} />
                    ) : null}
                    {saveErrors.form ? (
                      <InlineError message={saveErrors.form} fieldID="rule" />
                    ) : null}
                    <InlineStack gap="200">
                      <Button
                        submit
                        variant="primary"
                        loading={busy}
                        disabled={problem !== undefined}
                      >
                        {editing ? "Save changes" : "Save segment"}
                      </Button>
                      {editing ? (
                        <Button
                          onClick={() => {
                            setEditing(null);
                            setName("");
                            setRule(EXAMPLE);
                          }}
                        >
                          Cancel
                        </Button>
                      ) : null}
                    </InlineStack>
                  </FormLayout>
                </Form>
              </BlockStack>
            </Card>
            <MemoSavedSegments segments={data.segments} onEdit={startEditing} busy={busy} />
            <Card>
              <Form method="post">
                <input type="hidden" name="intent" value="tagging" />
                <input type="hidden" name="tagged" value={data.tagged ? "false" : "true"} />
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">
                    Tags in Shopify
                  </Text>
                  <Text as="p">
                    {data.tagged
                      ? "Custom segments are tagged, like the families chosen in Settings."
                      : "Custom segments are not tagged; their members still fire Flow triggers and have a segment page."}
                  </Text>
                  <InlineStack>
                    <Button submit loading={busy}>
                      {data.tagged ? "Stop tagging custom segments" : "Tag custom segments"}
                    </Button>
                  </InlineStack>
                </BlockStack>
              </Form>
            </Card>
          </BlockStack>
        </Layout.Section>
        <Layout.Section variant="oneThird">
          <RuleGuide currency={data.currency} recomputedAt={data.recomputedAt} />
        </Layout.Section>
        <Layout.Section>
          <FieldList fields={data.fields} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/*
 * The parts of the page that do not change while the merchant types are memoized: re-rendered
 * with the rule on every key press (the field list alone is ~30 entries), they took the key's
 * next paint over the 200 ms INP limit on a laptop-class CPU (test/bench/vitals.bench.ts).
 */
const RuleGuide = memo(function RuleGuide({
  currency,
  recomputedAt,
}: {
  currency: string;
  recomputedAt: Parameters<typeof formatDateTime>[0];
}) {
  return (
    <BlockStack gap="400">
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Writing a rule
          </Text>
          <List>
            <List.Item>
              Compare a field: <code>clv12m &gt; 200</code>, <code>churnRisk = HIGH</code>,{" "}
              <code>orders &gt;= 3</code>.
            </List.Item>
            <List.Item>
              Lists and text: <code>rfmGroup IN (CHAMPIONS, LOYAL)</code>,{" "}
              <code>tags CONTAINS &quot;vip&quot;</code>.
            </List.Item>
            <List.Item>
              Missing values: <code>pAlive IS NULL</code>. A condition on a missing value is neither
              true nor false, so such customers are left out.
            </List.Item>
            <List.Item>Money is in {currency}, times in days.</List.Item>
          </List>
        </BlockStack>
      </Card>
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            Limits
          </Text>
          <List>
            <List.Item>
              Up to {CUSTOM_SEGMENT_LIMITS.segments} custom segments, rules of up to{" "}
              {formatCount(CUSTOM_SEGMENT_LIMITS.ruleLength)} characters, names of up to{" "}
              {CUSTOM_SEGMENT_LIMITS.nameLength} characters.
            </List.Item>
            <List.Item>
              The preview counts customers over the scores of the last recompute (
              {formatDateTime(recomputedAt)}); the saved segment is recomputed with fresh scores.
            </List.Item>
            <List.Item>
              Customer metafields (<code>metafield.namespace.key</code>) are not read by the app
              yet, so conditions on them treat every customer as missing the value.
            </List.Item>
            <List.Item>
              Renaming a segment changes its tag: customers lose the old tag and get the new one,
              and Flow sees them leave and enter.
            </List.Item>
          </List>
        </BlockStack>
      </Card>
    </BlockStack>
  );
});

const FieldList = memo(function FieldList({
  fields,
}: {
  fields: { name: string; type: string; description: string }[];
}) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Fields
        </Text>
        {/* A description list wraps long meanings; a data table would scroll sideways. */}
        <DescriptionList
          items={fields.map((f) => ({
            term: (
              <>
                <code>{f.name}</code>{" "}
                <Text as="span" tone="subdued">
                  {f.type}
                </Text>
              </>
            ),
            description: f.description,
          }))}
        />
      </BlockStack>
    </Card>
  );
});

/** The rule's offending line with a caret under the position, and what is wrong there. */
function RuleErrorPointer({ rule, problem }: { rule: string; problem: RuleProblem }) {
  const line = rule.split("\n")[problem.line - 1] ?? "";
  return (
    <div role="alert" aria-label="Rule error">
      <BlockStack gap="100">
        <Box background="bg-surface-critical" padding="200" borderRadius="200">
          <pre style={{ margin: 0, fontSize: 13, whiteSpace: "pre-wrap" }}>
            {line}
            {"\n"}
            {" ".repeat(Math.max(0, problem.column - 1))}^
          </pre>
        </Box>
        <InlineError
          message={`Line ${problem.line}, column ${problem.column}: ${problem.detail}`}
          fieldID="rule"
        />
      </BlockStack>
    </div>
  );
}

function PreviewSummary({
  preview,
  currency,
}: {
  preview: Extract<PreviewResult, { ok: true }>;
  currency: string;
}) {
  const share = preview.totalCustomers > 0 ? preview.customers / preview.totalCustomers : 0;
  return (
    <section aria-label="Preview">
      <BlockStack gap="200">
        <Text as="p" variant="headingSm">
          <span data-testid="preview-count">{formatCount(preview.customers)}</span> of{" "}
          {formatCount(preview.totalCustomers)} customers match ({formatShare(share, 1)})
        </Text>
        {preview.sample.length > 0 ? (
          <DataTable
            columnContentTypes={["text", "numeric", "numeric", "text", "text"]}
            headings={["Customer", "Orders", "Total spent", "RFM group", "Churn risk"]}
            rows={preview.sample.map((c) => [
              <Link key="c" to={`/app/customers/${c.id}`}>
                {c.name}
              </Link>,
              c.orders,
              formatMoney(c.totalSpentMinor, currency),
              humanize(c.rfmGroup),
              c.churnRisk ? humanize(c.churnRisk) : "—",
            ])}
            footerContent={`A sample of up to ${CUSTOM_SEGMENT_LIMITS.sample}, highest spend first.`}
          />
        ) : null}
      </BlockStack>
    </section>
  );
}

function SavedSegments({
  segments,
  onEdit,
  busy,
}: {
  segments: {
    name: string;
    rule: string;
    key: string;
    tag: string;
    customers: number | null;
  }[];
  onEdit: (segment: { name: string; rule: string }) => void;
  busy: boolean;
}) {
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          Saved segments
        </Text>
        {segments.length === 0 ? (
          <Text as="p" tone="subdued">
            No custom segments yet. Write a rule above and save it.
          </Text>
        ) : (
          <DataTable
            columnContentTypes={["text", "text", "numeric", "text", "text"]}
            headings={["Segment", "Rule", "Customers", "Tag", ""]}
            rows={segments.map((s) => [
              <Link key="link" to={`/app/segments/${encodeURIComponent(s.key)}`}>
                {s.name}
              </Link>,
              <code key="rule" style={{ whiteSpace: "pre-wrap" }}>
                {s.rule}
              </code>,
              s.customers === null ? "after recompute" : formatCount(s.customers),
              <code key="tag">{s.tag}</code>,
              <InlineStack key="actions" gap="200" wrap={false}>
                <Button onClick={() => onEdit(s)} accessibilityLabel={`Edit ${s.name}`}>
                  Edit
                </Button>
                <Form method="post">
                  <input type="hidden" name="intent" value="delete" />
                  <input type="hidden" name="name" value={s.name} />
                  <Button
                    submit
                    tone="critical"
                    loading={busy}
                    accessibilityLabel={`Delete ${s.name}`}
                  >
                    Delete
                  </Button>
                </Form>
              </InlineStack>,
            ])}
          />
        )}
      </BlockStack>
    </Card>
  );
}

// Memoized for the same reason as RuleGuide; `onEdit` keeps its identity across key presses.
const MemoSavedSegments = memo(SavedSegments);
