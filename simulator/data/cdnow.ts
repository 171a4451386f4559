/**
 * Loader for the CDNOW transaction files (Bruce Hardie's sample, as shipped with `lifetimes`):
 *   master: `customer_id date(YYYYMMDD) quantity amount` (optional header line)
 *   sample: `master_id sample_id date quantity amount`
 * Every transaction becomes one order of `quantity` CDs worth `amount` in total. Customers are
 * created at their first transaction. Dates can be shifted so the history ends near "now".
 */
import { readFileSync } from "node:fs";
import { Rng } from "../util/rng.js";
import { Store } from "../model/store.js";
import { createShopInfo, type ShopOptions } from "./generator.js";
import { FIRST_NAMES, LAST_NAMES } from "./names.js";

export interface CdnowTransaction {
  customerId: string;
  date: string; // YYYYMMDD
  quantity: number;
  amount: number;
}

export function parseCdnow(text: string): CdnowTransaction[] {
  const out: CdnowTransaction[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const parts = raw.trim().split(/[\s,]+/);
    if (parts.length < 4) continue;
    const five = parts.length >= 5;
    const [id, date, qty, amount] = five
      ? [parts[0], parts[2], parts[3], parts[4]]
      : [parts[0], parts[1], parts[2], parts[3]];
    if (!id || !date || !/^\d{8}$/.test(date)) continue; // header or junk
    out.push({ customerId: id, date, quantity: Number(qty), amount: Number(amount) });
  }
  return out;
}

export interface CdnowLoadOptions {
  /** Shift all dates by this many days (e.g. to make 1997–1998 end near today). */
  shiftDays?: number;
  currencyCode?: string;
  seed?: number | string;
}

function dateMs(yyyymmdd: string): number {
  return Date.UTC(
    Number(yyyymmdd.slice(0, 4)),
    Number(yyyymmdd.slice(4, 6)) - 1,
    Number(yyyymmdd.slice(6, 8)),
    12,
  );
}

export function loadCdnowStore(
  shop: ShopOptions,
  source: { path: string } | { text: string },
  options: CdnowLoadOptions = {},
): Store {
  const text = "path" in source ? readFileSync(source.path, "utf8") : source.text;
  const txs = parseCdnow(text);
  const shift = (options.shiftDays ?? 0) * 86_400_000;
  const rng = new Rng(options.seed ?? "cdnow");
  txs.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
  const first = txs[0];
  const start = (first ? dateMs(first.date) : Date.now()) + shift;
  const store = new Store(createShopInfo(shop, start - 86_400_000, options.currencyCode ?? "USD"));
  // CDNOW's amounts are what customers paid: no tax on top.
  store.taxRate = 0;
  store.products = [
    {
      idx: 0,
      id: store.ids.product,
      variantId: store.ids.variant,
      title: "Compact Disc",
      productType: "Music",
      vendor: "CDNOW",
      sku: "CD-0001",
      priceCents: 1200,
      tier: 0,
      createdAt: start,
    },
  ];
  const customerIdx = new Map<string, number>();
  for (const t of txs) {
    const at = dateMs(t.date) + shift;
    let c = customerIdx.get(t.customerId);
    if (c === undefined) {
      c = store.addCustomer({
        createdAt: at,
        firstNameIdx: rng.int(0, FIRST_NAMES.length - 1),
        lastNameIdx: rng.int(0, LAST_NAMES.length - 1),
        consent: "NOT_SUBSCRIBED",
        tags: [`cdnow-${t.customerId}`],
      });
      customerIdx.set(t.customerId, c);
    }
    const qty = Math.max(1, Math.round(t.quantity));
    const cents = Math.round(t.amount * 100);
    // split the amount over the quantity exactly: (qty-1) units at floor, one carries the rest
    const unit = Math.floor(cents / qty);
    const rest = cents - unit * qty;
    const lines =
      rest === 0
        ? [{ productIdx: 0, quantity: qty, unitCents: unit }]
        : qty === 1
          ? [{ productIdx: 0, quantity: 1, unitCents: cents }]
          : [
              { productIdx: 0, quantity: qty - 1, unitCents: unit },
              { productIdx: 0, quantity: 1, unitCents: unit + rest },
            ];
    store.addOrder({ customerIdx: c, processedAt: at, lines, shippingCents: 0 });
  }
  return store;
}
