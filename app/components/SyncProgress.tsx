import { useId } from "react";
import { BlockStack, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import type { BackfillProgress } from "~/admin/overview.server";
import { formatCount, formatDateTime } from "./format";

/** Progress of the latest backfill or reconciliation, against the totals Shopify reported. */
export function SyncProgress({ run }: { run: BackfillProgress }) {
  const id = useId();
  const bars = [
    { label: "Customers", synced: run.customersSynced, total: run.customersTotal },
    { label: "Orders", synced: run.ordersSynced, total: run.ordersTotal },
  ];
  return (
    <BlockStack gap="300">
      <Text as="p" tone="subdued">
        {run.kind === "BACKFILL" ? "Import" : "Reconciliation"} started{" "}
        {formatDateTime(run.startedAt)}
        {run.status === "RUNNING"
          ? "; still running."
          : run.status === "FAILED"
            ? `; failed: ${run.error ?? "unknown error"}.`
            : `; finished ${formatDateTime(run.finishedAt)}.`}
      </Text>
      {bars.map(({ label, synced, total }) => {
        const percent = total ? Math.min(100, Math.round((synced / total) * 100)) : null;
        return (
          <BlockStack gap="100" key={label}>
            <InlineStack align="space-between">
              <Text as="span" id={`${id}-${label}`}>
                {label}
              </Text>
              <Text as="span" tone="subdued">
                {formatCount(synced)}
                {total ? ` of ${formatCount(total)}` : " so far"}
              </Text>
            </InlineStack>
            <ProgressBar
              progress={percent ?? (run.status === "RUNNING" ? 0 : 100)}
              size="small"
              ariaLabelledBy={`${id}-${label}`}
              animated={run.status === "RUNNING"}
            />
          </BlockStack>
        );
      })}
    </BlockStack>
  );
}
