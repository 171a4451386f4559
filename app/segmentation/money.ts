/**
 * Money is integer minor units plus an ISO 4217 currency code all the way through the summary
 * layer. Amounts arrive as safe integers or bigints and are carried as integer-valued doubles,
 * which are exact up to 2^53 minor units (≈ 9·10^13 dollars) — sums are checked to stay there.
 * Only at the model boundary (Gamma-Gamma spend, CLV) do they become floating-point major
 * units, via `minorToMajor`.
 */
import { SegmentationInputError } from "./errors";

export type MinorAmount = number | bigint;

/** ISO 4217 minor-unit exponents that differ from the common 2. */
const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export function currencyExponent(currency: string): number {
  return CURRENCY_EXPONENTS[currency.toUpperCase()] ?? 2;
}

/** The model boundary: integer minor units → floating-point major units. */
export function minorToMajor(minor: number, currency: string): number {
  return minor / 10 ** currencyExponent(currency);
}

export function majorToMinor(major: number, currency: string): number {
  return Math.round(major * 10 ** currencyExponent(currency));
}

/**
 * Validates an amount of minor units and returns it as a number. `what` names the field for
 * the error message (e.g. `order 1001 totalMinor`).
 */
export function toMinorNumber(
  value: MinorAmount | undefined,
  what: string,
  fallback?: number,
): number {
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw new SegmentationInputError("INVALID_AMOUNT", `${what} is missing`);
  }
  if (typeof value === "bigint") {
    if (value < 0n)
      throw new SegmentationInputError("INVALID_AMOUNT", `${what} is negative (${value})`);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new SegmentationInputError("INVALID_AMOUNT", `${what} is too large (${value})`);
    }
    return Number(value);
  }
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new SegmentationInputError(
      "INVALID_AMOUNT",
      `${what} must be an integer number of minor units, got ${String(value)}`,
    );
  }
  if (value < 0)
    throw new SegmentationInputError("INVALID_AMOUNT", `${what} is negative (${value})`);
  return value;
}

/**
 * Parses a decimal money string ("29.33", "1,204.5", "-0.00") into integer minor units without
 * going through a float, so "0.29" is 29 and not 28.999….
 */
export function parseDecimalToMinor(text: string, exponent = 2): number {
  const cleaned = text.trim().replace(/,/g, "");
  const m = /^(-)?(\d*)(?:\.(\d*))?$/.exec(cleaned);
  if (m === null || (m[2] === "" && (m[3] === undefined || m[3] === ""))) {
    throw new SegmentationInputError("INVALID_AMOUNT", `not a decimal amount: "${text}"`);
  }
  const [, minus, whole, fraction = ""] = m;
  if (fraction.length > exponent && /[1-9]/.test(fraction.slice(exponent))) {
    throw new SegmentationInputError(
      "INVALID_AMOUNT",
      `"${text}" has more than ${exponent} decimal places`,
    );
  }
  const minor = Number(
    (whole === "" ? "0" : whole) + fraction.slice(0, exponent).padEnd(exponent, "0"),
  );
  if (!Number.isSafeInteger(minor)) {
    throw new SegmentationInputError("INVALID_AMOUNT", `amount too large: "${text}"`);
  }
  return minus === "-" && minor !== 0 ? -minor : minor;
}
