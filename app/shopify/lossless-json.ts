/**
 * JSON.parse that keeps every digit of an integer beyond 2^53. Shopify's bodies carry ids as
 * JSON numbers (refunds/create's `order_id`, `customer.id`, `orders_to_redact`), and its own
 * example payloads hold 18-digit ones that a plain parse rounds. Such a number is returned as
 * its decimal string, which every id reader accepts; other numbers stay numbers.
 *
 * It relies on the reviver's source-text access (TC39 "JSON.parse source text access", in V8
 * since Node 21), which hands the reviver the raw text of each primitive.
 */
type Reviver = (key: string, value: unknown, context?: { source?: string }) => unknown;

const keepIntegers: Reviver = (_key, value, context) => {
  if (typeof value !== "number" || Number.isSafeInteger(value)) return value;
  const source = context?.source;
  return source && /^-?\d+$/.test(source) ? source : value;
};

export function parseLosslessJson(text: string): unknown {
  return JSON.parse(text, keepIntegers as Parameters<typeof JSON.parse>[1]);
}
