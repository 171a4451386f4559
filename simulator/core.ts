/**
 * The simulator's state and behaviour, independent of HTTP: shops, auth, webhooks, GraphQL
 * execution, bulk operations and the actions the control API exposes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { existsSync } from "node:fs";
import {
  GraphQLError,
  execute,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
} from "graphql";
import { AuthState } from "./auth/tokens.js";
import { DEFAULT_APP_CONFIG, readAppConfig, type AppConfig } from "./config.js";
import { generateStore, type GeneratorOptions } from "./data/generator.js";
import { loadCdnowStore, type CdnowLoadOptions } from "./data/cdnow.js";
import {
  PLAN_RESTORE_RATE,
  type Store,
  type CancelReason,
  type ConsentState,
  type PlanName,
} from "./model/store.js";
import { adminSchema } from "./graphql/schema.js";
import { findOperation, queryCost } from "./graphql/cost.js";
import {
  formatSyntaxError,
  formatValidationError,
  type ShopifyGraphQLError,
} from "./graphql/errors.js";
import { LeakyBucket } from "./graphql/throttle.js";
import { buildRoot, fieldResolver, type ResolverContext } from "./graphql/resolvers.js";
import {
  WebhookDispatcher,
  type WebhookSwitches,
  type WebhookTarget,
} from "./webhooks/dispatcher.js";
import {
  customerDeletePayload,
  customerPayload,
  orderEditedPayload,
  orderPayload,
  refundPayload,
  shopPayload,
} from "./webhooks/payloads.js";
import type { BulkOperation } from "./graphql/bulk.js";
import { systemClock, type Clock } from "./util/clock.js";
import { Rng } from "./util/rng.js";
import { compileSegmentQuery, type MemberTest } from "./model/segment-query.js";

export const MAX_QUERY_COST = 1000;

export interface ShopSpec {
  domain: string;
  name?: string;
  plan?: PlanName;
  /** Pre-install the app (webhooks flow before any OAuth). Default false. */
  installed?: boolean;
  generator?: GeneratorOptions;
  cdnow?: { path: string } & CdnowLoadOptions;
}

export interface SimulatorOptions {
  apiKey: string;
  apiSecret: string;
  appUrl?: string;
  appTomlPath?: string;
  /** Used instead of reading the toml file. */
  appConfig?: AppConfig;
  shops?: ShopSpec[];
  clock?: Clock;
  /** Scales the webhook retry schedule (1 = Shopify's 4 hours). */
  webhookRetryScale?: number;
  webhookTimeoutMs?: number;
  webhookSwitches?: Partial<WebhookSwitches>;
  /** Rows written per step of a bulk operation before yielding. */
  bulkChunkSize?: number;
  /**
   * Bulk query pages through the lean executor (graphql/lean-execute.ts) rather than
   * graphql-js's `execute`; the same output, faster. Default true; false for comparing them.
   */
  leanBulkExecution?: boolean;
  seed?: number | string;
}

export interface ApiWebhookSubscription {
  id: number;
  topic: string; // orders/create
  uri: string;
  apiVersion: string;
  createdAt: number;
  filter: string | null;
  includeFields: string[];
}

export class ShopRuntime {
  readonly bucket: LeakyBucket;
  installed: boolean;
  bulkOps: BulkOperation[] = [];
  apiSubscriptions: ApiWebhookSubscription[] = [];
  readonly sortCache = new Map<string, { version: number; value: unknown }>();

  constructor(
    public store: Store,
    clock: Clock,
    installed: boolean,
  ) {
    this.bucket = new LeakyBucket(PLAN_RESTORE_RATE[store.shop.plan], clock);
    this.installed = installed;
  }

  get domain(): string {
    return this.store.shop.domain;
  }
}

export interface GraphQLResponse {
  status: number;
  body: Record<string, unknown>;
}

export class Simulator {
  readonly config: AppConfig;
  readonly auth: AuthState;
  readonly webhooks: WebhookDispatcher;
  readonly shops = new Map<string, ShopRuntime>();
  readonly clock: Clock;
  readonly filesDir: string;
  readonly uploads = new Map<string, Buffer>();
  baseUrl = "http://127.0.0.1:4100";
  appUrl: string;
  readonly bulkChunkSize: number;
  readonly leanBulkExecution: boolean;
  readonly rng: Rng;
  private shopCounter = 0;

  constructor(readonly options: SimulatorOptions) {
    this.clock = options.clock ?? systemClock;
    const tomlPath = options.appTomlPath ?? resolve(process.cwd(), "shopify.app.toml");
    this.config =
      options.appConfig ?? (existsSync(tomlPath) ? readAppConfig(tomlPath) : DEFAULT_APP_CONFIG);
    this.appUrl = (options.appUrl ?? "http://localhost:3000").replace(/\/$/, "");
    this.auth = new AuthState(options.apiKey, options.apiSecret, this.config.scopes.join(","));
    this.webhooks = new WebhookDispatcher({
      apiSecret: options.apiSecret,
      clock: this.clock,
      retryScale: options.webhookRetryScale,
      timeoutMs: options.webhookTimeoutMs,
      switches: options.webhookSwitches,
      seed: options.seed,
    });
    this.filesDir = mkdtempSync(join(tmpdir(), "propel-sim-"));
    this.bulkChunkSize = options.bulkChunkSize ?? 250;
    this.leanBulkExecution = options.leanBulkExecution ?? true;
    this.rng = new Rng(options.seed ?? "sim");
    for (const s of options.shops ?? []) this.createShop(s);
  }

  close(): void {
    this.webhooks.close();
    rmSync(this.filesDir, { recursive: true, force: true });
  }

  // ---------------- shops ----------------

  createShop(spec: ShopSpec): ShopRuntime {
    const domain = normalizeShop(spec.domain);
    if (this.shops.has(domain)) throw new Error(`shop ${domain} already exists`);
    const shopIndex = this.shopCounter++;
    const store = spec.cdnow
      ? loadCdnowStore(
          { domain, name: spec.name, plan: spec.plan, shopIndex },
          { path: spec.cdnow.path },
          spec.cdnow,
        )
      : generateStore(
          { domain, name: spec.name, plan: spec.plan, shopIndex },
          { now: this.clock.now(), ...spec.generator },
        );
    const rt = new ShopRuntime(store, this.clock, spec.installed ?? false);
    this.shops.set(domain, rt);
    return rt;
  }

  shop(domain: string): ShopRuntime | undefined {
    return this.shops.get(normalizeShop(domain));
  }

  setPlan(rt: ShopRuntime, plan: PlanName): void {
    rt.store.shop.plan = plan;
    rt.bucket.setRestoreRate(PLAN_RESTORE_RATE[plan]);
  }

  markInstalled(rt: ShopRuntime): void {
    rt.installed = true;
  }

  // ---------------- webhooks ----------------

  targets(rt: ShopRuntime, topic: string): WebhookTarget[] {
    const out: WebhookTarget[] = [];
    const compliance =
      topic === "customers/data_request" || topic === "customers/redact" || topic === "shop/redact";
    if (!rt.installed && !compliance && topic !== "app/uninstalled") return out;
    for (const sub of this.config.subscriptions) {
      if (sub.topics.includes(topic)) {
        out.push({
          uri: new URL(sub.uri, this.appUrl + "/").toString(),
          apiVersion: this.config.webhookApiVersion,
        });
      }
    }
    for (const sub of rt.apiSubscriptions) {
      if (sub.topic === topic)
        out.push({ uri: sub.uri, apiVersion: sub.apiVersion, subscriptionId: String(sub.id) });
    }
    return out;
  }

  emit(rt: ShopRuntime, topic: string, payload: unknown): void {
    const targets = this.targets(rt, topic);
    if (targets.length > 0) this.webhooks.emit(rt.domain, topic, payload, targets);
  }

  // ---------------- actions (control API, CLI, mutations) ----------------

  placeOrder(
    rt: ShopRuntime,
    opts: {
      customerIdx?: number;
      email?: string;
      at?: number;
      lines?: { productIdx: number; quantity: number }[];
      discountCode?: string;
      test?: boolean;
      valueCents?: number;
    },
  ): number {
    const s = rt.store;
    let c = opts.customerIdx ?? -1;
    const at = opts.at ?? this.clock.now();
    let created = false;
    if (c < 0) {
      c = s.addCustomer({
        createdAt: at,
        firstNameIdx: this.rng.int(0, 200),
        lastNameIdx: this.rng.int(0, 200),
        consent: "SUBSCRIBED",
        override: opts.email ? { email: opts.email } : undefined,
      });
      created = true;
    }
    let lines = (opts.lines ?? []).map((l) => ({
      productIdx: l.productIdx,
      quantity: l.quantity,
      unitCents: s.products[l.productIdx]?.priceCents ?? 1000,
    }));
    if (lines.length === 0) {
      const target = opts.valueCents ?? 4000 + this.rng.int(0, 12000);
      const sorted = [...s.products].sort(
        (a, b) => Math.abs(a.priceCents - target) - Math.abs(b.priceCents - target),
      );
      const p = sorted[this.rng.int(0, Math.min(3, sorted.length - 1))] ?? s.products[0];
      if (!p) throw new Error("shop has no products");
      lines = [
        {
          productIdx: p.idx,
          quantity: Math.max(1, Math.round(target / p.priceCents)),
          unitCents: p.priceCents,
        },
      ];
    }
    let discountIdx = -1;
    if (opts.discountCode) {
      discountIdx = s.discounts.findIndex(
        (d) => d.code.toLowerCase() === opts.discountCode?.toLowerCase(),
      );
      if (discountIdx < 0) throw new Error(`unknown discount code ${opts.discountCode}`);
    }
    const itemsTotal = lines.reduce((a, l) => a + l.quantity * l.unitCents, 0);
    const o = s.addOrder({
      customerIdx: c,
      processedAt: at,
      lines,
      discountIdx,
      shippingCents: itemsTotal >= 7500 ? 0 : 695,
      test: opts.test,
    });
    if (created) this.emit(rt, "customers/create", customerPayload(s, c));
    this.emit(rt, "orders/create", orderPayload(s, o));
    this.emit(rt, "orders/paid", orderPayload(s, o));
    this.emit(rt, "customers/update", customerPayload(s, c));
    return o;
  }

  cancelOrder(rt: ShopRuntime, o: number, reason: CancelReason = "CUSTOMER", refund = true): void {
    const s = rt.store;
    s.cancelOrder(o, this.clock.now(), reason, refund);
    const r = s.refunds(o);
    const last = r[r.length - 1];
    this.emit(rt, "orders/cancelled", orderPayload(s, o));
    if (refund && last) this.emit(rt, "refunds/create", refundPayload(s, o, last));
    this.emit(rt, "orders/updated", orderPayload(s, o));
  }

  refundOrder(rt: ShopRuntime, o: number, amountCents?: number, note?: string): void {
    const s = rt.store;
    const r = s.refundOrder(o, this.clock.now(), amountCents, note ?? null);
    this.emit(rt, "refunds/create", refundPayload(s, o, r));
    this.emit(rt, "orders/updated", orderPayload(s, o));
  }

  editOrder(rt: ShopRuntime, o: number, addQuantity: number): void {
    const s = rt.store;
    // an edit that adds units to the first line item
    const { start } = s.lineRange(o);
    const before = s.lQty.get(start);
    const after = Math.max(1, before + addQuantity);
    s.lQty.set(start, after);
    s.oUpdated.set(o, this.clock.now());
    s.touch("o");
    const change = [{ id: s.lineItemId(start), delta: Math.abs(after - before) }];
    this.emit(
      rt,
      "orders/edited",
      orderEditedPayload(
        s,
        o,
        after >= before ? { additions: change, removals: [] } : { additions: [], removals: change },
      ),
    );
    this.emit(rt, "orders/updated", orderPayload(s, o));
  }

  deleteOrder(rt: ShopRuntime, o: number): void {
    const id = rt.store.orderId(o);
    rt.store.deleteOrder(o);
    this.emit(rt, "orders/delete", { id });
  }

  updateCustomer(
    rt: ShopRuntime,
    c: number,
    patch: {
      email?: string | null;
      firstName?: string | null;
      lastName?: string | null;
      note?: string | null;
      consent?: ConsentState;
    },
  ): void {
    rt.store.updateCustomer(c, patch, this.clock.now());
    this.emit(rt, "customers/update", customerPayload(rt.store, c));
  }

  createCustomer(
    rt: ShopRuntime,
    opts: { email?: string; firstName?: string; lastName?: string; consent?: ConsentState },
  ): number {
    const s = rt.store;
    const c = s.addCustomer({
      createdAt: this.clock.now(),
      firstNameIdx: this.rng.int(0, 200),
      lastNameIdx: this.rng.int(0, 200),
      consent: opts.consent ?? "NOT_SUBSCRIBED",
      override: {
        ...(opts.email !== undefined && { email: opts.email }),
        ...(opts.firstName !== undefined && { firstName: opts.firstName }),
        ...(opts.lastName !== undefined && { lastName: opts.lastName }),
      },
    });
    this.emit(rt, "customers/create", customerPayload(s, c));
    return c;
  }

  deleteCustomer(rt: ShopRuntime, c: number): void {
    const id = rt.store.customerId(c);
    rt.store.deleteCustomer(c);
    this.emit(rt, "customers/delete", customerDeletePayload(id));
  }

  /** Tags changed through the API: Shopify fires customers/update. */
  tagsChanged(rt: ShopRuntime, c: number): void {
    this.emit(rt, "customers/update", customerPayload(rt.store, c));
  }

  compliance(
    rt: ShopRuntime,
    topic: "customers/data_request" | "customers/redact" | "shop/redact",
    c?: number,
  ): void {
    const s = rt.store;
    const base = { shop_id: s.shop.id, shop_domain: s.shop.domain };
    if (topic === "shop/redact") {
      this.emit(rt, topic, base);
      return;
    }
    if (c === undefined || c < 0) throw new Error("customer required");
    const customer = { id: s.customerId(c), email: s.email(c), phone: null };
    const orders = s.customerOrders(c).map((o) => s.orderId(o));
    if (topic === "customers/redact")
      this.emit(rt, topic, { ...base, customer, orders_to_redact: orders });
    else
      this.emit(rt, topic, {
        ...base,
        customer,
        orders_requested: orders,
        data_request: { id: this.rng.int(1000, 999999) },
      });
  }

  uninstall(rt: ShopRuntime): void {
    this.emit(rt, "app/uninstalled", shopPayload(rt.store));
    rt.installed = false;
    rt.apiSubscriptions = [];
    this.auth.revokeShop(rt.domain);
  }

  /** Members test of a stored segment (gid or numeric id); null when not evaluable. */
  segmentTest(rt: ShopRuntime, segmentId: string): MemberTest | null {
    const id = Number(segmentId.match(/(\d+)$/)?.[1] ?? Number.NaN);
    const seg = rt.store.segments.find((x) => x.id === id);
    return seg ? compileSegmentQuery(seg.query) : null;
  }

  /**
   * Live activity: place `orders` orders now. A `targetedShare` of them comes from customers a
   * currently active API-created discount is aimed at (its segments' members, or everyone), who
   * redeem the code with probability `redeemShare`; the rest from random existing customers.
   * Gives an app's promotion measurement (redemptions, lift against a holdout) something real.
   */
  activity(
    rt: ShopRuntime,
    opts: { orders?: number; redeemShare?: number; targetedShare?: number } = {},
  ): { orderId: number; customerId: number; discountCode: string | null }[] {
    const s = rt.store;
    const now = this.clock.now();
    const active = s.discounts.filter(
      (d) => d.source === "api" && d.startsAt <= now && (d.endsAt === null || d.endsAt > now),
    );
    const targeted = active.map((d) => {
      const tests = d.customerSegmentIds.map((sid) => this.segmentTest(rt, sid));
      const member: MemberTest =
        tests.length === 0 ? () => true : (st, c) => tests.some((t) => t !== null && t(st, c));
      return { d, member };
    });
    const eligible: number[] = [];
    if (targeted.length > 0) {
      for (let c = 0; c < s.customerRows; c++) {
        if (s.customerExists(c) && targeted.some((t) => t.member(s, c))) eligible.push(c);
      }
    }
    const out: { orderId: number; customerId: number; discountCode: string | null }[] = [];
    const n = opts.orders ?? 10;
    for (let i = 0; i < n; i++) {
      let c = -1;
      if (eligible.length > 0 && this.rng.chance(opts.targetedShare ?? 0.5))
        c = this.rng.pick(eligible);
      else {
        for (let tries = 0; tries < 8 && c < 0; tries++) {
          const k = this.rng.int(0, s.customerRows - 1);
          if (s.customerExists(k) && (s.cFirstOrder.get(k) >= 0 || tries === 7)) c = k;
        }
      }
      if (c < 0) continue;
      const codes = targeted.filter((t) => t.member(s, c));
      const code =
        codes.length > 0 && this.rng.chance(opts.redeemShare ?? 0.35)
          ? this.rng.pick(codes).d.code
          : undefined;
      const o = this.placeOrder(rt, { customerIdx: c, discountCode: code });
      out.push({ orderId: s.orderId(o), customerId: s.customerId(c), discountCode: code ?? null });
    }
    return out;
  }

  // ---------------- GraphQL ----------------

  /** Execute a document for a shop without cost accounting (bulk operations). */
  async executeUncosted(
    rt: ShopRuntime,
    doc: DocumentNode,
    variables: Record<string, unknown>,
    apiVersion: string,
    bulk: boolean,
  ): Promise<ExecutionResult> {
    const ctx: ResolverContext = { sim: this, rt, apiVersion, bulk, searchWarnings: [] };
    return execute({
      schema: adminSchema(),
      document: doc,
      rootValue: buildRoot(ctx),
      contextValue: ctx,
      variableValues: variables,
      fieldResolver,
    });
  }

  async graphql(rt: ShopRuntime, body: unknown, apiVersion: string): Promise<GraphQLResponse> {
    const schema = adminSchema();
    const req = (body && typeof body === "object" ? body : {}) as {
      query?: unknown;
      variables?: unknown;
      operationName?: unknown;
    };
    const cost = (requested: number, actual: number | null): Record<string, unknown> => ({
      cost: {
        requestedQueryCost: requested,
        actualQueryCost: actual,
        throttleStatus: rt.bucket.status(),
      },
    });
    if (typeof req.query !== "string" || !req.query.trim()) {
      return { status: 400, body: { errors: { query: "Required parameter missing or invalid" } } };
    }
    let doc: DocumentNode;
    try {
      doc = parse(req.query);
    } catch (e) {
      const err = e instanceof GraphQLError ? formatSyntaxError(e) : { message: String(e) };
      return { status: 200, body: { errors: [err], extensions: cost(0, 0) } };
    }
    const validationErrors = validate(schema, doc);
    if (validationErrors.length > 0) {
      return {
        status: 200,
        body: { errors: validationErrors.map(formatValidationError), extensions: cost(0, 0) },
      };
    }
    const variables =
      req.variables && typeof req.variables === "object"
        ? (req.variables as Record<string, unknown>)
        : {};
    const operationName = typeof req.operationName === "string" ? req.operationName : undefined;
    const op = findOperation(doc, operationName);
    if (!op) {
      const errors: ShopifyGraphQLError[] = [
        {
          message: operationName
            ? `No operation named "${operationName}"`
            : "An operation name is required",
          extensions: { code: "OPERATION_NOT_FOUND" },
        },
      ];
      return { status: 200, body: { errors, extensions: cost(0, 0) } };
    }
    const requested = queryCost(schema, doc, op, variables);
    if (requested > MAX_QUERY_COST) {
      return {
        status: 200,
        body: {
          errors: [
            {
              message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
              extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: MAX_QUERY_COST },
            },
          ],
          extensions: cost(requested, 0),
        },
      };
    }
    if (!rt.bucket.take(requested)) {
      return {
        status: 200,
        body: {
          errors: [
            {
              message: "Throttled",
              extensions: {
                code: "THROTTLED",
                documentation: "https://shopify.dev/api/usage/rate-limits",
              },
            },
          ],
          extensions: cost(requested, null),
        },
      };
    }
    const ctx: ResolverContext = { sim: this, rt, apiVersion, bulk: false, searchWarnings: [] };
    const result = await execute({
      schema,
      document: doc,
      rootValue: buildRoot(ctx),
      contextValue: ctx,
      variableValues: variables,
      operationName,
      fieldResolver,
    });
    const actual =
      op.operation === "mutation"
        ? requested
        : Math.min(requested, queryCost(schema, doc, op, variables, result.data ?? {}));
    rt.bucket.refund(requested - actual);
    const out: Record<string, unknown> = {};
    if (result.errors && result.errors.length > 0) {
      out.errors = result.errors.map((e) => {
        const j = e.toJSON();
        return { ...j, extensions: { code: "INTERNAL_SERVER_ERROR", ...j.extensions } };
      });
    }
    out.data = result.data ?? null;
    const ext = cost(requested, actual);
    if (ctx.searchWarnings.length > 0) ext.search = ctx.searchWarnings;
    out.extensions = ext;
    return { status: 200, body: out };
  }
}

export function normalizeShop(shop: string): string {
  const s = shop.trim().toLowerCase();
  return s.includes(".") ? s : `${s}.myshopify.com`;
}
