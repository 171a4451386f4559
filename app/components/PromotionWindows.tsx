import { useNavigate } from "@remix-run/react";
import { BlockStack, Card, InlineGrid, Select, Text } from "@shopify/polaris";
import { useState } from "react";
import type { CustomerKind, PromotionWindows, WindowMetrics } from "~/promotions/windows";
import { ChartWithTable } from "./charts";
import { formatCount, formatDate, formatDecimal, formatMoney } from "./format";

const WINDOW_LABELS = { before: "Before", during: "During", after: "After" } as const;
const KIND_LABELS: Record<CustomerKind, string> = {
  all: "All targeted customers",
  existing: "Existing customers (ordered before the start)",
  new: "New customers (no order before the start)",
};

/**
 * Treated against holdout in equal windows before, during and after a promotion: purchase
 * frequency, basket size and net revenue per customer, and the difference in differences.
 */
export function PromotionWindowsCard({
  windows,
  currency,
}: {
  windows: PromotionWindows;
  currency: string;
}) {
  const navigate = useNavigate();
  const [kind, setKind] = useState<CustomerKind>("all");
  const money = (minor: number | null) =>
    minor === null ? "—" : formatMoney(Math.round(minor), currency);
  const pick = (m: { all: WindowMetrics; new: WindowMetrics; existing: WindowMetrics }) => m[kind];
  const before = windows.windows.find((w) => w.name === "before")!;
  const change = (value: (m: WindowMetrics) => number, name: "during" | "after") => {
    const w = windows.windows.find((x) => x.name === name)!;
    return (
      value(pick(w.treated)) -
      value(pick(before.treated)) -
      (value(pick(w.holdout)) - value(pick(before.holdout)))
    );
  };
  const signed = (text: string, v: number) => `${v >= 0 ? "+" : "−"}${text}`;
  return (
    <Card>
      <section aria-label="Before, during and after">
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            Before, during and after
          </Text>
          <Text as="p" tone="subdued">
            Three windows of {windows.windowDays} days: before the start, from the start, and after
            the end. Revenue is net of refunds. The difference in differences subtracts the
            holdout&apos;s change from the treated customers&apos; change since before, so what the
            segment was doing anyway cancels out.
          </Text>
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
            <Select
              label="Customers"
              options={(Object.keys(KIND_LABELS) as CustomerKind[]).map((k) => ({
                label: KIND_LABELS[k],
                value: k,
              }))}
              value={kind}
              onChange={(k) => setKind(k as CustomerKind)}
            />
            <Select
              label="Window length"
              options={[7, 14, 30, 60, 90].map((d) => ({ label: `${d} days`, value: String(d) }))}
              value={String(windows.windowDays)}
              onChange={(d) => navigate(`?days=${d}`, { preventScrollReset: true })}
            />
          </InlineGrid>
          <ChartWithTable
            title="Net revenue per customer before, during and after"
            kind="bar"
            formatValue={(v) => money(v)}
            data={[
              { name: "Got the code", group: "treated" as const },
              { name: "Holdout", group: "holdout" as const },
            ].map((s) => ({
              name: s.name,
              data: windows.windows.map((w) => ({
                key: WINDOW_LABELS[w.name],
                value: pick(w[s.group]).revenuePerCustomerMinor,
              })),
            }))}
            table={{
              headings: [
                "Window",
                "Group",
                "Customers",
                "Buyers",
                "Orders per customer",
                "Basket size",
                "Net revenue per customer",
              ],
              rows: windows.windows.flatMap((w) => {
                const range = `${WINDOW_LABELS[w.name]} (${formatDate(w.from)} – ${formatDate(w.to)})${
                  w.elapsedDays < w.days
                    ? w.elapsedDays === 0
                      ? ", not started"
                      : `, ${Math.floor(w.elapsedDays)} of ${w.days} days so far`
                    : ""
                }`;
                return (["treated", "holdout"] as const).map((group) => {
                  const m = pick(w[group]);
                  return [
                    range,
                    group === "treated" ? "Got the code" : "Holdout",
                    formatCount(m.customers),
                    formatCount(m.buyers),
                    formatDecimal(m.frequency, 3),
                    money(m.basketMinor),
                    money(m.revenuePerCustomerMinor),
                  ];
                });
              }),
            }}
          />
          <section aria-label="Difference in differences">
            <Text as="p">
              Change since before, got the code minus holdout — during:{" "}
              {signed(
                formatDecimal(Math.abs(change((m) => m.frequency, "during")), 3),
                change((m) => m.frequency, "during"),
              )}{" "}
              orders and{" "}
              {signed(
                money(Math.abs(change((m) => m.revenuePerCustomerMinor, "during"))),
                change((m) => m.revenuePerCustomerMinor, "during"),
              )}{" "}
              per customer; after:{" "}
              {signed(
                formatDecimal(Math.abs(change((m) => m.frequency, "after")), 3),
                change((m) => m.frequency, "after"),
              )}{" "}
              orders and{" "}
              {signed(
                money(Math.abs(change((m) => m.revenuePerCustomerMinor, "after"))),
                change((m) => m.revenuePerCustomerMinor, "after"),
              )}{" "}
              per customer.
            </Text>
          </section>
        </BlockStack>
      </section>
    </Card>
  );
}
