/**
 * Calendar arithmetic on whole days. The models see time as a number of days (or weeks) since a
 * customer's first purchase, and the literature counts repeat purchases on distinct days, so the
 * engine converts every timestamp once into a *day number*: whole days since 1970-01-01 on the
 * shop's clock (UTC shifted by a fixed offset). Day numbers are small integers, which makes
 * them cheap to sort, compare and compress.
 */
import { SegmentationInputError } from "./errors";

export type TimeUnit = "day" | "week";

export const DAYS_PER_UNIT: Readonly<Record<TimeUnit, number>> = { day: 1, week: 7 };
export const MS_PER_DAY = 86_400_000;
/** Average Gregorian month, used for "12 months" horizons and monthly discounting. */
export const DAYS_PER_MONTH = 365.25 / 12;

/**
 * Converts a timestamp to the day number on a clock `utcOffsetMinutes` ahead of UTC. ISO 8601
 * strings ("YYYY-MM-DD", optionally followed by "THH:MM[:SS[.fff]]" and "Z" or "±HH:MM") are
 * parsed by hand, without Date objects, because this runs once per order, millions of times.
 * A date-only string means that calendar day on the shop's clock; a timestamp without a zone
 * is taken to be on the shop's clock already.
 */
export function toDayNumber(value: Date | string, utcOffsetMinutes = 0): number {
  if (value instanceof Date) return fromEpochMs(value.getTime(), utcOffsetMinutes, value);
  if (typeof value !== "string") {
    throw new SegmentationInputError("INVALID_DATE", `not a date: ${String(value)}`);
  }
  const parsed = parseIsoTimestamp(value);
  if (parsed === undefined) return fromEpochMs(Date.parse(value), utcOffsetMinutes, value);
  const { day, minutes, zoneMinutes } = parsed;
  if (zoneMinutes === undefined) return day;
  return day + Math.floor((minutes - zoneMinutes + utcOffsetMinutes) / 1440);
}

function fromEpochMs(ms: number, utcOffsetMinutes: number, original: Date | string): number {
  if (!Number.isFinite(ms)) {
    throw new SegmentationInputError("INVALID_DATE", `not a valid date: ${String(original)}`);
  }
  return Math.floor((ms + utcOffsetMinutes * 60_000) / MS_PER_DAY);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (the "days from civil" algorithm of
 * H. Hinnant, chrono-compatible low-level date algorithms: eras of 400 years).
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function digits(text: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

/** Hand-rolled ISO 8601 reader; undefined when the text is not in the supported shape. */
function parseIsoTimestamp(
  text: string,
): { day: number; minutes: number; zoneMinutes: number | undefined } | undefined {
  if (text.length < 10 || text[4] !== "-" || text[7] !== "-") return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const dayOfMonth = digits(text, 8, 2);
  if (Number.isNaN(year + month + dayOfMonth)) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthLength = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (month < 1 || month > 12 || dayOfMonth < 1 || dayOfMonth > monthLength) {
    throw new SegmentationInputError("INVALID_DATE", `not a valid calendar date: ${text}`);
  }
  const day = daysFromCivil(year, month, dayOfMonth);
  if (text.length === 10) return { day, minutes: 0, zoneMinutes: undefined };
  if (text[10] !== "T" && text[10] !== " ") return undefined;
  const hours = digits(text, 11, 2);
  const mins = digits(text, 14, 2);
  if (text[13] !== ":" || Number.isNaN(hours + mins) || hours > 23 || mins > 59) return undefined;
  let i = 16;
  if (text[i] === ":") {
    if (Number.isNaN(digits(text, i + 1, 2))) return undefined;
    i += 3;
    if (text[i] === ".") {
      i++;
      while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    }
  }
  const minutes = hours * 60 + mins;
  if (i === text.length) return { day, minutes, zoneMinutes: undefined };
  if (text[i] === "Z" && i + 1 === text.length) return { day, minutes, zoneMinutes: 0 };
  const sign = text[i] === "+" ? 1 : text[i] === "-" ? -1 : 0;
  if (sign === 0) return undefined;
  const zone = text.slice(i + 1).replace(":", "");
  const zh = digits(zone, 0, 2);
  const zm = zone.length === 4 ? digits(zone, 2, 2) : zone.length === 2 ? 0 : NaN;
  if (Number.isNaN(zh + zm)) return undefined;
  return { day, minutes, zoneMinutes: sign * (zh * 60 + zm) };
}

/** "YYYY-MM-DD" → day number. */
export function parseIsoDay(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    throw new SegmentationInputError("INVALID_DATE", `expected YYYY-MM-DD, got "${text}"`);
  }
  return toDayNumber(text);
}

/** Day number → "YYYY-MM-DD". */
export function dayToIsoDate(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Year and month (0-based) of a day number, as a single month index (year × 12 + month). */
export function monthIndexOfDay(day: number): number {
  const date = new Date(day * MS_PER_DAY);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

export function monthIndexToLabel(monthIndex: number): string {
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  return `${year}-${String(month).padStart(2, "0")}`;
}
