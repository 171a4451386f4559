/**
 * Synthetic shops drawn from the models' own generative story (BG/NBD for timing, Gamma-Gamma
 * for spend), with a seeded PRNG so that tests and benchmarks are reproducible. Used to check
 * that the fits recover known parameters and to time the engine at a million customers.
 */
import type { BgNbdParams } from "./bgnbd";
import type { GammaGammaParams } from "./gammaGamma";
import type { OrderInput } from "./types";

/** mulberry32: a tiny, fast 32-bit PRNG; plenty for simulation, not for cryptography. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, rate) by Marsaglia & Tsang (2000), with the shape < 1 boost. */
export function sampleGamma(random: () => number, shape: number, rate: number): number {
  if (shape < 1) return sampleGamma(random, shape + 1, rate) * Math.pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

export function sampleBeta(random: () => number, a: number, b: number): number {
  const x = sampleGamma(random, a, 1);
  return x / (x + sampleGamma(random, b, 1));
}

export interface SyntheticShopOptions {
  customers: number;
  seed?: number;
  /** BG/NBD parameters with times in days. */
  bgnbd?: BgNbdParams;
  /** Gamma-Gamma parameters in major units. */
  gammaGamma?: GammaGammaParams;
  /** First purchases spread uniformly over [0, acquisitionDays) from `startDay`. */
  acquisitionDays?: number;
  /** Observation ends `historyDays` after `startDay` (inclusive). */
  historyDays?: number;
  startDay?: number;
}

/** Columnar purchase histories (one entry per purchase day; values in cents). */
export interface SyntheticShop {
  customerOf: Int32Array;
  day: Int32Array;
  valueMinor: Float64Array;
  endDay: number;
  customers: number;
}

export const SYNTHETIC_DEFAULTS = {
  bgnbd: { r: 0.25, alpha: 30, a: 0.8, b: 2.5 },
  gammaGamma: { p: 6, q: 3.7, v: 15 },
};

export function syntheticShop(options: SyntheticShopOptions): SyntheticShop {
  const random = seededRandom(options.seed ?? 1);
  const { r, alpha, a, b } = options.bgnbd ?? SYNTHETIC_DEFAULTS.bgnbd;
  const gg = options.gammaGamma ?? SYNTHETIC_DEFAULTS.gammaGamma;
  const startDay = options.startDay ?? 19_000;
  const historyDays = options.historyDays ?? 730;
  const acquisitionDays = options.acquisitionDays ?? 700;
  const endDay = startDay + historyDays;
  const customerOf: number[] = [];
  const day: number[] = [];
  const value: number[] = [];
  for (let c = 0; c < options.customers; c++) {
    const lambda = sampleGamma(random, r, alpha);
    const dropout = sampleBeta(random, a, b);
    const nu = sampleGamma(random, gg.q, gg.v);
    let t = startDay + Math.floor(random() * acquisitionDays);
    let previousDay = -1;
    // The first purchase starts the clock; after every *repeat* purchase she may drop out
    // (FHL 2005 §3: alive with probability (1 − p)^x after x repeat purchases).
    for (let purchase = 0; ; purchase++) {
      const d = Math.floor(t);
      if (d > endDay) break;
      // Purchases on the same day merge into one, as the summaries count days.
      if (d !== previousDay) {
        customerOf.push(c);
        day.push(d);
        value.push(Math.max(1, Math.round(100 * sampleGamma(random, gg.p, nu))));
        previousDay = d;
      }
      if (purchase > 0 && random() < dropout) break;
      t += -Math.log(1 - random()) / lambda;
    }
  }
  return {
    customerOf: Int32Array.from(customerOf),
    day: Int32Array.from(day),
    valueMinor: Float64Array.from(value),
    endDay,
    customers: options.customers,
  };
}

/** The same shop as `OrderInput` objects, one order per purchase day, in USD. */
export function syntheticOrders(shop: SyntheticShop): OrderInput[] {
  const isoOfDay = new Map<number, string>();
  const iso = (d: number) => {
    let s = isoOfDay.get(d);
    if (s === undefined) {
      s = new Date(d * 86_400_000).toISOString().slice(0, 10);
      isoOfDay.set(d, s);
    }
    return s;
  };
  const orders: OrderInput[] = new Array<OrderInput>(shop.day.length);
  for (let i = 0; i < shop.day.length; i++) {
    orders[i] = {
      customerId: `c${shop.customerOf[i]}`,
      orderId: `o${i}`,
      processedAt: iso(shop.day[i]),
      currency: "USD",
      totalMinor: shop.valueMinor[i],
    };
  }
  return orders;
}
