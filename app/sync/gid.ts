/** The numeric id at the end of a Shopify global id (gid://shopify/Order/123 → 123n). */
export function legacyId(gid: string): bigint {
  const match = /^gid:\/\/shopify\/[A-Za-z]+\/(\d+)(?:\?.*)?$/.exec(gid);
  if (!match) throw new Error(`not a Shopify global id: ${gid}`);
  return BigInt(match[1]);
}

export function toGid(resource: "Customer" | "Order", id: bigint | string): string {
  return `gid://shopify/${resource}/${id}`;
}
