/** The sorts of a segment's customer table, shared by the page and its query. */
export const MEMBER_SORT_LABELS = {
  clv: "Predicted 12-month CLV",
  spent: "Total spent",
  orders: "Orders",
  lastOrder: "Last order",
} as const;

export type SortKey = keyof typeof MEMBER_SORT_LABELS;
