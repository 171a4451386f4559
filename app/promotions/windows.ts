/** The before/during/after windows of a promotion: what the page and the query share. */

export const DEFAULT_WINDOW_DAYS = 30;
export const MAX_WINDOW_DAYS = 365;

export const WINDOW_NAMES = ["before", "during", "after"] as const;
export type WindowName = (typeof WINDOW_NAMES)[number];

export interface WindowMetrics {
  customers: number;
  buyers: number;
  orders: number;
  revenueMinor: number;
  /** Orders per customer in the window. */
  frequency: number;
  /** Net revenue per order; null without orders. */
  basketMinor: number | null;
  revenuePerCustomerMinor: number;
}

export type CustomerKind = "all" | "new" | "existing";
export type GroupMetrics = Record<CustomerKind, WindowMetrics>;

export interface PromotionWindow {
  name: WindowName;
  from: string;
  to: string;
  /** Days of the window already past (the window is complete when it equals `days`). */
  elapsedDays: number;
  days: number;
  treated: GroupMetrics;
  holdout: GroupMetrics;
}

export interface PromotionWindows {
  windowDays: number;
  windows: PromotionWindow[];
}
