/**
 * Seeded, deterministic store history generator.
 *
 * Customers follow the BG/NBD story (Fader, Hardie & Lee 2005): while "alive" a customer buys
 * as a Poisson process with rate λ ~ Gamma(r, α); after each purchase they drop out with
 * probability p ~ Beta(a, b). Order values follow the Gamma-Gamma spend model: each customer
 * has ν ~ Gamma(q, γ) and each transaction value z ~ Gamma(p, ν). On top of that: a product
 * catalogue with price tiers, Q4 seasonality (thinning), discount-prone customers and codes,
 * partial/full refunds, cancellations, test orders, email marketing consent and prospects
 * (customers with no order).
 */
import { Rng } from "../util/rng.js";
import { f64, i32 } from "../util/columns.js";
import {
  Store,
  type ConsentState,
  type Discount,
  type PlanName,
  type Product,
  type ShopInfo,
  type CancelReason,
} from "../model/store.js";
import { FIRST_NAMES, LAST_NAMES } from "./names.js";

const DAY = 86_400_000;

export interface GeneratorOptions {
  seed?: number | string;
  customers?: number;
  /** Length of the history in years, ending at `now`. */
  years?: number;
  /** End of the history (ms since epoch). Defaults to the current time. */
  now?: number;
  currencyCode?: string;
  /** BG/NBD parameters, time unit = days (CDNOW estimates converted from weeks). */
  bgnbd?: { r: number; alpha: number; a: number; b: number };
  /** Gamma-Gamma spend parameters (CDNOW estimates; values in the shop currency). */
  gammaGamma?: { p: number; q: number; gamma: number };
  /** Multiplies the Gamma-Gamma order values (CDNOW CDs were cheap). */
  spendScale?: number;
  prospectShare?: number;
  discountProneShare?: number;
  partialRefundRate?: number;
  /** Share of orders that are free replacements or exchanges ($0: no purchase). */
  replacementRate?: number;
  fullRefundRate?: number;
  cancelRate?: number;
  testOrderRate?: number;
}

export interface ShopOptions {
  domain: string;
  name?: string;
  plan?: PlanName;
  shopIndex?: number;
  ianaTimezone?: string;
  email?: string;
}

export const DEFAULT_GENERATOR: Required<Omit<GeneratorOptions, "now">> = {
  seed: 42,
  customers: 2000,
  years: 3,
  currencyCode: "USD",
  bgnbd: { r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426 },
  gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
  spendScale: 2,
  prospectShare: 0.12,
  discountProneShare: 0.25,
  partialRefundRate: 0.04,
  replacementRate: 0.01,
  fullRefundRate: 0.02,
  cancelRate: 0.015,
  testOrderRate: 0.002,
};

const PRODUCT_TYPES = ["Apparel", "Footwear", "Accessories", "Home", "Beauty", "Outdoor"] as const;
const VENDORS = [
  "Northwind",
  "Aurora Goods",
  "Fernhill",
  "Kestrel & Co",
  "Bluebird Supply",
  "Lumen",
];
const ADJECTIVES = [
  "Classic",
  "Everyday",
  "Premium",
  "Organic",
  "Trail",
  "Studio",
  "Heritage",
  "Urban",
];
const NOUNS: Record<(typeof PRODUCT_TYPES)[number], string[]> = {
  Apparel: ["T-Shirt", "Hoodie", "Denim Jacket", "Linen Shirt", "Merino Sweater"],
  Footwear: ["Sneaker", "Chelsea Boot", "Sandal", "Trail Runner"],
  Accessories: ["Tote Bag", "Leather Wallet", "Sunglasses", "Beanie", "Watch Strap"],
  Home: ["Candle", "Throw Blanket", "Ceramic Mug", "Linen Napkins", "Planter"],
  Beauty: ["Face Serum", "Hand Cream", "Lip Balm", "Body Wash"],
  Outdoor: ["Water Bottle", "Daypack", "Camp Chair", "Rain Shell"],
};
/** Price tiers in cents: budget, mid, premium, luxury. */
const TIERS: [number, number][] = [
  [800, 2500],
  [2500, 6000],
  [6000, 15000],
  [15000, 40000],
];
/** Relative purchase intensity by month (Q4 peak). */
const SEASON = [0.85, 0.8, 0.9, 0.95, 1, 0.95, 0.9, 0.95, 1, 1.1, 1.55, 1.75];
const SEASON_MAX = 1.75;

export function buildCatalogue(rng: Rng, createdAt: number, store: Store): Product[] {
  const products: Product[] = [];
  let idx = 0;
  for (const type of PRODUCT_TYPES) {
    for (const noun of NOUNS[type]) {
      for (let v = 0; v < 2; v++) {
        const tier = rng.weighted([3, 4, 2, 1]);
        const [lo, hi] = TIERS[tier] ?? [1000, 2000];
        const price = Math.round((lo + rng.next() * (hi - lo)) / 100) * 100 - 1; // x.99
        const adjective = ADJECTIVES[(idx * 3 + v) % ADJECTIVES.length] ?? "Classic";
        products.push({
          idx,
          id: store.ids.product + idx,
          variantId: store.ids.variant + idx,
          title: `${adjective} ${noun}`,
          productType: type,
          vendor: rng.pick(VENDORS),
          sku: `${type.slice(0, 3).toUpperCase()}-${String(1000 + idx)}`,
          priceCents: price,
          tier,
          createdAt,
        });
        idx++;
      }
    }
  }
  return products;
}

function buildDiscounts(start: number, now: number, store: Store): Discount[] {
  const mk = (
    code: string,
    percent: number,
    startsAt: number,
    endsAt: number | null,
  ): Discount => ({
    id: store.nextMiscId(),
    code,
    title: code,
    percent,
    fixedCents: 0,
    startsAt,
    endsAt,
    createdAt: startsAt,
    usageCount: 0,
    appliesOncePerCustomer: false,
    customerSegmentIds: [],
    source: "generator",
  });
  const list = [
    mk("WELCOME10", 10, start, null),
    mk("SAVE15", 15, start, null),
    mk("VIP20", 20, start, null),
  ];
  const firstYear = new Date(start).getUTCFullYear();
  const lastYear = new Date(now).getUTCFullYear();
  for (let y = firstYear; y <= lastYear; y++) {
    const bfcmStart = Date.UTC(y, 10, 20);
    if (bfcmStart < now) list.push(mk(`BFCM${y % 100}`, 25, bfcmStart, Date.UTC(y, 11, 2)));
    const summer = Date.UTC(y, 6, 1);
    if (summer < now) list.push(mk(`SUMMER${y % 100}`, 15, summer, Date.UTC(y, 7, 1)));
  }
  return list;
}

function consentFor(rng: Rng): ConsentState {
  const k = rng.weighted([40, 45, 10, 4, 1]);
  return (
    (["NOT_SUBSCRIBED", "SUBSCRIBED", "UNSUBSCRIBED", "PENDING", "INVALID"] as const)[k] ??
    "NOT_SUBSCRIBED"
  );
}

function seasonal(t: number): number {
  return SEASON[new Date(t).getUTCMonth()] ?? 1;
}

export function createShopInfo(
  opts: ShopOptions,
  createdAt: number,
  currencyCode: string,
): ShopInfo {
  const handle = opts.domain.replace(/\.myshopify\.com$/, "");
  const shopIndex = opts.shopIndex ?? 0;
  return {
    shopIndex,
    id: 60_000_000_000 + shopIndex * 1000 + 1,
    name:
      opts.name ??
      handle
        .split("-")
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join(" "),
    domain: opts.domain,
    email: opts.email ?? `owner@${handle}.example.com`,
    currencyCode,
    plan: opts.plan ?? "Shopify",
    ianaTimezone: opts.ianaTimezone ?? "America/New_York",
    createdAt,
  };
}

/** Generate a shop with a full, deterministic history. */
export function generateStore(shop: ShopOptions, options: GeneratorOptions = {}): Store {
  const o = { ...DEFAULT_GENERATOR, ...options };
  const now = options.now ?? Date.now();
  const rng = new Rng(`${String(o.seed)}:${shop.domain}`);
  const start = now - o.years * 365 * DAY;
  const store = new Store(createShopInfo(shop, start - 30 * DAY, o.currencyCode));
  store.products = buildCatalogue(rng, start - 30 * DAY, store);
  store.discounts = buildDiscounts(start, now, store);
  const generalCodes = [0, 1, 2];

  // 1. Customers, created in time order (ids grow with time). More recent years bring more
  //    customers (a growing shop): t = start + span · u^0.8.
  const n = o.customers;
  const acq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // growth (u^0.8) and seasonal acquisition (BFCM brings new customers): thinning
    let t: number;
    do t = start + (now - start) * Math.pow(rng.next(), 0.8);
    while (rng.next() >= seasonal(t) / SEASON_MAX);
    acq[i] = t;
  }
  acq.sort();

  // 2. Purchase events per customer (BG/NBD with seasonal thinning) and their values.
  const evCustomer = i32(Math.max(1024, n * 3));
  const evTime = f64(Math.max(1024, n * 3));
  const evValue = f64(Math.max(1024, n * 3));
  const { r, alpha, a, b } = o.bgnbd;
  const gg = o.gammaGamma;
  for (let i = 0; i < n; i++) {
    const createdAt = acq[i] ?? start;
    const prone = rng.chance(o.discountProneShare);
    const idx = store.addCustomer({
      createdAt,
      firstNameIdx: rng.int(0, FIRST_NAMES.length - 1),
      lastNameIdx: rng.int(0, LAST_NAMES.length - 1),
      consent: consentFor(rng),
      discountProne: prone,
      tags: rng.chance(0.04) ? ["newsletter"] : rng.chance(0.01) ? ["wholesale"] : undefined,
    });
    const lambda = rng.gamma(r, alpha);
    const p = rng.beta(a, b);
    const nu = rng.gamma(gg.q, gg.gamma);
    if (rng.chance(o.prospectShare)) continue;
    let t = createdAt + rng.next() * 2 * 3_600_000; // first order shortly after sign-up
    for (;;) {
      if (t > now) break;
      evCustomer.push(idx);
      evTime.push(t);
      evValue.push(rng.gamma(gg.p, nu) * o.spendScale);
      if (rng.chance(p)) break; // dropped out after this purchase
      // next purchase: thinning of a Poisson process with rate λ·season(t)
      for (;;) {
        t += rng.exponential(lambda * SEASON_MAX) * DAY;
        if (t > now || rng.next() < seasonal(t) / SEASON_MAX) break;
      }
    }
  }

  // 3. Orders in time order.
  const m = evTime.length;
  const order = new Uint32Array(m);
  for (let k = 0; k < m; k++) order[k] = k;
  const times = evTime.a;
  order.sort((x, y) => (times[x] ?? 0) - (times[y] ?? 0));
  const lastOrderOf = new Map<number, number>();
  for (let k = 0; k < m; k++) {
    const e = order[k] ?? 0;
    const c = evCustomer.get(e);
    const t = evTime.get(e);
    const target = Math.max(500, Math.round(evValue.get(e) * 100));
    const lines = basket(rng, store.products, target);
    let discountIdx = -1;
    const prone = store.isDiscountProne(c);
    const first = !lastOrderOf.has(c);
    if (rng.chance(prone ? 0.6 : 0.08)) {
      const seasonalCodes = store.discounts
        .map((d, di) => ({ d, di }))
        .filter(({ d }) => d.endsAt !== null && d.startsAt <= t && t < d.endsAt);
      if (first && rng.chance(0.5)) discountIdx = 0;
      else if (seasonalCodes.length > 0 && rng.chance(0.7))
        discountIdx = rng.pick(seasonalCodes).di;
      else discountIdx = rng.pick(generalCodes);
    }
    const itemsTotal = lines.reduce((s, l) => s + l.quantity * l.unitCents, 0);
    // A replacement follows an earlier order of the same customer and is shipped free. Chosen
    // by position, not by a draw, so the rest of the generated shop stays as it was.
    const replacement =
      !first &&
      o.replacementRate > 0 &&
      k % Math.round(1 / o.replacementRate) === 37 % Math.round(1 / o.replacementRate);
    const idx = store.addOrder({
      customerIdx: c,
      processedAt: t,
      lines,
      discountIdx,
      shippingCents: replacement || itemsTotal >= 7500 ? 0 : 695,
      test: rng.chance(o.testOrderRate),
      replacement,
    });
    lastOrderOf.set(c, idx);
    // after-sale events
    const u = rng.next();
    if (u < o.cancelRate) {
      const at = t + rng.next() * 2 * DAY;
      if (at < now) {
        const reason: CancelReason = rng.pick([
          "CUSTOMER",
          "CUSTOMER",
          "INVENTORY",
          "FRAUD",
          "DECLINED",
        ]);
        store.cancelOrder(idx, at, reason, reason !== "DECLINED");
      }
    } else if (u < o.cancelRate + o.fullRefundRate) {
      const at = t + (3 + rng.next() * 20) * DAY;
      if (at < now) store.refundOrder(idx, at, undefined, "Returned");
    } else if (u < o.cancelRate + o.fullRefundRate + o.partialRefundRate) {
      const at = t + (3 + rng.next() * 20) * DAY;
      const total = store.totalCents(idx);
      if (at < now)
        store.refundOrder(idx, at, Math.round(total * (0.1 + rng.next() * 0.5)), "Partial return");
    }
  }
  // "now" is the reference point: customers updated no later than now
  return store;
}

/** Pick 1–4 lines whose value approximates the target (cents). */
function basket(
  rng: Rng,
  products: Product[],
  target: number,
): { productIdx: number; quantity: number; unitCents: number }[] {
  const nLines = Math.min(
    4,
    1 +
      (rng.chance(0.45) ? 1 : 0) +
      (rng.chance(0.2) ? 1 : 0) +
      (target > 20000 && rng.chance(0.3) ? 1 : 0),
  );
  const per = target / nLines;
  const lines: { productIdx: number; quantity: number; unitCents: number }[] = [];
  for (let k = 0; k < nLines; k++) {
    // prefer products priced below the per-line target, closest first, with noise
    let best: Product | undefined;
    let bestScore = Infinity;
    for (let tries = 0; tries < 6; tries++) {
      const p = rng.pick(products);
      const score = Math.abs(Math.log(p.priceCents / per)) + rng.next() * 0.3;
      if (score < bestScore) {
        best = p;
        bestScore = score;
      }
    }
    if (!best) continue;
    if (lines.some((l) => l.productIdx === best.idx)) continue;
    const quantity = Math.max(1, Math.min(5, Math.round(per / best.priceCents)));
    lines.push({ productIdx: best.idx, quantity, unitCents: best.priceCents });
  }
  return lines;
}
