import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
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
  TextField,
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

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  return loadSettings(shop.id);
}

export const meta: MetaFunction = () => [{ title: "Settings · Propel" }];

export async function action({ request }: ActionFunctionArgs) {
  const shop = await requireShop(request);
  const checked = await submitSettings(shop, readSettingsForm(await request.formData()));
  if (!checked.ok) return Response.json({ ok: false, errors: checked.errors }, { status: 400 });
  return { ok: true as const, errors: {} as FieldErrors };
}

export default function SettingsPage() {
  const saved = useLoaderData<typeof loader>();
  const result = useActionData<{ ok: boolean; errors: FieldErrors }>();
  const navigation = useNavigation();
  const errors = result?.errors ?? {};
  const { values, setValues, set, field } = useFormFields<SettingsFormValues>(saved, errors);
  const setCell = (r: string, fm: number) => (group: string) =>
    setValues((v) => ({
      ...v,
      rfmGrid: { ...v.rfmGrid, [r]: v.rfmGrid[r].map((g, i) => (i === fm ? group : g)) },
    }));
  const groupOptions = GRID_GROUPS.map((g) => ({ label: humanize(g), value: g }));

  return (
    <Page title="Settings">
      <Form method="post">
        <Layout>
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
                <ChoiceList
                  title="Segment families to tag"
                  name="taggedFamilies"
                  allowMultiple
                  choices={SEGMENT_FAMILIES.map((f) => ({ label: FAMILY_LABELS[f], value: f }))}
                  selected={values.taggedFamilies}
                  onChange={set("taggedFamilies")}
                  error={errors.taggedFamilies}
                />
                <Checkbox
                  label="Send Shopify Flow triggers when customers enter or leave a segment"
                  name="flowTriggers"
                  checked={values.flowTriggers}
                  onChange={set("flowTriggers")}
                />
                <Checkbox
                  label="Write scores (CLV, churn risk, P(alive), propensity) to customer metafields"
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
                      {values.rfmGrid[r].map((group, i) => (
                        <Select
                          key={i}
                          label={`R ${r}, FM ${i + 1}`}
                          name={`rfm-${r}-${i + 1}`}
                          options={groupOptions}
                          value={group}
                          onChange={setCell(r, i)}
                        />
                      ))}
                    </InlineGrid>
                  </fieldset>
                ))}
                {errors.rfmGrid && <InlineError message={errors.rfmGrid} fieldID="rfm-5-1" />}
              </BlockStack>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.AnnotatedSection
            title="Churn risk and spend tiers"
            description="Churn risk bands come from P(alive); spend tiers split customers by predicted lifetime value."
          >
            <Card>
              <FormLayout>
                <FormLayout.Group>
                  <TextField
                    label="High churn risk below P(alive)"
                    {...field("churnHigh")}
                    type="number"
                    step={0.01}
                  />
                  <TextField
                    label="Medium churn risk below P(alive)"
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
                </FormLayout.Group>
              </FormLayout>
            </Card>
          </Layout.AnnotatedSection>
          <Layout.Section>
            <Button submit variant="primary" loading={navigation.state === "submitting"}>
              Save
            </Button>
          </Layout.Section>
        </Layout>
      </Form>
    </Page>
  );
}
