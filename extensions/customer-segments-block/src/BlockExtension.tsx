/**
 * Propel's block on the customer details page (target admin.customer-details.block.render).
 *
 * API 2026-10 admin extensions are Preact with Polaris web components (`s-*`): React-based
 * extension components ended with 2025-07. The Shopify CLI builds this file with its own
 * dependencies (`preact`, `@shopify/ui-extensions` 2026.10); it is not part of the app's
 * TypeScript build.
 *
 * `fetch` with a relative URL goes to the app's `application_url`, and Shopify adds the
 * session token (Authorization: Bearer …) itself; the route answers with CORS headers.
 */
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";

interface BlockSegment {
  key: string;
  label: string;
  familyLabel: string;
  description: string;
}

interface BlockData {
  computedAt: string | null;
  segments: BlockSegment[];
  scores: {
    orders: number;
    totalSpentMinor: number;
    currency: string;
    pAlive: number | null;
    churnRisk: string | null;
    clv12mMinor: number | null;
    spendTier: string | null;
    propensity: number | null;
    nextOrderAt: string | null;
  } | null;
  appPath: string;
}

type State =
  | { status: "loading" }
  | { status: "error"; message: string }
  | { status: "missing" }
  | { status: "ready"; data: BlockData };

export default async () => {
  render(<Extension />, document.body);
};

const percent = (share: number | null) => (share === null ? "—" : `${Math.round(share * 100)}%`);

function money(minor: number | null, currency: string) {
  if (minor === null) return "—";
  const digits =
    new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  // In the merchant's admin locale; the admin API has no `shopify.locale`, only i18n.
  return shopify.i18n.formatCurrency(minor / 10 ** digits, { currency });
}

const CHURN_TONE: Record<string, "critical" | "warning" | "success"> = {
  HIGH: "critical",
  MEDIUM: "warning",
  LOW: "success",
};

function Extension() {
  const customerGid = shopify.data.selected[0]?.id ?? "";
  const [state, setState] = useState<State>({ status: "loading" });

  useEffect(() => {
    const id = customerGid.split("/").pop() ?? "";
    fetch(`/api/customers/${encodeURIComponent(id)}/segments`)
      .then(async (response) => {
        if (response.status === 404) return setState({ status: "missing" });
        if (!response.ok) throw new Error(`Propel answered ${response.status}`);
        setState({ status: "ready", data: (await response.json()) as BlockData });
      })
      .catch((error: unknown) =>
        setState({
          status: "error",
          message: error instanceof Error ? error.message : "Propel could not be reached",
        }),
      );
  }, [customerGid]);

  if (state.status === "loading")
    return (
      <s-admin-block heading="Propel segments">
        <s-spinner accessibilityLabel="Loading the customer's segments" />
      </s-admin-block>
    );
  if (state.status === "error")
    return (
      <s-admin-block heading="Propel segments">
        <s-banner tone="critical" heading="Segments unavailable">
          {state.message}
        </s-banner>
      </s-admin-block>
    );
  if (state.status === "missing")
    return (
      <s-admin-block heading="Propel segments">
        <s-text>Propel has not synced this customer yet.</s-text>
      </s-admin-block>
    );

  const { segments, scores, appPath } = state.data;
  return (
    <s-admin-block heading="Propel segments">
      <s-stack direction="block" gap="base">
        {segments.length === 0 ? (
          <s-text>Not in any segment yet: segments appear after the next recompute.</s-text>
        ) : (
          <s-stack direction="inline" gap="small-200">
            {segments.map((s) => (
              <s-badge
                key={s.key}
                tone={s.key.startsWith("churn:") ? CHURN_TONE[s.key.slice(6)] : "info"}
              >
                {`${s.familyLabel}: ${s.label}`}
              </s-badge>
            ))}
          </s-stack>
        )}
        {scores ? (
          <s-grid gridTemplateColumns="1fr 1fr" gap="small">
            <s-text>Orders</s-text>
            <s-text>{String(scores.orders)}</s-text>
            <s-text>Total spent</s-text>
            <s-text>{money(scores.totalSpentMinor, scores.currency)}</s-text>
            <s-text>Chance still active</s-text>
            <s-text>{percent(scores.pAlive)}</s-text>
            <s-text>Churn risk</s-text>
            <s-text>{scores.churnRisk ?? "—"}</s-text>
            <s-text>Predicted 12-month value</s-text>
            <s-text>{money(scores.clv12mMinor, scores.currency)}</s-text>
            <s-text>Spend tier</s-text>
            <s-text>{scores.spendTier ?? "—"}</s-text>
            <s-text>Likely to grow</s-text>
            <s-text>{percent(scores.propensity)}</s-text>
          </s-grid>
        ) : null}
        <s-link href={`app:${appPath.replace(/^\//, "")}`}>Open in Propel</s-link>
      </s-stack>
    </s-admin-block>
  );
}
