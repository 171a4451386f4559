/** Number, money and date formatting shared by the pages (en-US, like the admin's default). */
import { formatMinor } from "~/segmentation/explain";

export const formatMoney = (minor: number | null, currency: string) =>
  minor === null ? "—" : formatMinor(minor, currency);

const integer = new Intl.NumberFormat("en-US");
export const formatCount = (n: number) => integer.format(n);

export const formatShare = (share: number, digits = 0) =>
  Number.isFinite(share) ? `${(share * 100).toFixed(digits)}%` : "—";

export const formatDecimal = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined || !Number.isFinite(value) ? "—" : value.toFixed(digits);

const dateTime = new Intl.DateTimeFormat("en-US", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});
const dateOnly = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });

/** Times are shown in UTC so server and browser render the same text. */
export const formatDateTime = (iso: string | null) =>
  iso === null ? "never" : `${dateTime.format(new Date(iso))} UTC`;
export const formatDate = (iso: string | null) =>
  iso === null ? "—" : dateOnly.format(new Date(iso));

/** A segment key's value as Shopify writes enum values: AT_RISK → "At risk". */
export const humanize = (value: string) =>
  value.charAt(0) + value.slice(1).toLowerCase().replace(/_/g, " ");
