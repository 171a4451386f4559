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
import { useState } from "react";
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
import { DEFAULT_WINDOW_DAYS } from "~/promotions/windows";
import { segmentBaselineRate } from "~/promotions/windows.server";
import { isLargeEffect, minimumDetectableEffect } from "~/segmentation/power";

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
  const baseline = segmentKey ? await segmentBaselineRate(shop.id, segmentKey) : null;
  const discountable = segment?.suggestions.filter((s) => s.discountPercent !== null) ?? [];
  const suggestion =
    discountable.find((s) => s.id === params.get("playbook")) ?? discountable[0] ?? undefined;
  return {
    currency: shop.currencyCode,
    segments,
    segment,
    playbooks: discountable,
    defaults: defaultFormValues(segmentKey, suggestion),
    baseline,
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
  const { segments, segment, playbooks, defaults, currency, baseline } =
    useLoaderData<typeof loader>();
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
                defaults={defaults}
                errors={errors}
                busy={busy}
                ceilingPercent={segment.ceilingPercent}
                freePlaybook={playbooks.length === 0}
                baseline={baseline}
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
  defaults,
  errors,
  busy,
  ceilingPercent,
  freePlaybook,
  baseline,
}: {
  initial: PromotionFormValues;
  defaults: PromotionFormValues;
  errors: FieldErrors;
  busy: boolean;
  ceilingPercent: number | null;
  freePlaybook: boolean;
  baseline: { members: number; buyers: number; rate: number } | null;
}) {
  const { values, setValues, set, field } = useFormFields(initial, errors);
  const [fieldsKey, setFieldsKey] = useState(0);
  // The save bar's Discard resets the form: back to the playbook's suggestion. A native reset
  // would restore each field's first rendered value (after a refused save, the refused one)
  // behind React's back, so the fields are rendered again from the suggestion instead.
  const discard = () => {
    setValues(defaults);
    setFieldsKey((k) => k + 1);
  };
  const percent = Number(values.discountPercent);
  const aboveCeiling =
    ceilingPercent !== null && Number.isFinite(percent) && percent > ceilingPercent;

  return (
    <Card>
      {/* Any change shows the admin's contextual save bar, whose Save submits this form. The
          page keeps its own button: the suggested values are a complete promotion, which a
          merchant may create without changing anything, and then no save bar appears. */}
      <Form method="post" noValidate data-save-bar onReset={discard}>
        <input type="hidden" name="segmentKey" value={values.segmentKey} />
        {freePlaybook ? null : <input type="hidden" name="playbook" value={values.playbook} />}
        <FormLayout key={fieldsKey}>
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
          {baseline ? (
            <DetectableLift
              members={baseline.members}
              rate={baseline.rate}
              holdoutPercent={Number(values.holdoutPercent)}
            />
          ) : null}
          <Button submit variant="primary" loading={busy}>
            Create discount
          </Button>
        </FormLayout>
      </Form>
    </Card>
  );
}

/**
 * Before creating: the smallest lift in the share of customers ordering within 30 days that this
 * size and holdout could detect at 80% power (app/segmentation/power.ts), from the segment's
 * share ordering in the last 30 days; a warning when only a large lift would be seen.
 */
function DetectableLift({
  members,
  rate,
  holdoutPercent,
}: {
  members: number;
  rate: number;
  holdoutPercent: number;
}) {
  const share = Number.isFinite(holdoutPercent) ? Math.max(0, holdoutPercent) / 100 : 0;
  const holdout = Math.round(members * share);
  const treated = members - holdout;
  const mde =
    holdout > 0 && treated > 0
      ? minimumDetectableEffect({ baselineRate: Math.min(rate, 0.99), treated, holdout })
      : null;
  const large = isLargeEffect(mde, rate);
  const sizes = `${formatCount(treated)} customers with the code and ${formatCount(holdout)} held out`;
  const text =
    holdout === 0
      ? `Without a holdout no lift can be measured: there is nobody to compare the ${formatCount(treated)} customers with.`
      : mde === null
        ? `With ${sizes}, no lift could be detected at 80% power: the holdout is too small.`
        : `With ${sizes}, the smallest lift detectable at 80% power is ${(mde * 100).toFixed(1)} points in the share ordering within ${DEFAULT_WINDOW_DAYS} days (now ${formatShare(rate, 1)}, to ${formatShare(Math.min(1, rate + mde), 1)}).`;
  return (
    <section aria-label="Detectable lift">
      <Banner
        tone={large ? "warning" : "info"}
        title={large ? "A lift this promotion could miss" : "Detectable lift"}
      >
        <p>
          {text}
          {large && holdout > 0
            ? " A smaller effect would look like chance; a larger segment or holdout makes it measurable."
            : ""}
        </p>
      </Banner>
    </section>
  );
}
