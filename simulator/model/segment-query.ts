/**
 * A small evaluator for the ShopifyQL customer-segment queries an app typically builds on its
 * own tags, so discounts aimed at a segment can be redeemed by its members:
 *   customer_tags CONTAINS 'propel:at-risk'
 *   customer_tags NOT CONTAINS 'propel:holdout' AND email_subscription_status = 'SUBSCRIBED'
 *   number_of_orders >= 2 OR amount_spent > 100
 * AND binds tighter than OR; parentheses are not supported. Anything else → null (the segment
 * is stored but has no members in the simulator).
 */
import type { Store } from "./store.js";

export type MemberTest = (store: Store, c: number) => boolean;

function term(src: string): MemberTest | null {
  const s = src.trim();
  let m = s.match(/^customer_tags\s+(NOT\s+)?CONTAINS\s+'([^']*)'$/i);
  if (m) {
    const neg = !!m[1];
    const tag = (m[2] ?? "").toLowerCase();
    return (store, c) => store.tags(c).some((t) => t.toLowerCase() === tag) !== neg;
  }
  m = s.match(/^email_subscription_status\s*(=|!=)\s*'([A-Z_]+)'$/i);
  if (m) {
    const want = (m[2] ?? "").toUpperCase();
    const eq = m[1] === "=";
    return (store, c) => (store.consent(c) === want) === eq;
  }
  m = s.match(/^(number_of_orders|amount_spent)\s*(>=|<=|>|<|=|!=)\s*([\d.]+)$/i);
  if (m) {
    const field = (m[1] ?? "").toLowerCase();
    const op = m[2];
    const v = Number(m[3]);
    const get = (store: Store, c: number): number =>
      field === "number_of_orders" ? store.numberOfOrders(c) : store.amountSpentCents(c) / 100;
    return (store, c) => {
      const x = get(store, c);
      switch (op) {
        case ">=":
          return x >= v;
        case "<=":
          return x <= v;
        case ">":
          return x > v;
        case "<":
          return x < v;
        case "=":
          return x === v;
        default:
          return x !== v;
      }
    };
  }
  return null;
}

export function compileSegmentQuery(query: string): MemberTest | null {
  const ors: MemberTest[][] = [];
  for (const orPart of query.split(/\s+OR\s+/)) {
    const ands: MemberTest[] = [];
    for (const andPart of orPart.split(/\s+AND\s+/)) {
      const t = term(andPart);
      if (!t) return null;
      ands.push(t);
    }
    ors.push(ands);
  }
  return (store, c) => ors.some((ands) => ands.every((t) => t(store, c)));
}
