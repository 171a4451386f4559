import { describe, expect, it } from "vitest";
import { needsDurableCommit } from "~/shopify/webhook-durability";

describe("which webhook deliveries are flushed to disk before the acknowledgement", () => {
  it("does not wait for the flush for topics a later reconcile or poll reads again", () => {
    expect(needsDurableCommit(["orders/create", "orders/updated", "customers/update"])).toBe(false);
    expect(needsDurableCommit(["refunds/create", "bulk_operations/finish"])).toBe(false);
  });

  it("waits for deletions, uninstalls and the compliance topics, alone or in a batch", () => {
    for (const topic of [
      "customers/delete",
      "orders/delete",
      "app/uninstalled",
      "app/scopes_update",
      "customers/redact",
      "customers/data_request",
      "shop/redact",
    ]) {
      expect(needsDurableCommit([topic]), topic).toBe(true);
      expect(needsDurableCommit(["orders/create", topic]), topic).toBe(true);
    }
  });

  it("waits for a topic it does not know", () => {
    expect(needsDurableCommit(["products/update"])).toBe(true);
  });
});
