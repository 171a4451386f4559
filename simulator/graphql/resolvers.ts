/**
 * Resolvers over the store model. Every object handed to graphql-js is a plain "view" whose
 * properties (or methods, called with the field's args) answer the schema's fields; a field
 * the view does not have raises a clear "not supported by the simulator" error instead of a
 * silent null.
 */
import { randomUUID } from "node:crypto";
import { GraphQLError, type GraphQLFieldResolver, type GraphQLResolveInfo } from "graphql";
import type { ShopRuntime, Simulator } from "../core.js";
import type { Metafield, Store } from "../model/store.js";
import { money } from "../webhooks/payloads.js";
import {
  idOrdering,
  listOrdering,
  paginate,
  sortedOrdering,
  type ConnectionArgs,
  type Ordering,
  type Page,
} from "./connection.js";
import { compileSearch, type SearchSpec } from "./search.js";
import { compileSegmentQuery } from "../model/segment-query.js";
import { customerStatistics } from "../model/statistics.js";
import {
  bulkOperationView,
  cancelBulkOperation,
  startBulkMutation,
  startBulkQuery,
} from "./bulk.js";

export interface ResolverContext {
  sim: Simulator;
  rt: ShopRuntime;
  apiVersion: string;
  bulk: boolean;
  searchWarnings: unknown[];
  /** Bulk query paging of the root connection (set by the bulk runner). */
  bulkPage?: { first: number; after: string | null };
  bulkPageOut?: { hasNextPage: boolean; endCursor: string | null };
}

type Args = Record<string, unknown>;
type View = Record<string, unknown>;

export const fieldResolver: GraphQLFieldResolver<unknown, ResolverContext> = (
  source,
  args,
  ctx,
  info,
) => {
  if (source !== null && typeof source === "object") {
    const rec = source as Record<string, unknown>;
    if (info.fieldName in rec) {
      const v = rec[info.fieldName];
      if (typeof v === "function") {
        return (v as (a: Args, c: ResolverContext, i: GraphQLResolveInfo) => unknown).call(
          source,
          args,
          ctx,
          info,
        );
      }
      return v;
    }
  }
  throw new GraphQLError(
    `Field '${info.fieldName}' on type '${info.parentType.name}' is not supported by the Propel store simulator.`,
    { extensions: { code: "NOT_SUPPORTED_BY_SIMULATOR" } },
  );
};

// ---------------------------------------------------------------- helpers

export function iso(ms: number): string {
  // toISOString always ends in `.sssZ`; Shopify's timestamps have no milliseconds.
  return new Date(ms).toISOString().slice(0, -5) + "Z";
}
const isoOrNull = (ms: number): string | null => (Number.isNaN(ms) ? null : iso(ms));

export function parseGid(gid: unknown): { type: string; id: number } | null {
  if (typeof gid !== "string") return null;
  const m = gid.match(/^gid:\/\/shopify\/(\w+)\/(\d+)(\?.*)?$/);
  return m ? { type: m[1] ?? "", id: Number(m[2]) } : null;
}

function moneyV2(store: Store, cents: number): View {
  return { amount: money(cents), currencyCode: store.shop.currencyCode };
}
function bag(store: Store, cents: number): View {
  return { shopMoney: moneyV2(store, cents), presentmentMoney: moneyV2(store, cents) };
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function connArgs(args: Args): ConnectionArgs {
  return {
    first: typeof args.first === "number" ? args.first : null,
    last: typeof args.last === "number" ? args.last : null,
    after: str(args.after) ?? null,
    before: str(args.before) ?? null,
    reverse: args.reverse === true,
  };
}

function isRootField(info: GraphQLResolveInfo): boolean {
  return info.path.prev === undefined;
}

function cachedOrdering(
  ctx: ResolverContext,
  key: string,
  version: number,
  size: number,
  build: () => Ordering,
): Ordering {
  // one entry per sort key: a stale ordering is replaced, never kept beside the new one
  const hit = ctx.rt.sortCache.get(key);
  const value = hit?.value as Ordering | undefined;
  if (hit && value && hit.version === version && value.size === size) return value;
  const fresh = build();
  ctx.rt.sortCache.set(key, { version, value: fresh });
  return fresh;
}

function listConnection<N>(
  items: readonly N[],
  args: Args,
  ctx: ResolverContext,
  idOf: (n: N, i: number) => number,
): Page<N> {
  const rows = items.map((_, i) => i);
  return paginate(
    listOrdering(rows),
    () => true,
    connArgs(args),
    (r) => idOf(items[r] as N, r),
    (id) => items.findIndex((n, i) => idOf(n, i) === id),
    (r) => idOf(items[r] as N, r),
    (r) => items[r] as N,
    ctx.bulk,
  );
}

function pageFor(
  ctx: ResolverContext,
  info: GraphQLResolveInfo,
  ordering: Ordering,
  match: (row: number) => boolean,
  args: Args,
  rowIdOf: (r: number) => number,
  rowFromId: (id: number) => number,
  cursorValue: (r: number) => string | number,
  toNode: (r: number) => View,
): Page<View> {
  let a = connArgs(args);
  const bulkRoot = ctx.bulk && ctx.bulkPage && isRootField(info);
  if (bulkRoot && ctx.bulkPage)
    a = { ...a, first: ctx.bulkPage.first, last: null, after: ctx.bulkPage.after, before: null };
  const page = paginate(ordering, match, a, rowIdOf, rowFromId, cursorValue, toNode, ctx.bulk);
  if (bulkRoot)
    ctx.bulkPageOut = {
      hasNextPage: page.pageInfo.hasNextPage,
      endCursor: page.pageInfo.endCursor,
    };
  return page;
}

function countOf(total: number, args: Args): View {
  const limit =
    args.limit === undefined ? 10000 : typeof args.limit === "number" ? args.limit : null;
  if (limit !== null && total > limit) return { count: limit, precision: "AT_LEAST" };
  return { count: total, precision: "EXACT" };
}

// ---------------------------------------------------------------- search specs

function customerSpec(s: Store): SearchSpec<number> {
  return {
    fields: {
      id: { type: "number", get: (c) => s.customerId(c) },
      created_at: { type: "date", get: (c) => s.cCreated.get(c) },
      updated_at: { type: "date", get: (c) => s.cUpdated.get(c) },
      email: { type: "string", get: (c) => s.email(c) },
      first_name: { type: "string", get: (c) => s.firstName(c) },
      last_name: { type: "string", get: (c) => s.lastName(c) },
      tag: { type: "tags", get: (c) => s.tags(c) },
      orders_count: { type: "number", get: (c) => s.numberOfOrders(c) },
      number_of_orders: { type: "number", get: (c) => s.numberOfOrders(c) },
      total_spent: { type: "number", get: (c) => s.amountSpentCents(c) / 100 },
      amount_spent: { type: "number", get: (c) => s.amountSpentCents(c) / 100 },
      accepts_marketing: { type: "boolean", get: (c) => s.consent(c) === "SUBSCRIBED" },
      email_marketing_state: { type: "string", get: (c) => s.consent(c) },
      state: { type: "string", get: () => "enabled" },
    },
    text: (c) => [s.email(c) ?? "", s.firstName(c) ?? "", s.lastName(c) ?? ""],
  };
}

function orderSpec(s: Store): SearchSpec<number> {
  return {
    fields: {
      id: { type: "number", get: (o) => s.orderId(o) },
      created_at: { type: "date", get: (o) => s.oCreated.get(o) },
      updated_at: { type: "date", get: (o) => s.oUpdated.get(o) },
      processed_at: { type: "date", get: (o) => s.oProcessed.get(o) },
      cancelled_at: { type: "date", get: (o) => s.oCancelled.get(o) },
      customer_id: {
        type: "number",
        get: (o) => (s.oCustomer.get(o) >= 0 ? s.customerId(s.oCustomer.get(o)) : null),
      },
      email: {
        type: "string",
        get: (o) => (s.oCustomer.get(o) >= 0 ? s.email(s.oCustomer.get(o)) : null),
      },
      name: { type: "string", get: (o) => s.orderName(o) },
      status: { type: "string", get: (o) => (s.isCancelled(o) ? "cancelled" : "open") },
      financial_status: { type: "string", get: (o) => s.financialStatus(o).toLowerCase() },
      test: { type: "boolean", get: (o) => s.isTest(o) },
      discount_code: { type: "string", get: (o) => s.discountCode(o)?.code ?? null },
      tag: { type: "tags", get: () => [] },
      sku: {
        type: "tags",
        get: (o) => {
          const { start, end } = s.lineRange(o);
          const out: string[] = [];
          for (let l = start; l < end; l++) out.push(s.products[s.lProduct.get(l)]?.sku ?? "");
          return out;
        },
      },
    },
    text: (o) => [
      s.orderName(o),
      s.oCustomer.get(o) >= 0 ? (s.email(s.oCustomer.get(o)) ?? "") : "",
    ],
  };
}

function orderQuery(query: string | undefined): string | undefined {
  // `status:any` is Shopify's way of saying "no status filter"
  return query?.replace(/\bstatus:any\b/gi, "");
}

function customerOrdering(
  ctx: ResolverContext,
  sortKey: unknown,
): { ordering: Ordering; value: (r: number) => string | number } {
  const s = ctx.rt.store;
  const n = s.customerRows;
  switch (sortKey) {
    case "CREATED_AT":
      return {
        ordering: cachedOrdering(ctx, "c:created", s.cVersion, n, () =>
          sortedOrdering(n, (r) => s.cCreated.get(r)),
        ),
        value: (r) => iso(s.cCreated.get(r)),
      };
    case "UPDATED_AT":
      return {
        ordering: cachedOrdering(ctx, "c:updated", s.cVersion, n, () =>
          sortedOrdering(n, (r) => s.cUpdated.get(r)),
        ),
        value: (r) => iso(s.cUpdated.get(r)),
      };
    default:
      return { ordering: idOrdering(n), value: (r) => s.customerId(r) };
  }
}

function orderOrdering(
  ctx: ResolverContext,
  sortKey: unknown,
): { ordering: Ordering; value: (r: number) => string | number } {
  const s = ctx.rt.store;
  const n = s.orderRows;
  const by = (
    key: string,
    f: (r: number) => number,
    v: (r: number) => string | number,
  ): { ordering: Ordering; value: (r: number) => string | number } => ({
    ordering: cachedOrdering(ctx, `o:${key}`, s.oVersion, n, () => sortedOrdering(n, f)),
    value: v,
  });
  switch (sortKey) {
    case "CREATED_AT":
      return by(
        "created",
        (r) => s.oCreated.get(r),
        (r) => iso(s.oCreated.get(r)),
      );
    case "PROCESSED_AT":
      return by(
        "processed",
        (r) => s.oProcessed.get(r),
        (r) => iso(s.oProcessed.get(r)),
      );
    case "UPDATED_AT":
      return by(
        "updated",
        (r) => s.oUpdated.get(r),
        (r) => iso(s.oUpdated.get(r)),
      );
    case "TOTAL_PRICE":
      return by(
        "total",
        (r) => s.totalCents(r),
        (r) => money(s.totalCents(r)),
      );
    case "CURRENT_TOTAL_PRICE":
      return by(
        "current",
        (r) => s.currentTotalCents(r),
        (r) => money(s.currentTotalCents(r)),
      );
    default:
      return { ordering: idOrdering(n), value: (r) => s.orderId(r) };
  }
}

// ---------------------------------------------------------------- views

function metafieldView(ctx: ResolverContext, m: Metafield): View {
  return {
    __typename: "Metafield",
    id: `gid://shopify/Metafield/${m.id}`,
    legacyResourceId: String(m.id),
    namespace: m.namespace,
    key: m.key,
    type: m.type,
    value: m.value,
    jsonValue: (() => {
      if (m.type.startsWith("json") || m.type.startsWith("list.")) {
        try {
          return JSON.parse(m.value) as unknown;
        } catch {
          return m.value;
        }
      }
      if (m.type === "number_integer" || m.type === "number_decimal") return Number(m.value);
      if (m.type === "boolean") return m.value === "true";
      return m.value;
    })(),
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
    compareDigest: Buffer.from(`${m.id}:${m.updatedAt}`).toString("base64"),
    description: null,
    definition: null,
    ownerType: (parseGid(m.ownerId)?.type ?? "SHOP")
      .replace(/([a-z])([A-Z])/g, "$1_$2")
      .toUpperCase(),
    owner: () => nodeById(ctx, m.ownerId),
  };
}

// Resolvers of a view are methods, not arrow functions: under tsx (esbuild's keepNames) every
// arrow function given to a property is renamed through Object.defineProperty as it is made,
// and a bulk query makes views for millions of objects.
function metafieldsFields(ctx: ResolverContext, ownerId: string): View {
  return {
    metafield(args: Args) {
      const ns = str(args.namespace) ?? appNamespace(ctx);
      const m = ctx.rt.store
        .getMetafields(ownerId)
        .find((x) => x.namespace === ns && x.key === args.key);
      return m ? metafieldView(ctx, m) : null;
    },
    metafields(args: Args) {
      let items: Metafield[] = ctx.rt.store.getMetafields(ownerId);
      const ns = str(args.namespace);
      if (ns) items = items.filter((m) => m.namespace === ns);
      if (Array.isArray(args.keys)) {
        const keys = new Set(args.keys.filter((k): k is string => typeof k === "string"));
        items = items.filter((m) => keys.has(`${m.namespace}.${m.key}`));
      }
      const page = listConnection(items, args, ctx, (m) => m.id);
      return {
        ...page,
        edges: page.edges.map((e) => ({ cursor: e.cursor, node: metafieldView(ctx, e.node) })),
        nodes: page.nodes.map((m) => metafieldView(ctx, m)),
      };
    },
  };
}

export function appNamespace(ctx: ResolverContext): string {
  return `app--${ctx.sim.options.apiKey.slice(0, 12) || "app"}`;
}

export function customerView(ctx: ResolverContext, c: number): View {
  const s = ctx.rt.store;
  const id = s.customerId(c);
  const gid = `gid://shopify/Customer/${id}`;
  return {
    __typename: "Customer",
    id: gid,
    get legacyResourceId() {
      return String(id);
    },
    get email() {
      return s.email(c);
    },
    get firstName() {
      return s.firstName(c);
    },
    get lastName() {
      return s.lastName(c);
    },
    get displayName() {
      return s.displayName(c);
    },
    get phone() {
      return s.cOverride.get(c)?.phone ?? null;
    },
    get note() {
      return s.cOverride.get(c)?.note ?? null;
    },
    get createdAt() {
      return iso(s.cCreated.get(c));
    },
    get updatedAt() {
      return iso(s.cUpdated.get(c));
    },
    get tags() {
      return s.tags(c);
    },
    state: "ENABLED",
    verifiedEmail: true,
    taxExempt: false,
    locale: "en",
    canDelete: false,
    get numberOfOrders() {
      return String(s.numberOfOrders(c));
    },
    get amountSpent() {
      return moneyV2(s, s.amountSpentCents(c));
    },
    // Shopify's daily RFM group and spend tier (how, and why they differ from Propel's:
    // model/statistics.ts). Null fields for a customer created since the day's run.
    get statistics() {
      const stats = customerStatistics(s, c, ctx.sim.clock.now());
      return {
        rfmGroup: stats?.rfmGroup ?? null,
        predictedSpendTier: stats?.predictedSpendTier ?? null,
      };
    },
    get emailMarketingConsent() {
      return {
        marketingState: s.consent(c),
        marketingOptInLevel: "SINGLE_OPT_IN",
        consentUpdatedAt: iso(s.cConsentUpdated.get(c)),
      };
    },
    get defaultEmailAddress() {
      const e = s.email(c);
      return e
        ? {
            emailAddress: e,
            marketingState: s.consent(c),
            marketingOptInLevel: "SINGLE_OPT_IN",
            marketingUpdatedAt: iso(s.cConsentUpdated.get(c)),
          }
        : null;
    },
    smsMarketingConsent: null,
    defaultPhoneNumber: null,
    defaultAddress: null,
    lastOrder() {
      const list = s.customerOrders(c);
      const last = list[list.length - 1];
      return last === undefined ? null : orderView(ctx, last);
    },
    orders(args: Args, _c: ResolverContext, info: GraphQLResolveInfo) {
      const rows = s.customerOrders(c);
      const { match } = compileSearch(
        orderQuery(str(args.query)),
        orderSpec(s),
        ctx.sim.clock.now(),
      );
      return pageFor(
        ctx,
        info,
        listOrdering(rows),
        match,
        args,
        (r) => s.orderId(r),
        (oid) => s.orderIdxFromId(oid),
        (r) => s.orderId(r),
        (r) => orderView(ctx, r),
      );
    },
    ...metafieldsFields(ctx, gid),
  };
}

function segmentMemberView(ctx: ResolverContext, c: number): View {
  const s = ctx.rt.store;
  const full = customerView(ctx, c);
  const orders = s.customerOrders(c);
  const last = orders[orders.length - 1];
  return {
    __typename: "CustomerSegmentMember",
    id: `gid://shopify/CustomerSegmentMember/${s.customerId(c)}`,
    firstName: s.firstName(c),
    lastName: s.lastName(c),
    displayName: s.displayName(c),
    note: null,
    numberOfOrders: String(s.numberOfOrders(c)),
    amountSpent: moneyV2(s, s.amountSpentCents(c)),
    lastOrderId: last === undefined ? null : `gid://shopify/Order/${s.orderId(last)}`,
    defaultEmailAddress: full.defaultEmailAddress,
    metafield: full.metafield,
    metafields: full.metafields,
  };
}

function productView(ctx: ResolverContext, idx: number): View | null {
  const s = ctx.rt.store;
  const p = s.products[idx];
  if (!p) return null;
  return {
    __typename: "Product",
    id: `gid://shopify/Product/${p.id}`,
    get legacyResourceId() {
      return String(p.id);
    },
    title: p.title,
    get handle() {
      return p.title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    },
    productType: p.productType,
    vendor: p.vendor,
    tags: [],
    status: "ACTIVE",
    get createdAt() {
      return iso(p.createdAt);
    },
    get updatedAt() {
      return iso(p.createdAt);
    },
    ...metafieldsFields(ctx, `gid://shopify/Product/${p.id}`),
  };
}

function variantView(ctx: ResolverContext, idx: number): View | null {
  const s = ctx.rt.store;
  const p = s.products[idx];
  if (!p) return null;
  return {
    __typename: "ProductVariant",
    id: `gid://shopify/ProductVariant/${p.variantId}`,
    get legacyResourceId() {
      return String(p.variantId);
    },
    title: "Default Title",
    get displayName() {
      return `${p.title} - Default Title`;
    },
    sku: p.sku,
    get price() {
      return money(p.priceCents);
    },
    get createdAt() {
      return iso(p.createdAt);
    },
    get updatedAt() {
      return iso(p.createdAt);
    },
    product() {
      return productView(ctx, idx);
    },
  };
}

function lineItemView(ctx: ResolverContext, l: number): View {
  const s = ctx.rt.store;
  const pIdx = s.lProduct.get(l);
  const p = s.products[pIdx];
  const qty = s.lQty.get(l);
  const unit = s.lUnit.get(l);
  const disc = s.lDiscount.get(l);
  const id = s.lineItemId(l);
  return {
    __typename: "LineItem",
    id: `gid://shopify/LineItem/${id}`,
    name: p?.title ?? "Item",
    title: p?.title ?? "Item",
    variantTitle: null,
    quantity: qty,
    currentQuantity: qty,
    refundableQuantity: qty,
    sku: p?.sku ?? null,
    vendor: p?.vendor ?? null,
    requiresShipping: true,
    taxable: true,
    isGiftCard: false,
    // Money is formatted when asked for: a bulk query over a million orders asks for two.
    get originalUnitPriceSet() {
      return bag(s, unit);
    },
    get discountedUnitPriceSet() {
      return bag(s, Math.round((qty * unit - disc) / Math.max(1, qty)));
    },
    get discountedUnitPriceAfterAllDiscountsSet() {
      return bag(s, Math.round((qty * unit - disc) / Math.max(1, qty)));
    },
    get originalTotalSet() {
      return bag(s, qty * unit);
    },
    get discountedTotalSet() {
      return bag(s, qty * unit - disc);
    },
    get totalDiscountSet() {
      return bag(s, disc);
    },
    product() {
      return productView(ctx, pIdx);
    },
    variant() {
      return variantView(ctx, pIdx);
    },
  };
}

export function orderView(ctx: ResolverContext, o: number): View {
  const s = ctx.rt.store;
  const id = s.orderId(o);
  const gid = `gid://shopify/Order/${id}`;
  const c = s.oCustomer.get(o);
  return {
    __typename: "Order",
    id: gid,
    get legacyResourceId() {
      return String(id);
    },
    get name() {
      return s.orderName(o);
    },
    get createdAt() {
      return iso(s.oCreated.get(o));
    },
    get updatedAt() {
      return iso(s.oUpdated.get(o));
    },
    get processedAt() {
      return iso(s.oProcessed.get(o));
    },
    get cancelledAt() {
      return isoOrNull(s.oCancelled.get(o));
    },
    get cancelReason() {
      return s.cancelReason(o);
    },
    closed: false,
    closedAt: null,
    confirmed: true,
    get test() {
      return s.isTest(o);
    },
    currencyCode: s.shop.currencyCode,
    presentmentCurrencyCode: s.shop.currencyCode,
    get displayFinancialStatus() {
      return s.financialStatus(o);
    },
    get displayFulfillmentStatus() {
      return s.isCancelled(o) ? "UNFULFILLED" : "FULFILLED";
    },
    get fullyPaid() {
      return !s.isCancelled(o);
    },
    get email() {
      return c >= 0 ? s.email(c) : null;
    },
    phone: null,
    note: null,
    tags: [],
    sourceName: "web",
    get totalPriceSet() {
      return bag(s, s.totalCents(o));
    },
    get subtotalPriceSet() {
      return bag(s, s.subtotalCents(o));
    },
    get currentSubtotalPriceSet() {
      return bag(s, s.currentSubtotalCents(o));
    },
    get totalDiscountsSet() {
      return bag(s, s.oDiscountCents.get(o));
    },
    get currentTotalDiscountsSet() {
      return bag(s, s.oDiscountCents.get(o));
    },
    get totalRefundedSet() {
      return bag(s, s.oRefunded.get(o));
    },
    get currentTotalPriceSet() {
      return bag(s, s.currentTotalCents(o));
    },
    get totalShippingPriceSet() {
      return bag(s, s.oShipping.get(o));
    },
    get totalLineItemsPriceSet() {
      return bag(s, s.lineItemsTotalCents(o));
    },
    get totalTaxSet() {
      return bag(s, s.taxCents(o));
    },
    get currentTotalTaxSet() {
      return bag(s, Math.round(s.currentSubtotalCents(o) * s.taxRate));
    },
    taxesIncluded: false,
    get totalOutstandingSet() {
      return bag(s, 0);
    },
    get discountCode() {
      return s.discountCode(o)?.code ?? null;
    },
    get discountCodes() {
      const d = s.discountCode(o);
      return d ? [d.code] : [];
    },
    customer() {
      return c >= 0 && s.customerExists(c) ? customerView(ctx, c) : null;
    },
    lineItems(args: Args) {
      const { start, end } = s.lineRange(o);
      const rows: number[] = [];
      for (let l = start; l < end; l++) rows.push(l);
      return paginate(
        listOrdering(rows),
        () => true,
        connArgs(args),
        (l) => s.lineItemId(l),
        (lid) => lid - s.ids.lineItem,
        (l) => s.lineItemId(l),
        (l) => lineItemView(ctx, l),
        ctx.bulk,
      );
    },
    refunds(args: Args) {
      const list = s.refunds(o);
      const first = typeof args.first === "number" ? args.first : list.length;
      return list.slice(0, first).map((r) => ({
        __typename: "Refund",
        id: `gid://shopify/Refund/${r.id}`,
        legacyResourceId: String(r.id),
        createdAt: iso(r.createdAt),
        updatedAt: iso(r.createdAt),
        processedAt: iso(r.createdAt),
        note: r.note,
        totalRefundedSet: bag(s, r.amountCents),
        refundLineItems(lineArgs: Args) {
          const rows = r.lines.map((_, k) => k);
          return paginate(
            listOrdering(rows),
            () => true,
            connArgs(lineArgs),
            (k) => r.id * 10 + k,
            (id) => id - r.id * 10,
            (k) => r.id * 10 + k,
            (k) => {
              const line = r.lines[k];
              return {
                __typename: "RefundLineItem",
                id: `gid://shopify/RefundLineItem/${r.id * 10 + k}`,
                quantity: line.quantity,
                restocked: false,
                restockType: "NO_RESTOCK",
                subtotalSet: bag(s, line.subtotalCents),
                totalTaxSet: bag(s, Math.round(line.subtotalCents * s.taxRate)),
                priceSet: bag(s, s.lUnit.get(line.lineIdx)),
                lineItem: lineItemView(ctx, line.lineIdx),
              };
            },
            ctx.bulk,
          );
        },
      }));
    },
    ...metafieldsFields(ctx, gid),
  };
}

function shopView(ctx: ResolverContext): View {
  const s = ctx.rt.store;
  const sh = s.shop;
  const publicName = {
    Basic: "Basic",
    Shopify: "Grow",
    Advanced: "Advanced",
    Plus: "Plus",
    Development: "Development",
  }[sh.plan];
  return {
    __typename: "Shop",
    id: `gid://shopify/Shop/${sh.id}`,
    name: sh.name,
    email: sh.email,
    contactEmail: sh.email,
    myshopifyDomain: sh.domain,
    url: `https://${sh.domain}`,
    currencyCode: sh.currencyCode,
    ianaTimezone: sh.ianaTimezone,
    timezoneAbbreviation: "EST",
    timezoneOffset: "-0500",
    timezoneOffsetMinutes: -300,
    createdAt: iso(sh.createdAt),
    updatedAt: iso(sh.createdAt),
    billingAddress: {
      countryCodeV2: "US",
      country: "United States",
      city: "New York",
      province: "New York",
      provinceCode: "NY",
      zip: "10001",
      address1: "1 Simulator Way",
      address2: null,
      phone: null,
      company: null,
      formatted: ["1 Simulator Way", "New York NY 10001", "United States"],
    },
    primaryDomain: {
      __typename: "Domain",
      id: `gid://shopify/Domain/${sh.id}`,
      host: sh.domain,
      url: `https://${sh.domain}`,
      sslEnabled: true,
    },
    plan: {
      displayName: sh.plan === "Plus" ? "Shopify Plus" : sh.plan === "Shopify" ? "Grow" : sh.plan,
      publicDisplayName: publicName,
      shopifyPlus: sh.plan === "Plus",
      partnerDevelopment: sh.plan === "Development",
    },
    ...metafieldsFields(ctx, `gid://shopify/Shop/${sh.id}`),
  };
}

function webhookSubscriptionView(ctx: ResolverContext, id: number): View | null {
  const sub = ctx.rt.apiSubscriptions.find((x) => x.id === id);
  if (!sub) return null;
  return {
    __typename: "WebhookSubscription",
    id: `gid://shopify/WebhookSubscription/${sub.id}`,
    legacyResourceId: String(sub.id),
    topic: sub.topic.toUpperCase().replace(/\//g, "_"),
    uri: sub.uri,
    callbackUrl: sub.uri,
    endpoint: { __typename: "WebhookHttpEndpoint", callbackUrl: sub.uri },
    format: "JSON",
    filter: sub.filter,
    includeFields: sub.includeFields,
    metafieldNamespaces: [],
    metafields: [],
    name: null,
    apiVersion: { handle: sub.apiVersion, displayName: sub.apiVersion, supported: true },
    createdAt: iso(sub.createdAt),
    updatedAt: iso(sub.createdAt),
  };
}

function segmentView(ctx: ResolverContext, id: number): View | null {
  const seg = ctx.rt.store.segments.find((x) => x.id === id);
  if (!seg) return null;
  return {
    __typename: "Segment",
    id: `gid://shopify/Segment/${seg.id}`,
    name: seg.name,
    query: seg.query,
    creationDate: iso(seg.createdAt),
    lastEditDate: iso(seg.updatedAt),
  };
}

function discountNodeView(ctx: ResolverContext, id: number): View | null {
  const s = ctx.rt.store;
  const d = s.discounts.find((x) => x.id === id);
  if (!d) return null;
  const now = ctx.sim.clock.now();
  const status =
    d.startsAt > now ? "SCHEDULED" : d.endsAt !== null && d.endsAt <= now ? "EXPIRED" : "ACTIVE";
  return {
    __typename: "DiscountCodeNode",
    id: `gid://shopify/DiscountCodeNode/${d.id}`,
    codeDiscount: {
      __typename: "DiscountCodeBasic",
      title: d.title,
      status,
      summary:
        d.percent > 0
          ? `${d.percent}% off entire order`
          : `${money(d.fixedCents)} off entire order`,
      startsAt: iso(d.startsAt),
      endsAt: d.endsAt === null ? null : iso(d.endsAt),
      createdAt: iso(d.createdAt),
      updatedAt: iso(d.createdAt),
      appliesOncePerCustomer: d.appliesOncePerCustomer,
      asyncUsageCount: d.usageCount,
      usageLimit: null,
      shortSummary: d.percent > 0 ? `${d.percent}% off` : `${money(d.fixedCents)} off`,
      tags: [],
      get totalSales() {
        const idx = s.discounts.indexOf(d);
        let cents = 0;
        for (let o = 0; o < s.orderRows; o++) {
          if (s.oDiscount.get(o) === idx && s.orderExists(o)) cents += s.currentTotalCents(o);
        }
        return moneyV2(s, cents);
      },
      discountClass: "ORDER",
      discountClasses: ["ORDER"],
      codesCount: { count: 1, precision: "EXACT" },
      codes: (args: Args) =>
        listConnection(
          [
            {
              __typename: "DiscountRedeemCode",
              id: `gid://shopify/DiscountRedeemCode/${d.id}`,
              code: d.code,
              asyncUsageCount: d.usageCount,
            },
          ],
          args,
          ctx,
          () => d.id,
        ),
    },
    ...metafieldsFields(ctx, `gid://shopify/DiscountCodeNode/${d.id}`),
  };
}

export function nodeById(ctx: ResolverContext, gid: unknown): View | null {
  const g = parseGid(gid);
  if (!g) return null;
  const s = ctx.rt.store;
  switch (g.type) {
    case "Customer": {
      const c = s.customerIdxFromId(g.id);
      return c < 0 ? null : customerView(ctx, c);
    }
    case "Order": {
      const o = s.orderIdxFromId(g.id);
      return o < 0 ? null : orderView(ctx, o);
    }
    case "LineItem": {
      const l = g.id - s.ids.lineItem;
      return l >= 0 && l < s.lProduct.length ? lineItemView(ctx, l) : null;
    }
    case "Product":
      return productView(ctx, g.id - s.ids.product);
    case "ProductVariant":
      return variantView(ctx, g.id - s.ids.variant);
    case "Shop":
      return g.id === s.shop.id ? shopView(ctx) : null;
    case "BulkOperation": {
      const op = ctx.rt.bulkOps.find((b) => b.id === g.id);
      return op ? bulkOperationView(op) : null;
    }
    case "WebhookSubscription":
      return webhookSubscriptionView(ctx, g.id);
    case "Segment":
      return segmentView(ctx, g.id);
    case "DiscountCodeNode":
      return discountNodeView(ctx, g.id);
    default:
      return null;
  }
}

// ---------------------------------------------------------------- tags

const MAX_TAGS = 250;
const MAX_TAG_LENGTH = 255;

export function normaliseTags(input: unknown): string[] {
  const raw = Array.isArray(input) ? input : typeof input === "string" ? [input] : [];
  const out: string[] = [];
  const seen = new Set<string>();
  for (const item of raw) {
    if (typeof item !== "string") continue;
    for (const part of item.split(",")) {
      const t = part.trim().replace(/\s+/g, " ");
      if (!t) continue;
      const key = t.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(t);
    }
  }
  return out;
}

function sortTags(tags: string[]): string[] {
  return [...tags].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}

function tagsMutation(ctx: ResolverContext, args: Args, mode: "add" | "remove"): View {
  const g = parseGid(args.id);
  const s = ctx.rt.store;
  if (!g) return { node: null, userErrors: [{ field: ["id"], message: "Invalid global id" }] };
  if (g.type !== "Customer") {
    if (g.type === "Order" && s.orderIdxFromId(g.id) >= 0) {
      return {
        node: null,
        userErrors: [
          { field: ["id"], message: "Order tags are not supported by the Propel store simulator" },
        ],
      };
    }
    return { node: null, userErrors: [{ field: ["id"], message: "Resource not found" }] };
  }
  const c = s.customerIdxFromId(g.id);
  if (c < 0)
    return { node: null, userErrors: [{ field: ["id"], message: "Customer does not exist" }] };
  const tags = normaliseTags(args.tags);
  const tooLong = tags.find((t) => t.length > MAX_TAG_LENGTH);
  if (tooLong) {
    return {
      node: null,
      userErrors: [
        { field: ["tags"], message: `Tags is too long (maximum is ${MAX_TAG_LENGTH} characters)` },
      ],
    };
  }
  const current = s.tags(c);
  let next: string[];
  if (mode === "add") {
    const have = new Set(current.map((t) => t.toLowerCase()));
    next = [...current, ...tags.filter((t) => !have.has(t.toLowerCase()))];
    if (next.length > MAX_TAGS) {
      return {
        node: null,
        userErrors: [{ field: ["tags"], message: `Tags cannot be more than ${MAX_TAGS}` }],
      };
    }
  } else {
    const drop = new Set(tags.map((t) => t.toLowerCase()));
    next = current.filter((t) => !drop.has(t.toLowerCase()));
  }
  const changed = next.length !== current.length;
  if (changed) {
    s.setTags(c, sortTags(next), ctx.sim.clock.now());
    ctx.sim.tagsChanged(ctx.rt, c);
  }
  return { node: customerView(ctx, c), userErrors: [] };
}

// ---------------------------------------------------------------- root

const TOPIC_RE = /^[A-Z_]+$/;

function topicFromEnum(e: string): string {
  // ORDERS_CREATE -> orders/create, BULK_OPERATIONS_FINISH -> bulk_operations/finish
  const known = [
    "app_purchases_one_time",
    "app_subscriptions",
    "bulk_operations",
    "customer_groups",
    "customer_payment_methods",
    "customers_email_marketing_consent",
    "customers_marketing_consent",
    "customer",
    "draft_orders",
    "fulfillment_events",
    "fulfillment_orders",
    "inventory_items",
    "inventory_levels",
    "order_transactions",
    "product_listings",
    "selling_plan_groups",
    "subscription_contracts",
    "tender_transactions",
    "collection_listings",
    "metafield_definitions",
    "customers",
    "orders",
    "products",
    "refunds",
    "segments",
    "discounts",
    "app",
    "shop",
    "themes",
    "collections",
    "checkouts",
    "carts",
    "locations",
    "fulfillments",
    "variants",
    "disputes",
    "domains",
    "markets",
    "companies",
    "returns",
    "profiles",
    "locales",
  ];
  const lower = e.toLowerCase();
  for (const k of known.sort((a, b) => b.length - a.length)) {
    if (lower.startsWith(k + "_")) return `${k}/${lower.slice(k.length + 1)}`;
  }
  const i = lower.lastIndexOf("_");
  return `${lower.slice(0, i)}/${lower.slice(i + 1)}`;
}

export function buildRoot(ctx: ResolverContext): View {
  const s = ctx.rt.store;
  const sim = ctx.sim;
  const now = (): number => sim.clock.now();
  const userError = (field: string[] | null, message: string, code?: string): View => ({
    field,
    message,
    ...(code ? { code } : {}),
  });
  return {
    // ---------------- queries
    shop: () => shopView(ctx),
    customer: (args: Args) => {
      const g = parseGid(args.id);
      if (!g || g.type !== "Customer") return null;
      const c = s.customerIdxFromId(g.id);
      return c < 0 ? null : customerView(ctx, c);
    },
    customers: (args: Args, _c: ResolverContext, info: GraphQLResolveInfo) => {
      const { match, warnings } = compileSearch(str(args.query), customerSpec(s), now());
      if (warnings.length)
        ctx.searchWarnings.push({ path: [info.fieldName], query: args.query, warnings });
      const { ordering, value } = customerOrdering(ctx, args.sortKey);
      return pageFor(
        ctx,
        info,
        ordering,
        (r) => s.customerExists(r) && match(r),
        args,
        (r) => s.customerId(r),
        (id) =>
          id - s.ids.customer >= 0 && id - s.ids.customer < s.customerRows
            ? id - s.ids.customer
            : -1,
        value,
        (r) => customerView(ctx, r),
      );
    },
    customersCount: (args: Args) => {
      const { match } = compileSearch(str(args.query), customerSpec(s), now());
      let n = 0;
      if (!args.query) n = s.customersAlive;
      else for (let r = 0; r < s.customerRows; r++) if (s.customerExists(r) && match(r)) n++;
      return countOf(n, args);
    },
    order: (args: Args) => {
      const g = parseGid(args.id);
      if (!g || g.type !== "Order") return null;
      const o = s.orderIdxFromId(g.id);
      return o < 0 ? null : orderView(ctx, o);
    },
    orders: (args: Args, _c: ResolverContext, info: GraphQLResolveInfo) => {
      const { match, warnings } = compileSearch(orderQuery(str(args.query)), orderSpec(s), now());
      if (warnings.length)
        ctx.searchWarnings.push({ path: [info.fieldName], query: args.query, warnings });
      const { ordering, value } = orderOrdering(ctx, args.sortKey);
      return pageFor(
        ctx,
        info,
        ordering,
        (r) => s.orderExists(r) && match(r),
        args,
        (r) => s.orderId(r),
        (id) => (id - s.ids.order >= 0 && id - s.ids.order < s.orderRows ? id - s.ids.order : -1),
        value,
        (r) => orderView(ctx, r),
      );
    },
    ordersCount: (args: Args) => {
      const q = orderQuery(str(args.query));
      const { match } = compileSearch(q, orderSpec(s), now());
      let n = 0;
      if (!q || !q.trim()) n = s.ordersAlive;
      else for (let r = 0; r < s.orderRows; r++) if (s.orderExists(r) && match(r)) n++;
      return countOf(n, args);
    },
    products: (args: Args, _c: ResolverContext, info: GraphQLResolveInfo) =>
      pageFor(
        ctx,
        info,
        idOrdering(s.products.length),
        () => true,
        args,
        (r) => s.ids.product + r,
        (id) => id - s.ids.product,
        (r) => s.ids.product + r,
        (r) => productView(ctx, r) ?? {},
      ),
    product: (args: Args) => {
      const g = parseGid(args.id);
      return g && g.type === "Product" ? productView(ctx, g.id - s.ids.product) : null;
    },
    node: (args: Args) => nodeById(ctx, args.id),
    nodes: (args: Args) => (Array.isArray(args.ids) ? args.ids.map((id) => nodeById(ctx, id)) : []),
    currentBulkOperation: (args: Args) => {
      const type = str(args.type) ?? "QUERY";
      const ops = ctx.rt.bulkOps.filter((b) => b.type === type);
      const last = ops[ops.length - 1];
      return last ? bulkOperationView(last) : null;
    },
    bulkOperations: (args: Args, _c: ResolverContext, info: GraphQLResolveInfo) => {
      const ops = ctx.rt.bulkOps;
      const spec: SearchSpec<number> = {
        fields: {
          id: { type: "number", get: (i) => ops[i]?.id ?? null },
          created_at: { type: "date", get: (i) => ops[i]?.createdAt ?? null },
          operation_type: { type: "string", get: (i) => ops[i]?.type ?? null },
          status: { type: "string", get: (i) => ops[i]?.status ?? null },
        },
        text: () => [],
      };
      const { match } = compileSearch(str(args.query), spec, now());
      // newest first unless reversed (Shopify's default for this connection)
      const rows = ops.map((_, i) => ops.length - 1 - i);
      const page = pageFor(
        ctx,
        info,
        listOrdering(rows),
        match,
        args,
        (i) => ops[i]?.id ?? 0,
        (id) => ops.findIndex((b) => b.id === id),
        (i) => iso(ops[i]?.createdAt ?? 0),
        (i) => {
          const op = ops[i];
          return op ? bulkOperationView(op) : {};
        },
      );
      return page;
    },
    bulkOperation: (args: Args) => {
      const g = parseGid(args.id);
      const op = g ? ctx.rt.bulkOps.find((b) => b.id === g.id) : undefined;
      return op ? bulkOperationView(op) : null;
    },
    webhookSubscriptions: (args: Args) => {
      let subs = ctx.rt.apiSubscriptions;
      if (Array.isArray(args.topics) && args.topics.length > 0) {
        const topics = new Set(args.topics.map((t) => topicFromEnum(String(t))));
        subs = subs.filter((x) => topics.has(x.topic));
      }
      const page = listConnection(subs, args, ctx, (x) => x.id);
      return {
        ...page,
        edges: page.edges.map((e) => ({
          cursor: e.cursor,
          node: webhookSubscriptionView(ctx, e.node.id),
        })),
        nodes: page.nodes.map((x) => webhookSubscriptionView(ctx, x.id)),
      };
    },
    webhookSubscription: (args: Args) => {
      const g = parseGid(args.id);
      return g ? webhookSubscriptionView(ctx, g.id) : null;
    },
    segments: (args: Args) => {
      const page = listConnection(s.segments, args, ctx, (x) => x.id);
      return {
        ...page,
        edges: page.edges.map((e) => ({ cursor: e.cursor, node: segmentView(ctx, e.node.id) })),
        nodes: page.nodes.map((x) => segmentView(ctx, x.id)),
      };
    },
    segment: (args: Args) => {
      const g = parseGid(args.id);
      return g ? segmentView(ctx, g.id) : null;
    },
    codeDiscountNodes: (args: Args) => {
      const page = listConnection(s.discounts, args, ctx, (d) => d.id);
      return {
        ...page,
        edges: page.edges.map((e) => ({
          cursor: e.cursor,
          node: discountNodeView(ctx, e.node.id),
        })),
        nodes: page.nodes.map((d) => discountNodeView(ctx, d.id)),
      };
    },
    customerSegmentMembers: (args: Args) => {
      const query =
        str(args.query) ??
        (str(args.segmentId)
          ? s.segments.find((x) => x.id === parseGid(args.segmentId)?.id)?.query
          : undefined);
      if (query === undefined)
        throw new GraphQLError("Segment does not exist.", { extensions: { code: "NOT_FOUND" } });
      const test = compileSegmentQuery(query);
      if (!test) {
        throw new GraphQLError(
          `The segment query is not supported by the Propel store simulator: ${query}`,
          { extensions: { code: "NOT_SUPPORTED_BY_SIMULATOR" } },
        );
      }
      const match = (c: number): boolean => s.customerExists(c) && test(s, c);
      const page = paginate(
        idOrdering(s.customerRows),
        match,
        connArgs(args),
        (c) => s.customerId(c),
        (id) => s.customerIdxFromId(id),
        (c) => s.customerId(c),
        (c) => segmentMemberView(ctx, c),
        ctx.bulk,
      );
      return {
        get edges() {
          return page.edges;
        },
        nodes: page.nodes,
        pageInfo: page.pageInfo,
        get totalCount() {
          let n = 0;
          for (let c = 0; c < s.customerRows; c++) if (match(c)) n++;
          return n;
        },
      };
    },
    codeDiscountNode: (args: Args) => {
      const g = parseGid(args.id);
      return g ? discountNodeView(ctx, g.id) : null;
    },
    codeDiscountNodeByCode: (args: Args) => {
      const d = s.discounts.find((x) => x.code.toLowerCase() === String(args.code).toLowerCase());
      return d ? discountNodeView(ctx, d.id) : null;
    },

    // ---------------- mutations
    tagsAdd: (args: Args) => tagsMutation(ctx, args, "add"),
    tagsRemove: (args: Args) => tagsMutation(ctx, args, "remove"),
    metafieldsSet: (args: Args) => {
      const inputs = Array.isArray(args.metafields) ? (args.metafields as Args[]) : [];
      if (inputs.length > 25) {
        return {
          metafields: null,
          userErrors: [
            {
              ...userError(
                ["metafields"],
                "Exceeded the maximum metafields input limit of 25.",
                "LESS_THAN_OR_EQUAL_TO",
              ),
              elementIndex: null,
            },
          ],
        };
      }
      const errors: View[] = [];
      inputs.forEach((m, i) => {
        const owner = nodeById(ctx, m.ownerId);
        if (!owner)
          errors.push({
            ...userError(["metafields", String(i), "ownerId"], "Owner does not exist.", "INVALID"),
            elementIndex: i,
          });
        const ns = str(m.namespace) ?? appNamespace(ctx);
        const key = str(m.key) ?? "";
        if (key.length < 2)
          errors.push({
            ...userError(
              ["metafields", String(i), "key"],
              "Key is too short (minimum is 2 characters)",
              "TOO_SHORT",
            ),
            elementIndex: i,
          });
        const exists = s
          .getMetafields(String(m.ownerId))
          .some((x) => x.namespace === ns && x.key === key);
        if (!exists && !str(m.type))
          errors.push({
            ...userError(["metafields", String(i), "type"], "Type can't be blank.", "BLANK"),
            elementIndex: i,
          });
      });
      if (errors.length > 0) return { metafields: null, userErrors: errors };
      const out = inputs.map((m) => {
        const ownerId = String(m.ownerId);
        const ns = str(m.namespace) ?? appNamespace(ctx);
        const existing = s
          .getMetafields(ownerId)
          .find((x) => x.namespace === ns && x.key === m.key);
        const mf = s.setMetafield(
          ownerId,
          {
            namespace: ns,
            key: String(m.key),
            type: str(m.type) ?? existing?.type ?? "single_line_text_field",
            value: String(m.value),
          },
          now(),
        );
        return metafieldView(ctx, mf);
      });
      return { metafields: out, userErrors: [] };
    },
    bulkOperationRunQuery: (args: Args) => startBulkQuery(ctx, String(args.query)),
    bulkOperationRunMutation: (args: Args) =>
      startBulkMutation(
        ctx,
        String(args.mutation),
        String(args.stagedUploadPath),
        str(args.clientIdentifier) ?? null,
      ),
    bulkOperationCancel: (args: Args) => cancelBulkOperation(ctx, args.id),
    stagedUploadsCreate: (args: Args) => {
      const inputs = Array.isArray(args.input) ? (args.input as Args[]) : [];
      return {
        stagedTargets: inputs.map((inp) => {
          const key = `tmp/${s.shop.id}/bulk/${randomUUID()}/${str(inp.filename) ?? "upload"}`;
          return {
            url: `${sim.baseUrl}/_sim/uploads`,
            resourceUrl: `${sim.baseUrl}/_sim/uploads/${key}`,
            parameters: [
              { name: "Content-Type", value: str(inp.mimeType) ?? "text/jsonl" },
              { name: "success_action_status", value: "201" },
              { name: "acl", value: "private" },
              { name: "key", value: key },
              { name: "x-goog-date", value: iso(now()).replace(/[-:]/g, "") },
              { name: "x-goog-credential", value: "simulator/storage/goog4_request" },
              { name: "x-goog-algorithm", value: "GOOG4-HMAC-SHA256" },
              { name: "x-goog-signature", value: "simulator" },
              { name: "policy", value: "simulator" },
            ],
          };
        }),
        userErrors: [],
      };
    },
    discountCodeBasicCreate: (args: Args) => {
      const input = (args.basicCodeDiscount ?? {}) as Args;
      const code = str(input.code)?.trim() ?? "";
      const errors: View[] = [];
      if (!code)
        errors.push(userError(["basicCodeDiscount", "code"], "Code can't be blank", "BLANK"));
      if (code && s.discounts.some((d) => d.code.toLowerCase() === code.toLowerCase())) {
        errors.push(
          userError(
            ["basicCodeDiscount", "code"],
            "Code must be unique. Please try a different code.",
            "TAKEN",
          ),
        );
      }
      const gets = (input.customerGets ?? {}) as Args;
      const value = (gets.value ?? {}) as Args;
      const pct = typeof value.percentage === "number" ? value.percentage : undefined;
      const amount = (value.discountAmount ?? {}) as Args;
      const fixed =
        amount.amount !== undefined ? Math.round(Number(amount.amount) * 100) : undefined;
      if (pct === undefined && fixed === undefined)
        errors.push(
          userError(
            ["basicCodeDiscount", "customerGets", "value"],
            "Value can't be blank",
            "BLANK",
          ),
        );
      if (pct !== undefined && (pct <= 0 || pct > 1))
        errors.push(
          userError(
            ["basicCodeDiscount", "customerGets", "value", "percentage"],
            "Value must be between 0.0 and 1.0",
            "VALUE_OUTSIDE_RANGE",
          ),
        );
      const startsAt = str(input.startsAt) ? Date.parse(String(input.startsAt)) : now();
      const endsAt = str(input.endsAt) ? Date.parse(String(input.endsAt)) : null;
      if (endsAt !== null && endsAt <= startsAt)
        errors.push(
          userError(
            ["basicCodeDiscount", "endsAt"],
            "Ends at needs to be after starts_at",
            "INVALID",
          ),
        );
      if (errors.length > 0) return { codeDiscountNode: null, userErrors: errors };
      const selection = (input.context ?? input.customerSelection ?? {}) as Args;
      const segs = ((selection.customerSegments ?? {}) as Args).add;
      const d = {
        id: s.nextMiscId(),
        code,
        title: str(input.title) ?? code,
        percent: pct !== undefined ? Math.round(pct * 10000) / 100 : 0,
        fixedCents: fixed ?? 0,
        startsAt,
        endsAt,
        createdAt: now(),
        usageCount: 0,
        appliesOncePerCustomer: input.appliesOncePerCustomer === true,
        customerSegmentIds: Array.isArray(segs) ? segs.map(String) : [],
        source: "api" as const,
      };
      s.discounts.push(d);
      return { codeDiscountNode: discountNodeView(ctx, d.id), userErrors: [] };
    },
    segmentCreate: (args: Args) => {
      const name = str(args.name)?.trim() ?? "";
      const query = str(args.query)?.trim() ?? "";
      if (!name) return { segment: null, userErrors: [userError(["name"], "Name can't be blank")] };
      if (!query)
        return { segment: null, userErrors: [userError(["query"], "Query can't be blank")] };
      if (s.segments.some((x) => x.name === name))
        return { segment: null, userErrors: [userError(["name"], "Name has already been taken")] };
      const seg = { id: s.nextMiscId(), name, query, createdAt: now(), updatedAt: now() };
      s.segments.push(seg);
      return { segment: segmentView(ctx, seg.id), userErrors: [] };
    },
    segmentUpdate: (args: Args) => {
      const g = parseGid(args.id);
      const seg = g?.type === "Segment" ? s.segments.find((x) => x.id === g.id) : undefined;
      if (!seg) return { segment: null, userErrors: [userError(["id"], "Segment does not exist")] };
      const name =
        args.name === undefined || args.name === null ? seg.name : str(args.name)?.trim();
      const query =
        args.query === undefined || args.query === null ? seg.query : str(args.query)?.trim();
      if (!name) return { segment: null, userErrors: [userError(["name"], "Name can't be blank")] };
      if (!query)
        return { segment: null, userErrors: [userError(["query"], "Query can't be blank")] };
      if (s.segments.some((x) => x.id !== seg.id && x.name === name))
        return { segment: null, userErrors: [userError(["name"], "Name has already been taken")] };
      Object.assign(seg, { name, query, updatedAt: now() });
      return { segment: segmentView(ctx, seg.id), userErrors: [] };
    },
    flowTriggerReceive: (args: Args) => {
      const handle = str(args.handle) ?? null;
      let payload: unknown = args.payload ?? null;
      if (args.body !== undefined && args.body !== null) {
        try {
          payload = JSON.parse(String(args.body)) as unknown;
        } catch {
          return { userErrors: [userError(["body"], "Invalid JSON in body")] };
        }
      }
      if (!handle && args.body === undefined)
        return { userErrors: [userError(["handle"], "Handle can't be blank")] };
      const size = Buffer.byteLength(JSON.stringify(payload ?? {}));
      if (size > 50_000)
        return { userErrors: [userError(["payload"], "Payload is too large (maximum is 50 KB)")] };
      s.flowTriggers.push({ id: s.nextMiscId(), handle, payload, receivedAt: now() });
      return { userErrors: [] };
    },
    webhookSubscriptionCreate: (args: Args) => {
      const topicEnum = String(args.topic);
      const input = (args.webhookSubscription ?? {}) as Args;
      const uri = str(input.uri) ?? str(input.callbackUrl) ?? "";
      if (!TOPIC_RE.test(topicEnum))
        return { webhookSubscription: null, userErrors: [userError(["topic"], "Invalid topic")] };
      if (!/^https?:\/\//.test(uri)) {
        return {
          webhookSubscription: null,
          userErrors: [
            userError(
              ["webhookSubscription", "callbackUrl"],
              "Address is invalid (the simulator delivers to http(s) URLs only)",
            ),
          ],
        };
      }
      const topic = topicFromEnum(topicEnum);
      if (ctx.rt.apiSubscriptions.some((x) => x.topic === topic && x.uri === uri)) {
        return {
          webhookSubscription: null,
          userErrors: [
            userError(
              ["webhookSubscription", "callbackUrl"],
              "Address for this topic has already been taken",
            ),
          ],
        };
      }
      const sub = {
        id: s.nextMiscId(),
        topic,
        uri,
        apiVersion: ctx.apiVersion,
        createdAt: now(),
        filter: str(input.filter) ?? null,
        includeFields: Array.isArray(input.includeFields) ? input.includeFields.map(String) : [],
      };
      ctx.rt.apiSubscriptions.push(sub);
      return { webhookSubscription: webhookSubscriptionView(ctx, sub.id), userErrors: [] };
    },
    webhookSubscriptionDelete: (args: Args) => {
      const g = parseGid(args.id);
      const i = g ? ctx.rt.apiSubscriptions.findIndex((x) => x.id === g.id) : -1;
      if (i < 0)
        return {
          deletedWebhookSubscriptionId: null,
          userErrors: [userError(["id"], "Webhook subscription does not exist")],
        };
      ctx.rt.apiSubscriptions.splice(i, 1);
      return { deletedWebhookSubscriptionId: args.id, userErrors: [] };
    },
  };
}
