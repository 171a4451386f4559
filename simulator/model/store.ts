/**
 * The store model: one shop's customers, orders, line items and refunds in compact columns
 * (typed arrays, no object per row), plus the small object collections (products, discounts,
 * segments, bulk operations …). A million orders take well under 200 MB.
 *
 * Row index ↔ Shopify id: ids are `base + index`, so lookups by id are O(1) and ids grow with
 * creation time, as Shopify's do.
 */
import { f64, i32, u16, u8, type Column } from "../util/columns.js";
import { FIRST_NAMES, LAST_NAMES } from "../data/names.js";

export type PlanName = "Basic" | "Shopify" | "Advanced" | "Plus" | "Development";

export const PLAN_RESTORE_RATE: Record<PlanName, number> = {
  Basic: 100,
  Shopify: 100,
  Development: 100,
  Advanced: 200,
  Plus: 1000,
};

export const CONSENT_STATES = [
  "NOT_SUBSCRIBED",
  "SUBSCRIBED",
  "UNSUBSCRIBED",
  "PENDING",
  "INVALID",
  "REDACTED",
] as const;
export type ConsentState = (typeof CONSENT_STATES)[number];

export const CANCEL_REASONS = [
  "",
  "CUSTOMER",
  "DECLINED",
  "FRAUD",
  "INVENTORY",
  "OTHER",
  "STAFF",
] as const;
export type CancelReason = Exclude<(typeof CANCEL_REASONS)[number], "">;

export interface ShopInfo {
  shopIndex: number;
  id: number;
  name: string;
  domain: string; // propel-demo.myshopify.com
  email: string;
  currencyCode: string;
  plan: PlanName;
  ianaTimezone: string;
  createdAt: number;
}

export interface Product {
  idx: number;
  id: number;
  variantId: number;
  title: string;
  productType: string;
  vendor: string;
  sku: string;
  priceCents: number;
  tier: number;
  createdAt: number;
}

export interface Discount {
  id: number;
  code: string;
  title: string;
  percent: number; // 0..100; 0 with fixedCents for fixed amount
  fixedCents: number;
  startsAt: number;
  endsAt: number | null;
  createdAt: number;
  usageCount: number;
  appliesOncePerCustomer: boolean;
  customerSegmentIds: string[];
  source: "generator" | "api";
}

export interface Refund {
  id: number;
  createdAt: number;
  amountCents: number;
  note: string | null;
  lines: { lineIdx: number; quantity: number; subtotalCents: number }[];
}

export interface Metafield {
  id: number;
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAt: number;
  updatedAt: number;
}

export interface CustomerOverride {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  note?: string | null;
}

export interface Segment {
  id: number;
  name: string;
  query: string;
  createdAt: number;
  updatedAt: number;
}

export interface FlowTrigger {
  id: number;
  handle: string | null;
  payload: unknown;
  receivedAt: number;
}

export interface OrderSpec {
  customerIdx: number;
  processedAt: number;
  lines: { productIdx: number; quantity: number; unitCents: number }[];
  discountIdx?: number;
  shippingCents?: number;
  test?: boolean;
  /** A free replacement or exchange: every line discounted to 0 ($0 order, no purchase). */
  replacement?: boolean;
}

const ORDER_TEST = 1;
const TAX_RATE = 0.08;
const ORDER_DELETED = 2;
const CUSTOMER_DELETED = 1;
const CUSTOMER_DISCOUNT_PRONE = 2;

export interface IdBases {
  customer: number;
  order: number;
  lineItem: number;
  product: number;
  variant: number;
  refund: number;
  misc: number;
}

export function idBases(shopIndex: number): IdBases {
  const s = shopIndex * 1_000_000_000;
  return {
    customer: 7_300_000_000_000 + s,
    order: 6_100_000_000_000 + s,
    lineItem: 15_800_000_000_000 + s * 4,
    product: 8_900_000_000_000 + s,
    variant: 45_600_000_000_000 + s,
    refund: 1_020_000_000_000 + s,
    misc: 2_200_000_000_000 + s,
  };
}

export class Store {
  readonly ids: IdBases;
  products: Product[] = [];
  discounts: Discount[] = [];
  segments: Segment[] = [];
  flowTriggers: FlowTrigger[] = [];
  /** Bumped on every data change; caches of sorted views key on it. */
  version = 0;
  private miscSeq = 0;

  // customers
  readonly cCreated = f64();
  readonly cUpdated = f64();
  readonly cFirst = u16();
  readonly cLast = u16();
  readonly cConsent = u8();
  readonly cConsentUpdated = f64();
  readonly cFlags = u8();
  readonly cFirstOrder = i32(1024, -1);
  readonly cLastOrder = i32(1024, -1);
  readonly cOverride = new Map<number, CustomerOverride>();
  readonly cTags = new Map<number, string[]>();
  customersAlive = 0;

  // orders
  readonly oCustomer = i32();
  readonly oCreated = f64();
  readonly oProcessed = f64();
  readonly oUpdated = f64();
  readonly oCancelled = f64();
  readonly oCancelReason = u8();
  readonly oFlags = u8();
  readonly oDiscount = i32(1024, -1);
  readonly oDiscountCents = i32();
  readonly oShipping = i32();
  readonly oLineStart = i32();
  readonly oLineCount = u16();
  readonly oRefunded = i32();
  /** Merchandise (line items after discounts) refunded, cents: the refund line items' sum. */
  readonly oRefundedMerchandise = i32();
  readonly oNextForCustomer = i32(1024, -1);
  readonly oRefunds = new Map<number, Refund[]>();
  ordersAlive = 0;

  // line items
  readonly lProduct = u16();
  readonly lQty = u16();
  readonly lUnit = i32();
  readonly lDiscount = i32();

  readonly metafields = new Map<string, Metafield[]>();

  constructor(public shop: ShopInfo) {
    this.ids = idBases(shop.shopIndex);
  }

  nextMiscId(): number {
    return this.ids.misc + ++this.miscSeq;
  }

  /** Customer-side and order-side versions (sorted views are cached per version). */
  cVersion = 0;
  oVersion = 0;

  touch(kind: "c" | "o" | "x" = "x"): void {
    this.version++;
    if (kind === "c") this.cVersion++;
    if (kind === "o") this.oVersion++;
  }

  // ---------- customers ----------

  get customerRows(): number {
    return this.cCreated.length;
  }

  addCustomer(c: {
    createdAt: number;
    firstNameIdx: number;
    lastNameIdx: number;
    consent: ConsentState;
    discountProne?: boolean;
    tags?: string[];
    override?: CustomerOverride;
  }): number {
    const idx = this.cCreated.push(c.createdAt);
    this.cUpdated.push(c.createdAt);
    this.cFirst.push(c.firstNameIdx);
    this.cLast.push(c.lastNameIdx);
    this.cConsent.push(CONSENT_STATES.indexOf(c.consent));
    this.cConsentUpdated.push(c.createdAt);
    this.cFlags.push(c.discountProne ? CUSTOMER_DISCOUNT_PRONE : 0);
    this.cFirstOrder.push(-1);
    this.cLastOrder.push(-1);
    if (c.tags && c.tags.length > 0) this.cTags.set(idx, c.tags);
    if (c.override) this.cOverride.set(idx, c.override);
    this.customersAlive++;
    this.touch("c");
    return idx;
  }

  customerExists(idx: number): boolean {
    return idx >= 0 && idx < this.customerRows && (this.cFlags.get(idx) & CUSTOMER_DELETED) === 0;
  }

  customerIdxFromId(id: number): number {
    const idx = id - this.ids.customer;
    return Number.isInteger(idx) && this.customerExists(idx) ? idx : -1;
  }

  customerId(idx: number): number {
    return this.ids.customer + idx;
  }

  isDiscountProne(idx: number): boolean {
    return (this.cFlags.get(idx) & CUSTOMER_DISCOUNT_PRONE) !== 0;
  }

  firstName(idx: number): string | null {
    const o = this.cOverride.get(idx);
    if (o && o.firstName !== undefined) return o.firstName;
    return FIRST_NAMES[this.cFirst.get(idx) % FIRST_NAMES.length] ?? null;
  }

  lastName(idx: number): string | null {
    const o = this.cOverride.get(idx);
    if (o && o.lastName !== undefined) return o.lastName;
    return LAST_NAMES[this.cLast.get(idx) % LAST_NAMES.length] ?? null;
  }

  email(idx: number): string | null {
    const o = this.cOverride.get(idx);
    if (o && o.email !== undefined) return o.email;
    const first = (FIRST_NAMES[this.cFirst.get(idx) % FIRST_NAMES.length] ?? "x").toLowerCase();
    const last = (LAST_NAMES[this.cLast.get(idx) % LAST_NAMES.length] ?? "y").toLowerCase();
    return `${first}.${last}.${this.customerId(idx) % 1_000_000}@example.com`;
  }

  displayName(idx: number): string {
    const parts = [this.firstName(idx), this.lastName(idx)].filter((s): s is string => !!s);
    return parts.length > 0 ? parts.join(" ") : (this.email(idx) ?? "");
  }

  consent(idx: number): ConsentState {
    return CONSENT_STATES[this.cConsent.get(idx)] ?? "NOT_SUBSCRIBED";
  }

  tags(idx: number): string[] {
    return this.cTags.get(idx) ?? [];
  }

  setTags(idx: number, tags: string[], at: number): void {
    if (tags.length === 0) this.cTags.delete(idx);
    else this.cTags.set(idx, tags);
    this.cUpdated.set(idx, at);
    this.touch("c");
  }

  updateCustomer(
    idx: number,
    patch: CustomerOverride & { consent?: ConsentState },
    at: number,
  ): void {
    const { consent, ...rest } = patch;
    if (consent) {
      this.cConsent.set(idx, CONSENT_STATES.indexOf(consent));
      this.cConsentUpdated.set(idx, at);
    }
    if (Object.keys(rest).length > 0) {
      this.cOverride.set(idx, { ...this.cOverride.get(idx), ...rest });
    }
    this.cUpdated.set(idx, at);
    this.touch("c");
  }

  deleteCustomer(idx: number): void {
    this.cFlags.set(idx, this.cFlags.get(idx) | CUSTOMER_DELETED);
    this.cTags.delete(idx);
    this.metafields.delete(`gid://shopify/Customer/${this.customerId(idx)}`);
    this.customersAlive--;
    this.touch("c");
  }

  /** Live orders of a customer, oldest first. */
  customerOrders(idx: number): number[] {
    const out: number[] = [];
    for (let o = this.cFirstOrder.get(idx); o >= 0; o = this.oNextForCustomer.get(o)) {
      if (this.orderExists(o)) out.push(o);
    }
    return out;
  }

  numberOfOrders(idx: number): number {
    let n = 0;
    for (let o = this.cFirstOrder.get(idx); o >= 0; o = this.oNextForCustomer.get(o)) {
      if (this.orderExists(o) && !this.isTest(o)) n++;
    }
    return n;
  }

  /** Shopify's amountSpent: what the customer paid, net of refunds, excluding test orders. */
  amountSpentCents(idx: number): number {
    let sum = 0;
    for (let o = this.cFirstOrder.get(idx); o >= 0; o = this.oNextForCustomer.get(o)) {
      if (this.orderExists(o) && !this.isTest(o)) sum += this.currentTotalCents(o);
    }
    return sum;
  }

  // ---------- orders ----------

  get orderRows(): number {
    return this.oCustomer.length;
  }

  addOrder(spec: OrderSpec): number {
    const idx = this.oCustomer.push(spec.customerIdx);
    this.oCreated.push(spec.processedAt);
    this.oProcessed.push(spec.processedAt);
    this.oUpdated.push(spec.processedAt);
    this.oCancelled.push(Number.NaN);
    this.oCancelReason.push(0);
    this.oFlags.push(spec.test ? ORDER_TEST : 0);
    this.oShipping.push(spec.shippingCents ?? 0);
    this.oRefunded.push(0);
    this.oRefundedMerchandise.push(0);
    this.oNextForCustomer.push(-1);
    const lineStart = this.lProduct.length;
    this.oLineStart.push(lineStart);
    this.oLineCount.push(spec.lines.length);
    let itemsTotal = 0;
    for (const l of spec.lines) {
      this.lProduct.push(l.productIdx);
      this.lQty.push(l.quantity);
      this.lUnit.push(l.unitCents);
      this.lDiscount.push(0);
      itemsTotal += l.quantity * l.unitCents;
    }
    let discountCents = 0;
    const discountIdx = spec.discountIdx ?? -1;
    const d = discountIdx >= 0 ? this.discounts[discountIdx] : undefined;
    if (d) {
      discountCents = d.percent > 0 ? Math.round((itemsTotal * d.percent) / 100) : d.fixedCents;
      discountCents = Math.min(discountCents, itemsTotal);
      d.usageCount++;
      // allocate across lines proportionally; remainder on the last line
      let left = discountCents;
      spec.lines.forEach((l, k) => {
        const share =
          k === spec.lines.length - 1
            ? left
            : Math.round((discountCents * l.quantity * l.unitCents) / Math.max(1, itemsTotal));
        this.lDiscount.set(lineStart + k, share);
        left -= share;
      });
    }
    if (spec.replacement) {
      discountCents = itemsTotal;
      spec.lines.forEach((l, k) => this.lDiscount.set(lineStart + k, l.quantity * l.unitCents));
    }
    this.oDiscount.push(d ? discountIdx : -1);
    this.oDiscountCents.push(discountCents);
    const c = spec.customerIdx;
    if (c >= 0) {
      const last = this.cLastOrder.get(c);
      if (last < 0) this.cFirstOrder.set(c, idx);
      else this.oNextForCustomer.set(last, idx);
      this.cLastOrder.set(c, idx);
      if (spec.processedAt > this.cUpdated.get(c)) this.cUpdated.set(c, spec.processedAt);
      this.cVersion++;
    }
    this.ordersAlive++;
    this.touch("o");
    return idx;
  }

  orderExists(idx: number): boolean {
    return idx >= 0 && idx < this.orderRows && (this.oFlags.get(idx) & ORDER_DELETED) === 0;
  }

  orderIdxFromId(id: number): number {
    const idx = id - this.ids.order;
    return Number.isInteger(idx) && this.orderExists(idx) ? idx : -1;
  }

  orderId(idx: number): number {
    return this.ids.order + idx;
  }

  orderName(idx: number): string {
    return `#${1001 + idx}`;
  }

  isTest(idx: number): boolean {
    return (this.oFlags.get(idx) & ORDER_TEST) !== 0;
  }

  isCancelled(idx: number): boolean {
    return !Number.isNaN(this.oCancelled.get(idx));
  }

  cancelReason(idx: number): CancelReason | null {
    const r = CANCEL_REASONS[this.oCancelReason.get(idx)];
    return r ? r : null;
  }

  lineItemsTotalCents(idx: number): number {
    const start = this.oLineStart.get(idx);
    let sum = 0;
    for (let l = start; l < start + this.oLineCount.get(idx); l++) {
      sum += this.lQty.get(l) * this.lUnit.get(l);
    }
    return sum;
  }

  subtotalCents(idx: number): number {
    return this.lineItemsTotalCents(idx) - this.oDiscountCents.get(idx);
  }

  /** Sales tax rate on merchandise, prices without tax (8 %; a data set of totals sets 0). */
  taxRate = TAX_RATE;

  taxCents(idx: number): number {
    return Math.round(this.subtotalCents(idx) * this.taxRate);
  }

  totalCents(idx: number): number {
    return this.subtotalCents(idx) + this.oShipping.get(idx) + this.taxCents(idx);
  }

  /** Subtotal after returns: the merchandise not refunded. */
  currentSubtotalCents(idx: number): number {
    return this.subtotalCents(idx) - this.oRefundedMerchandise.get(idx);
  }

  currentTotalCents(idx: number): number {
    return Math.max(0, this.totalCents(idx) - this.oRefunded.get(idx));
  }

  financialStatus(idx: number): "PAID" | "PARTIALLY_REFUNDED" | "REFUNDED" | "VOIDED" {
    const refunded = this.oRefunded.get(idx);
    if (this.isCancelled(idx) && refunded === 0) return "VOIDED";
    if (refunded <= 0) return "PAID";
    return refunded >= this.totalCents(idx) ? "REFUNDED" : "PARTIALLY_REFUNDED";
  }

  discountCode(idx: number): Discount | undefined {
    const d = this.oDiscount.get(idx);
    return d >= 0 ? this.discounts[d] : undefined;
  }

  refunds(idx: number): Refund[] {
    return this.oRefunds.get(idx) ?? [];
  }

  lineRange(idx: number): { start: number; end: number } {
    const start = this.oLineStart.get(idx);
    return { start, end: start + this.oLineCount.get(idx) };
  }

  lineItemId(lineIdx: number): number {
    return this.ids.lineItem + lineIdx;
  }

  /**
   * Refund an amount (partial) or, with no amount, everything not yet refunded. The merchandise
   * part of a partial refund is its share of the order (the rest is shipping and tax), put on
   * the first line item as Shopify's refund line items carry it.
   */
  refundOrder(idx: number, at: number, amountCents?: number, note: string | null = null): Refund {
    const total = this.totalCents(idx);
    const already = this.oRefunded.get(idx);
    const amount = Math.max(0, Math.min(total - already, amountCents ?? total - already));
    const subtotal = this.subtotalCents(idx);
    const merchandiseLeft = subtotal - this.oRefundedMerchandise.get(idx);
    const full = amountCents === undefined || amount >= total - already;
    const merchandise = full
      ? merchandiseLeft
      : Math.min(merchandiseLeft, Math.round((amount * subtotal) / Math.max(1, total)));
    const lines: Refund["lines"] = [];
    const { start, end } = this.lineRange(idx);
    if (full && merchandise === subtotal) {
      for (let l = start; l < end; l++) {
        lines.push({
          lineIdx: l,
          quantity: this.lQty.get(l),
          subtotalCents: this.lQty.get(l) * this.lUnit.get(l) - this.lDiscount.get(l),
        });
      }
    } else if (merchandise > 0 && end > start) {
      lines.push({ lineIdx: start, quantity: 1, subtotalCents: merchandise });
    }
    this.oRefundedMerchandise.set(idx, this.oRefundedMerchandise.get(idx) + merchandise);
    const list = this.oRefunds.get(idx) ?? [];
    const refund: Refund = {
      id: this.ids.refund + idx * 4 + list.length,
      createdAt: at,
      amountCents: amount,
      note,
      lines,
    };
    list.push(refund);
    this.oRefunds.set(idx, list);
    this.oRefunded.set(idx, already + amount);
    this.oUpdated.set(idx, at);
    this.touch("o");
    return refund;
  }

  cancelOrder(idx: number, at: number, reason: CancelReason, refund: boolean): void {
    this.oCancelled.set(idx, at);
    this.oCancelReason.set(idx, CANCEL_REASONS.indexOf(reason));
    this.oUpdated.set(idx, at);
    if (refund) this.refundOrder(idx, at);
    this.touch("o");
  }

  deleteOrder(idx: number): void {
    this.oFlags.set(idx, this.oFlags.get(idx) | ORDER_DELETED);
    this.ordersAlive--;
    this.touch("o");
  }

  // ---------- metafields ----------

  getMetafields(ownerId: string): Metafield[] {
    return this.metafields.get(ownerId) ?? [];
  }

  setMetafield(
    ownerId: string,
    m: { namespace: string; key: string; type: string; value: string },
    at: number,
  ): Metafield {
    const list = this.metafields.get(ownerId) ?? [];
    const existing = list.find((x) => x.namespace === m.namespace && x.key === m.key);
    if (existing) {
      existing.value = m.value;
      existing.type = m.type;
      existing.updatedAt = at;
      this.touch();
      return existing;
    }
    const created: Metafield = {
      id: this.nextMiscId(),
      ownerId,
      ...m,
      createdAt: at,
      updatedAt: at,
    };
    list.push(created);
    this.metafields.set(ownerId, list);
    this.touch();
    return created;
  }
}

export type { Column };
