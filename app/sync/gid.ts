/** The numeric id at the end of a Shopify global id (gid://shopify/Order/123 → 123n). */
export function legacyId(gid: string): bigint {
  const match = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)(?:\?.*)?$/.exec(gid);
  if (!match) throw new Error(`not a Shopify global id: ${gid}`);
  return BigInt(match[1]);
}

export function toGid(resource: "Customer" | "Order", id: bigint | string): string {
  return `gid://shopify/${resource}/${id}`;
}

/**
 * A Shopify id as a compliance payload may carry it: a global id, a decimal string, or a JSON
 * number (parse those bodies losslessly: Shopify's ids pass 2^53). Null for anything else.
 */
export function idOf(value: unknown): bigint | null {
  if (typeof value === "string" && value.startsWith("gid://")) {
    try {
      return legacyId(value);
    } catch {
      return null;
    }
  }
  if (typeof value === "string" && /^\d+$/.test(value)) return BigInt(value);
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return BigInt(value);
  return null;
}

/** A JSON object (not an array, not null), as a payload's nested fields are read. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
