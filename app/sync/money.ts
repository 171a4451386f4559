/**
 * Shopify sends money as decimal strings ("404.95"). Propel keeps integer minor units, so the
 * conversion is done on the digits, never through a float.
 */
const digitsCache = new Map<string, number>();

/** Minor-unit digits of an ISO currency (USD 2, JPY 0, KWD 3). */
export function currencyDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits =
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
        .maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

export function toMinorUnits(amount: string | number, currency: string): bigint {
  const text = typeof amount === "number" ? amount.toString() : amount.trim();
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`not a money amount: ${JSON.stringify(amount)}`);
  const [, sign, whole, fraction = ""] = match;
  const digits = currencyDigits(currency);
  if (fraction.length > digits && /[^0]/.test(fraction.slice(digits))) {
    throw new Error(`${text} ${currency} has more than ${digits} decimal places`);
  }
  const minor = BigInt(whole + fraction.slice(0, digits).padEnd(digits, "0"));
  return sign ? -minor : minor;
}
