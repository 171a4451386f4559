/** How the retention page may split customers: shared by the page and the server module. */
import { FAMILY_LABELS, SEGMENT_FAMILIES } from "~/segmentation/catalog";

export const RETENTION_SPLITS = ["none", "discount", ...SEGMENT_FAMILIES] as const;
export type RetentionSplit = (typeof RETENTION_SPLITS)[number];

export const SPLIT_LABELS: Record<RetentionSplit, string> = {
  none: "No split",
  discount: "First order with or without a discount",
  ...FAMILY_LABELS,
};
