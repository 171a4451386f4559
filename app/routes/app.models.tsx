import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Card,
  DataTable,
  EmptyState,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import type { ReactNode } from "react";
import { loadModelReport } from "~/admin/models.server";
import { requireShop } from "~/admin/shop-context.server";
import { loadShopifyAgreement } from "~/admin/shopify-agreement.server";
import { ChartWithTable } from "~/components/charts";
import { ChurnBandCalibration } from "~/components/ChurnBandCalibration";
import { PurchaseModels } from "~/components/PurchaseModels";
import { ShopifyAgreement } from "~/components/ShopifyAgreement";
import {
  formatCount,
  formatDateTime,
  formatDecimal,
  formatMoney,
  formatShare,
} from "~/components/format";
import { Wrap } from "~/components/Wrap";
import type { GateDecision, ModelName } from "~/segmentation/gates";
import { majorToMinor } from "~/segmentation/money";
import type { SnapshotModels } from "~/segmentation/snapshot";

export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  const [report, shopifyAgreement] = await Promise.all([
    loadModelReport(shop.id),
    loadShopifyAgreement(shop.id),
  ]);
  return { ...report, shopifyAgreement };
}

export const meta: MetaFunction = () => [{ title: "Model trust · Propel" }];

const MODEL_TITLES: Record<ModelName, string> = {
  rfm: "RFM scores",
  bgnbd: "Churn model (BG/NBD)",
  gammaGamma: "Spend model (Gamma-Gamma)",
  propensity: "Propensity to grow",
};

export default function ModelTrustPage() {
  const report = useLoaderData<typeof loader>();
  const models = report.models;
  if (!models)
    return (
      <Page title="Model trust">
        <Card>
          <EmptyState
            heading="No models yet"
            image="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"
          >
            <p>The models are fitted during the first recompute, after the import finishes.</p>
          </EmptyState>
        </Card>
      </Page>
    );
  const gate = (model: ModelName) => models.gates.find((g) => g.model === model);
  return (
    <Page
      title="Model trust"
      subtitle={`Fitted ${formatDateTime(report.fittedAt ?? report.takenAt)} on ${formatCount(models.customers)} customers, data as of ${models.asOf}`}
    >
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Which models ran
              </Text>
              <DataTable
                columnContentTypes={["text", "text", "text"]}
                headings={["Model", "Status", "Why"]}
                rows={(["rfm", "bgnbd", "gammaGamma", "propensity"] as const).map((m) => [
                  MODEL_TITLES[m],
                  <GateBadge key={m} gate={gate(m)} />,
                  <Wrap key={`${m}-why`}>{gateReason(m, gate(m), models)}</Wrap>,
                ])}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <ShopifyAgreement agreement={report.shopifyAgreement} />
        </Layout.Section>
        <Layout.Section>
          <ChurnModel
            models={models}
            gate={gate("bgnbd")}
            forecastDays={report.settings.forecastDays}
          />
        </Layout.Section>
        <Layout.Section>
          <PurchaseModels purchase={models.purchase} />
        </Layout.Section>
        <Layout.Section>
          <ChurnBandCalibration calibration={models.purchase?.bandCalibration} />
        </Layout.Section>
        <Layout.Section>
          <SpendModel models={models} report={report} gate={gate("gammaGamma")} />
        </Layout.Section>
        <Layout.Section>
          <Propensity models={models} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function GateBadge({ gate }: { gate: GateDecision | undefined }) {
  if (!gate) return <Badge>Not reported</Badge>;
  return gate.used ? <Badge tone="success">Ran</Badge> : <Badge tone="warning">Not used</Badge>;
}

function gateReason(
  model: ModelName,
  gate: GateDecision | undefined,
  models: SnapshotModels,
): string {
  if (gate && !gate.used) return gate.reason ?? "Skipped.";
  switch (model) {
    case "rfm":
      return "Scores rank customers in fifths within this shop; groups are read off the grid in Settings.";
    case "bgnbd":
      return "Fitted by maximum likelihood on this shop's repeat purchases.";
    case "gammaGamma":
      return "Fitted on the order values of this shop's repeat buyers.";
    case "propensity":
      return models.propensity.method === "logistic"
        ? `Candidates backtested on held-out time; the best one is used${models.propensity.chosen ? ` (${CANDIDATE_LABELS[models.propensity.chosen]})` : ""}.`
        : "A simple rule stands in: too little history to train and backtest a model.";
  }
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        {children}
      </BlockStack>
    </Card>
  );
}

function Parameters({ rows }: { rows: [string, string, string][] }) {
  return (
    <DataTable
      columnContentTypes={["text", "numeric", "text"]}
      headings={["Parameter", "Estimate", "What it means"]}
      rows={rows.map(([name, value, meaning]) => [name, value, <Wrap key={name}>{meaning}</Wrap>])}
    />
  );
}

function ChurnModel({
  models,
  gate,
  forecastDays,
}: {
  models: SnapshotModels;
  gate: GateDecision | undefined;
  forecastDays: number;
}) {
  const fit = models.bgnbd;
  const holdout = models.holdout;
  return (
    <Section title={MODEL_TITLES.bgnbd}>
      {!fit || !gate?.used ? (
        <Text as="p" tone="subdued">
          {gate?.reason ?? "The churn model did not run."} P(alive) and expected purchases are left
          empty and lifetime value is not predicted; churn risk comes from the Kaplan–Meier estimate
          described below.
        </Text>
      ) : (
        <>
          <Text as="p">
            While a customer is active they buy at their own steady rate; after each purchase they
            may leave for good. The model learns both from every customer&apos;s history and gives
            each a probability of still being a customer, P(alive), and their expected purchases in
            the next {forecastDays} days.
          </Text>
          <Parameters
            rows={[
              [
                "r",
                formatDecimal(fit.params.r, 4),
                "Shape of the spread of purchase rates across customers.",
              ],
              [
                "α",
                formatDecimal(fit.params.alpha, 4),
                `Scale of purchase rates: on average ${formatDecimal(fit.params.r / fit.params.alpha, 4)} purchases a day (r/α) while active.`,
              ],
              [
                "a",
                formatDecimal(fit.params.a, 4),
                `With b, the chance of leaving after a purchase: on average ${formatShare(fit.params.a / (fit.params.a + fit.params.b), 1)} (a/(a+b)).`,
              ],
              [
                "b",
                formatDecimal(fit.params.b, 4),
                "Second shape parameter of the chance of leaving.",
              ],
              [
                "Log-likelihood",
                formatDecimal(fit.logLikelihood, 1),
                fit.converged ? "The fit converged." : "The fit did not fully converge.",
              ],
            ]}
          />
        </>
      )}
      <Text as="h3" variant="headingSm">
        Calibration on held-out time
      </Text>
      {holdout ? (
        <ChartWithTable
          title="Predicted against actual repeat purchases in the holdout period, by purchases before it"
          caption={
            <Text as="p" tone="subdued">
              The model was refitted without the last {holdout.holdoutDays} days, then asked how
              many purchases each group of customers would make in them (as in Fader, Hardie &amp;
              Lee, 2005). In total it predicted {formatDecimal(holdout.totalPredicted, 0)} and
              customers made {formatCount(holdout.totalActual)}.
            </Text>
          }
          kind="bar"
          data={[
            {
              name: "Predicted",
              data: holdout.buckets.map((b) => ({ key: b.label, value: b.meanPredicted ?? 0 })),
            },
            {
              name: "Actual",
              data: holdout.buckets.map((b) => ({ key: b.label, value: b.meanActual ?? 0 })),
            },
          ]}
          table={{
            headings: [
              "Purchases before the holdout",
              "Customers",
              "Actual (mean)",
              "Predicted (mean)",
            ],
            rows: holdout.buckets.map((b) => [
              b.label,
              formatCount(b.customers),
              formatDecimal(b.meanActual),
              formatDecimal(b.meanPredicted),
            ]),
          }}
          formatValue={(v) => formatDecimal(v)}
        />
      ) : (
        <Text as="p" tone="subdued">
          {models.holdoutSkipped ?? "No holdout check was recorded for this fit."}
        </Text>
      )}
    </Section>
  );
}

function SpendModel({
  models,
  report,
  gate,
}: {
  models: SnapshotModels;
  report: { currency: string; settings: { clvMonths: number; monthlyDiscountRate: number } };
  gate: GateDecision | undefined;
}) {
  const fit = models.gammaGamma;
  const basis =
    models.clvBasis === "bgnbd+gamma-gamma"
      ? "expected spend per order from the spend model × discounted expected orders from the churn model"
      : models.clvBasis === "bgnbd+aov"
        ? "each customer's average order value × discounted expected orders from the churn model"
        : "not predicted (the churn model did not run); spend tiers use spend to date instead";
  const { p, q, v } = fit?.params ?? { p: NaN, q: NaN, v: NaN };
  const meanSpend = q > 1 ? (p * v) / (q - 1) : NaN;
  return (
    <Section title={MODEL_TITLES.gammaGamma}>
      <Text as="p">
        Lifetime value over {report.settings.clvMonths} months, discounted at{" "}
        {formatShare(report.settings.monthlyDiscountRate, 1)} a month: {basis}.
      </Text>
      {fit && gate?.used ? (
        <Parameters
          rows={[
            ["p", formatDecimal(p, 4), "Shape of each customer's spread of order values."],
            ["q", formatDecimal(q, 4), "Shape of how typical order values vary across customers."],
            [
              "v",
              formatDecimal(v, 4),
              Number.isFinite(meanSpend)
                ? `Scale: the average customer's typical order is ${formatMoney(majorToMinor(meanSpend, report.currency), report.currency)} (pv/(q−1)).`
                : "Scale of order values.",
            ],
            [
              "Spend–frequency correlation",
              formatDecimal(fit.spendFrequencyCorrelation ?? NaN),
              "The model assumes how much customers spend per order does not depend on how often they buy; near zero is good.",
            ],
          ]}
        />
      ) : (
        <Text as="p" tone="subdued">
          {gate?.reason ?? "The spend model did not run."}
        </Text>
      )}
    </Section>
  );
}

function aucMeaning(auc: number): string {
  if (auc >= 0.8) return "strong: it ranks growing customers well above the rest";
  if (auc >= 0.7) return "useful: it ranks growing customers clearly above the rest";
  if (auc >= 0.6) return "weak: better than chance, use with care";
  return "no better than chance: treat the scores as a rough guide";
}

const CANDIDATE_LABELS: Record<string, string> = {
  recency: "recency alone",
  "expected-purchases": "expected purchases",
  "purchase-model": "purchase model's chance",
  combined: "combined model on this shop's signals",
};

function Propensity({ models }: { models: SnapshotModels }) {
  const report = models.propensity;
  const backtest = report.backtest;
  return (
    <Section title={MODEL_TITLES.propensity}>
      <Text as="p">
        The chance a customer spends more per day over the next {report.windowDays} days than her
        own rate so far (since her first order).{" "}
        {report.method === "logistic"
          ? `Scores come from ${CANDIDATE_LABELS[report.chosen ?? "combined"] ?? report.chosen}, the candidate that ranked best on this shop's held-out time, calibrated on its history.`
          : `A simple rule stands in: ${report.gate.reason ?? "too little history for the model"}`}
      </Text>
      {report.candidates && report.candidates.length > 0 && (
        <DataTable
          columnContentTypes={["text", "text", "numeric"]}
          headings={["Candidate", "Kind", "Backtest AUC"]}
          rows={report.candidates.map((c) => [
            `${CANDIDATE_LABELS[c.name] ?? c.name}${c.name === report.chosen ? " (used)" : ""}`,
            c.labelFree ? "Label-free baseline" : "Trained on this shop",
            formatDecimal(c.auc),
          ])}
        />
      )}
      {backtest ? (
        <>
          <InlineStack gap="200" blockAlign="center">
            <Text as="p" variant="headingLg">
              AUC {formatDecimal(backtest.auc)}
            </Text>
            <Text as="p" tone="subdued">
              Backtest on {formatCount(backtest.testCustomers)}{" "}
              {backtest.kind === "later-window"
                ? "customers in a later window"
                : "held-out customers"}{" "}
              ({formatShare(backtest.testPositiveRate)} grew): {aucMeaning(backtest.auc)}. 0.5 is a
              coin toss.
            </Text>
          </InlineStack>
          <ChartWithTable
            title="Propensity backtest: predicted chance against the share that actually grew, by tenth of customers"
            kind="bar"
            data={[
              {
                name: "Predicted",
                data: backtest.calibration.map((b, i) => ({
                  key: `${i + 1}`,
                  value: b.meanPredicted,
                })),
              },
              {
                name: "Actual",
                data: backtest.calibration.map((b, i) => ({
                  key: `${i + 1}`,
                  value: b.observedRate,
                })),
              },
            ]}
            table={{
              headings: ["Tenth (lowest score first)", "Customers", "Predicted", "Actually grew"],
              rows: backtest.calibration.map((b, i) => [
                String(i + 1),
                formatCount(b.count),
                formatShare(b.meanPredicted, 1),
                formatShare(b.observedRate, 1),
              ]),
            }}
            formatValue={(v) => formatShare(v)}
          />
        </>
      ) : (
        <Text as="p" tone="subdued">
          No backtest: {report.gate.reason ?? "the model did not run"}.
        </Text>
      )}
      {report.coefficients && (
        <DataTable
          columnContentTypes={["text", "numeric"]}
          headings={["Signal (standardised)", "Weight"]}
          rows={Object.entries(report.coefficients)
            .sort(([, a], [, b]) => Math.abs(b) - Math.abs(a))
            .map(([name, weight]) => [name, formatDecimal(weight, 3)])}
        />
      )}
    </Section>
  );
}
