import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateStore } from "../../simulator/data/generator.js";
import { loadCdnowStore, parseCdnow } from "../../simulator/data/cdnow.js";
import type { Store } from "../../simulator/model/store.js";
import { parseToml, appConfigFromToml } from "../../simulator/config.js";
import { readFileSync } from "node:fs";

const NOW = Date.parse("2026-11-01T00:00:00Z");

function fingerprint(s: Store): string {
  const h = createHash("sha256");
  for (let o = 0; o < s.orderRows; o++) {
    h.update(
      `${s.oCustomer.get(o)}|${s.oProcessed.get(o)}|${s.totalCents(o)}|${s.oRefunded.get(o)}|${s.oCancelled.get(o)}|${s.oDiscount.get(o)};`,
    );
  }
  for (let c = 0; c < s.customerRows; c++)
    h.update(`${s.email(c) ?? ""}|${s.consent(c)}|${s.tags(c).join(",")};`);
  return h.digest("hex");
}

describe("data generator", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    const a = generateStore({ domain: "a.myshopify.com" }, { seed: 11, customers: 400, now: NOW });
    const b = generateStore({ domain: "a.myshopify.com" }, { seed: 11, customers: 400, now: NOW });
    const c = generateStore({ domain: "a.myshopify.com" }, { seed: 12, customers: 400, now: NOW });
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint(a)).not.toBe(fingerprint(c));
  });

  it("produces a plausible history: repeat buyers, prospects, refunds, cancellations, discounts, Q4 peak", () => {
    const s = generateStore(
      { domain: "b.myshopify.com" },
      { seed: 5, customers: 5000, years: 3, now: NOW },
    );
    expect(s.customerRows).toBe(5000);
    let repeat = 0;
    let none = 0;
    for (let c = 0; c < s.customerRows; c++) {
      const n = s.numberOfOrders(c) + (s.customerOrders(c).some((o) => s.isTest(o)) ? 1 : 0);
      if (n === 0) none++;
      if (n > 1) repeat++;
    }
    expect(none / 5000).toBeGreaterThan(0.05);
    expect(repeat / 5000).toBeGreaterThan(0.2);
    let refunded = 0;
    let cancelled = 0;
    let discounted = 0;
    let q4 = 0;
    let q2 = 0;
    let prev = 0;
    for (let o = 0; o < s.orderRows; o++) {
      if (s.oRefunded.get(o) > 0) refunded++;
      if (s.isCancelled(o)) cancelled++;
      if (s.oDiscount.get(o) >= 0) discounted++;
      const t = s.oProcessed.get(o);
      expect(t).toBeGreaterThanOrEqual(prev); // ids grow with time
      expect(t).toBeLessThanOrEqual(NOW);
      prev = t;
      const d = new Date(t);
      if (d.getUTCFullYear() === 2025 && d.getUTCMonth() >= 10) q4++;
      if (d.getUTCFullYear() === 2025 && (d.getUTCMonth() === 4 || d.getUTCMonth() === 5)) q2++;
    }
    expect(refunded).toBeGreaterThan(0);
    expect(cancelled).toBeGreaterThan(0);
    expect(discounted / s.orderRows).toBeGreaterThan(0.1);
    expect(q4).toBeGreaterThan(q2 * 1.3); // Nov–Dec 2025 against May–Jun 2025
  });
});

describe("CDNOW loader", () => {
  it("loads the 1/10th sample (2,357 customers, 6,919 transactions) with exact amounts", () => {
    const path = "test/fixtures/cdnow/CDNOW_sample.txt";
    const txs = parseCdnow(readFileSync(path, "utf8"));
    expect(txs.length).toBe(6919);
    const s = loadCdnowStore({ domain: "cdnow.myshopify.com" }, { path });
    expect(s.customerRows).toBe(2357);
    expect(s.orderRows).toBe(6919);
    const total = txs.reduce((a, t) => a + Math.round(t.amount * 100), 0);
    let sum = 0;
    for (let o = 0; o < s.orderRows; o++) sum += s.totalCents(o);
    expect(sum).toBe(total);
    expect(new Date(s.oProcessed.get(0)).toISOString().slice(0, 10)).toBe("1997-01-01");
  });

  it("parses the master format with its header line", () => {
    const txs = parseCdnow(
      " customer_id  date number_of_cds  dollar_value\n 00001 19970101  1   11.77\n 00002 19970112  1   12.00\n",
    );
    expect(txs).toEqual([
      { customerId: "00001", date: "19970101", quantity: 1, amount: 11.77 },
      { customerId: "00002", date: "19970112", quantity: 1, amount: 12 },
    ]);
  });
});

describe("shopify.app.toml reader", () => {
  it("reads the app's webhook subscriptions, redirect URLs and handle", () => {
    const cfg = appConfigFromToml(parseToml(readFileSync("shopify.app.toml", "utf8")));
    expect(cfg.handle).toBe("propel-segments");
    expect(cfg.webhookApiVersion).toBe("2026-10");
    expect(cfg.redirectUrls).toContain("http://localhost:3000/auth/callback");
    expect(cfg.subscriptions.flatMap((s) => s.topics)).toEqual(
      expect.arrayContaining([
        "orders/create",
        "customers/redact",
        "shop/redact",
        "bulk_operations/finish",
      ]),
    );
    expect(cfg.scopes).toContain("read_all_orders");
  });
});
