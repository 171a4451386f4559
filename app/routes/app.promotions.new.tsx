import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigate, useNavigation } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  Checkbox,
  FormLayout,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { requireShop } from "~/admin/shop-context.server";
import { formatCount, formatMoney, formatShare } from "~/components/format";
import { createPromotion } from "~/promotions/create.server";
import {
  defaultFormValues,
  formValues,
  MAX_HOLDOUT_PERCENT,
  parsePromotionForm,
  type FieldErrors,
  type PromotionFormValues,
} from "~/promotions/form";
import { loadSegmentSuggestions, segmentPromotionStats } from "~/promotions/suggestions.server";
import { segmentDefinition } from "~/segmentation/catalog";
import { CLV_SHARE_FOR_DISCOUNT, PROMOTION_KIND_LABELS } from "~/segmentation/promotions";
import { useFormFields } from "~/components/useFormFields";

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  const params = new URL(request.url).searchParams;
  const stats = await segmentPromotionStats(shop.id, shop.currencyCode);
  const segments = [...stats.entries()]
    .filter(([, s]) => s.customers > 0)
    .map(([key, s]) => ({
      key,
      label: segmentDefinition(key)?.label ?? key,
      customers: s.customers,
    }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const requested = params.get("segment") ?? "";
  const segmentKey = segmentDefinition(requested) ? requested : "";
  const segment = segmentKey
    ? await loadSegmentSuggestions(shop.id, shop.currencyCode, segmentKey)
    : null;
  const discountable = segment?.suggestions.filter((s) => s.discountPercent !== null) ?? [];
  const suggestion =
    discountable.find((s) => s.id === params.get("playbook")) ?? discountable[0] ?? undefined;
  return {
    currency: shop.currencyCode,
    segments,
    segment,
    playbooks: discountable,
    defaults: defaultFormValues(segmentKey, suggestion),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const shop = await requireShop(request);
  const values = formValues(await request.formData());
  const parsed = parsePromotionForm(values);
  if (!parsed.ok) return { values, errors: parsed.errors };
  const created = await createPromotion(shop, parsed.input);
  if (!created.ok) return { values, errors: created.errors };
  return redirect(`/app/promotions/${created.promotionId}`);
}

export default function NewPromotionPage() {
  const { segments, segment, playbooks, defaults, currency } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigate = useNavigate();
  const busy = useNavigation().state === "submitting";
  const errors: FieldErrors = actionData?.errors ?? {};
  // A new segment or playbook reloads the page with fresh suggestions: remount the form.
  const initial = actionData?.values ?? defaults;
  const formKey = `${defaults.segmentKey}|${defaults.playbook}`;

  return (
    <Page
      title="New promotion"
      backAction={{ content: "Promotions", url: "/app/promotions" }}
      subtitle="Creates a discount code in your store that only the targeted customers can use"
    >
      <Layout>
        <Layout.Section>
          <BlockStack gap="400">
            {errors.form ? (
              <Banner tone="critical" title="The promotion was not created">
                <p>{errors.form}</p>
              </Banner>
            ) : null}
            <Card>
              <BlockStack gap="300">
                <Select
                  label="Segment"
                  options={[
                    { label: "Choose a segment", value: "" },
                    ...segments.map((s) => ({
                      label: `${s.label} (${formatCount(s.customers)} customers)`,
                      value: s.key,
                    })),
                  ]}
                  value={defaults.segmentKey}
                  error={errors.segmentKey}
                  onChange={(key) =>
                    navigate(`/app/promotions/new?segment=${encodeURIComponent(key)}`)
                  }
                />
                {segment ? (
                  <Text as="p" tone="subdued">
                    {segment.description} Average predicted 12-month CLV{" "}
                    {formatMoney(
                      segment.stats.avgClvMinor === null
                        ? null
                        : Math.round(segment.stats.avgClvMinor),
                      currency,
                    )}
                    , average order{" "}
                    {formatMoney(
                      segment.stats.avgAovMinor === null
                        ? null
                        : Math.round(segment.stats.avgAovMinor),
                      currency,
                    )}
                    .
                  </Text>
                ) : null}
                {segment && playbooks.length > 0 ? (
                  <Select
                    label="Playbook"
                    options={playbooks.map((p) => ({
                      label: `${p.title} (${PROMOTION_KIND_LABELS[p.kind]})`,
                      value: p.id,
                    }))}
                    value={defaults.playbook}
                    onChange={(id) =>
                      navigate(
                        `/app/promotions/new?segment=${encodeURIComponent(defaults.segmentKey)}&playbook=${encodeURIComponent(id)}`,
                      )
                    }
                    helpText={playbooks.find((p) => p.id === defaults.playbook)?.why}
                  />
                ) : null}
                {segment && playbooks.length === 0 ? (
                  <Banner tone="info">
                    <p>
                      None of this segment&apos;s suggestions calls for a discount code. You can
                      still create one below with a playbook name of your own.
                    </p>
                  </Banner>
                ) : null}
              </BlockStack>
            </Card>
            {segment ? (
              <PromotionForm
                key={formKey}
                initial={initial}
                errors={errors}
                busy={busy}
                ceilingPercent={segment.ceilingPercent}
                freePlaybook={playbooks.length === 0}
              />
            ) : null}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function PromotionForm({
  initial,
  errors,
  busy,
  ceilingPercent,
  freePlaybook,
}: {
  initial: PromotionFormValues;
  errors: FieldErrors;
  busy: boolean;
  ceilingPercent: number | null;
  freePlaybook: boolean;
}) {
  const { values, set, field } = useFormFields(initial, errors);
  const percent = Number(values.discountPercent);
  const aboveCeiling =
    ceilingPercent !== null && Number.isFinite(percent) && percent > ceilingPercent;

  return (
    <Card>
      <Form method="post" noValidate>
        <input type="hidden" name="segmentKey" value={values.segmentKey} />
        {freePlaybook ? null : <input type="hidden" name="playbook" value={values.playbook} />}
        <FormLayout>
          {freePlaybook ? <TextField label="Playbook name" {...field("playbook")} /> : null}
          <TextField
            label="Title"
            {...field("title")}
            helpText="Shown to you in Shopify's discounts list; customers see the code."
          />
          <TextField label="Discount code" {...field("code")} />
          <FormLayout.Group>
            <TextField
              label="Discount (%)"
              {...field("discountPercent")}
              type="number"
              min={1}
              max={100}
              helpText={
                ceilingPercent === null
                  ? "No CLV estimate for this segment yet: keep the discount modest."
                  : `The CLV bound for this segment is ${ceilingPercent}%: beyond it an average order's discount exceeds ${formatShare(CLV_SHARE_FOR_DISCOUNT)} of the average customer's 12-month value.`
              }
            />
            <TextField
              label="Holdout (%)"
              {...field("holdoutPercent")}
              type="number"
              min={0}
              max={MAX_HOLDOUT_PERCENT}
              helpText="A random share of the segment that does not get the code, to measure lift."
            />
          </FormLayout.Group>
          <TextField label="End date (optional)" {...field("endsOn")} type="date" />
          <Checkbox
            label="Limit to one use per customer"
            name="oncePerCustomer"
            // An explicit value: without one the box was posted unchecked (found by the e2e test).
            value="true"
            checked={values.oncePerCustomer}
            onChange={set("oncePerCustomer")}
          />
          {aboveCeiling ? (
            <Banner tone="warning">
              <p>
                {percent}% is above this segment&apos;s CLV bound of {ceilingPercent}%: the discount
                may cost more than these customers are expected to bring.
              </p>
            </Banner>
          ) : null}
          <Button submit variant="primary" loading={busy}>
            Create discount
          </Button>
        </FormLayout>
      </Form>
    </Card>
  );
}
