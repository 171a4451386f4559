import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { memo, useState, type Dispatch, type SetStateAction } from "react";
import {
  Banner,
  BlockStack,
  Card,
  Checkbox,
  ChoiceList,
  FormLayout,
  InlineError,
  InlineGrid,
  Layout,
  Page,
  Select,
  Text,
  TextField as PolarisTextField,
} from "@shopify/polaris";
import { loadSettings, readSettingsForm, submitSettings } from "~/admin/settings.server";
import type { FieldErrors, SettingsFormValues } from "~/admin/settings.server";
import { requireShop } from "~/admin/shop-context.server";
import { humanize } from "~/components/format";
import { FAMILY_LABELS, SEGMENT_FAMILIES } from "~/segmentation/catalog";
import { RFM_GROUPS } from "~/segmentation/rfm";
import { useFormFields } from "~/components/useFormFields";

/** PROSPECTS is reserved for customers without orders, so no grid cell may hold it. */
const GRID_GROUPS = RFM_GROUPS.filter((g) => g !== "PROSPECTS");
const GROUP_OPTIONS = GRID_GROUPS.map((g) => ({ label: humanize(g), value: g }));
const FAMILY_CHOICES = SEGMENT_FAMILIES.map((f) => ({ label: FAMILY_LABELS[f], value: f }));

/*
 * Typing into one field re-rendered the whole form, 25 grid selects included, and each key's
 * next paint came past the 200 ms INP limit on a laptop-class CPU (test/bench/vitals.bench.ts).
 * The fields' handlers are stable (useFormFields), so a field that did not change skips it.
 */
const TextField = memo(PolarisTextField);
const MemoChoiceList = memo(ChoiceList);
const MemoCheckbox = memo(Checkbox);

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  return loadSettings(shop.id);
}

export const meta: MetaFunction = () => [{ title: "Settings · Propel" }];

export async function action({ request }: ActionFunctionArgs) {
  const shop = await requireShop(request);
  const checked = await submitSettings(shop, readSettingsForm(await request.formData()));
  // A refused form is an answer shown next to its fields, not a failed request: a 4xx would
  // also put "Failed to load resource" in the merchant's console.
  if (!checked.ok) return { ok: false as const, errors: checked.errors };
  return { ok: true as const, errors: {} as FieldErrors };
}

/** A refused form saved nothing, so there is nothing to load again. */
export const shouldRevalidate: ShouldRevalidateFunction = ({
  actionResult,
  defaultShouldRevalidate,
}) =>
  (actionResult as { ok?: boolean } | undefined)?.ok === false ? false : defaultShouldRevalidate;

export default function SettingsPage() {
  const saved = useLoaderData<typeof loader>();
  const result = useActionData<{ ok: boolean; errors: FieldErrors }>();
  const errors = result?.errors ?? {};
  const { values, setValues, set, field } = useFormFields<SettingsFormValues>(saved, errors);
  const [fieldsKey, setFieldsKey] = useState(0);
  // The save bar's Discard resets the form. A native reset puts each field back to the value
  // it was first rendered with, which is not the last saved one after a save, and React would
  // then disagree with the page: the fields are rendered again, afresh from the saved values.
  const discard = () => {
    setValues(saved);
    setFieldsKey((k) => k + 1);
  };

  return (
    <Page title="Settings">
      {/* App Bridge shows the admin's contextual save bar while the form differs from what was
          loaded: its Save submits the form (through Remix's Form), its Discard resets it. */}
      <Form method="post" data-save-bar onReset={discard}>
        <Layout key={fieldsKey}>
          <Layout.Section>
            {result?.ok && (
              <Banner tone="success" title="Settings saved">
                <p>Segments are being recomputed with the new settings.</p>
              </Banner>
            )}
            {result && !result.ok && (
              <Banner tone="critical" title="Some settings need attention">
                <p>{errors.form ?? "Fix the fields marked below, then save again."}</p>
              </Banner>
            )}
          </Layout.Section>
          <Layout.AnnotatedSection
            title="Customer tags"
            description="Propel tags each customer with their segments, so Shopify Email, Flow and other apps can use them."
          >
            <Card>
              <FormLayout>
                <TextField
                  label="Tag prefix"
                  {...field("tagPrefix")}
                  helpText={`Tags look like ${values.tagPrefix || "propel"}:champions.`}
                />
                <MemoChoiceList
                  title="Segment families to tag"
                  name="taggedFamilies"
                  allowMultiple
                  choices={FAMILY_CHOICES}
                  selected={values.taggedFamilies}
                  onChange={set("taggedFamilies")}
                  error={errors.taggedFamilies}
                />
                <MemoCheckbox
                  label="Send Shopify Flow triggers when customers enter or leave a segment"
                  name="flowTriggers"
                  checked={values.flowTriggers}
                  onChange={set("flowTriggers")}
                />
                <MemoCheckbox
                  label="Write scores (CLV, churn risk and score, P(alive), propensity, next order date) to customer metafields"
                  name="writeMetafields"
                  checked={values.writeMetafields}
                  onChange={set("writeMetafields")}
                />
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection
            title="RFM grid"
            description="Each customer gets a recency score (R) and a combined frequency and monetary score (FM) from 1 to 5; the grid names the group for each pair."
          >
            <RfmGridCard grid={values.rfmGrid} error={errors.rfmGrid} setValues={setValues} />
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection
            title="Churn risk and spend tiers"
            description="Churn risk compares a customer's chance of ordering within the shop's churn horizon with that of a customer who has just ordered: high risk below the first share of it, medium below the second. Spend tiers split customers by predicted lifetime value."
          >
            <Card>
              <FormLayout>
                <FormLayout.Group>
                  <TextField
                    label="High churn risk below (share of a new buyer's chance)"
                    {...field("churnHigh")}
                    type="number"
                    step={0.01}
                  />
                  <TextField
                    label="Medium churn risk below (share of a new buyer's chance)"
                    {...field("churnMedium")}
                    type="number"
                    step={0.01}
                  />
                </FormLayout.Group>
                <FormLayout.Group>
                  <TextField
                    label="High spend tier: top share of customers"
                    {...field("spendHighPercent")}
                    type="number"
                    suffix="%"
                  />
                  <TextField
                    label="Medium spend tier: next share of customers"
                    {...field("spendMediumPercent")}
                    type="number"
                    suffix="%"
                  />
                </FormLayout.Group>
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection
            title="Predictions"
            description="How far ahead expected purchases and lifetime value look, and how future revenue is discounted."
          >
            <Card>
              <FormLayout>
                <FormLayout.Group>
                  <TextField
                    label="Expected purchases horizon"
                    {...field("forecastDays")}
                    type="number"
                    suffix="days"
                  />
                  <TextField
                    label="Lifetime value horizon"
                    {...field("clvMonths")}
                    type="number"
                    suffix="months"
                  />
                  <TextField
                    label="Monthly discount rate"
                    {...field("discountRatePercent")}
                    type="number"
                    step={0.1}
                    suffix="%"
                  />
                  <TextField
                    label="Gross margin"
                    {...field("marginPercent")}
                    type="number"
                    step={1}
                    suffix="%"
                    helpText="For margin CLV where products have no cost recorded in Shopify."
                  />
                </FormLayout.Group>
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
        </Layout>
      </Form>
    </Page>
  );
}

const RfmGridCard = memo(function RfmGridCard({
  grid,
  error,
  setValues,
}: {
  grid: SettingsFormValues["rfmGrid"];
  error: string | undefined;
  setValues: Dispatch<SetStateAction<SettingsFormValues>>;
}) {
  const setCell = (r: string, fm: number) => (group: string) =>
    setValues((v) => ({
      ...v,
      rfmGrid: { ...v.rfmGrid, [r]: v.rfmGrid[r].map((g, i) => (i === fm ? group : g)) },
    }));
  return (
    <Card>
      <BlockStack gap="300">
        {(["5", "4", "3", "2", "1"] as const).map((r) => (
          <fieldset key={r} style={{ border: 0, margin: 0, padding: 0 }}>
            <legend>
              <Text as="span" fontWeight="semibold">
                Recency score {r}
              </Text>
            </legend>
            <InlineGrid columns={{ xs: 2, md: 5 }} gap="200">
              {grid[r].map((group, i) => (
                <Select
                  key={i}
                  label={`R ${r}, FM ${i + 1}`}
                  name={`rfm-${r}-${i + 1}`}
                  options={GROUP_OPTIONS}
                  value={group}
                  onChange={setCell(r, i)}
                />
              ))}
            </InlineGrid>
          </fieldset>
        ))}
        {error && <InlineError message={error} fieldID="rfm-5-1" />}
      </BlockStack>
    </Card>
  );
});
