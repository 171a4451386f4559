/**
 * Human-facing admin pages of the shell: customers (with their tags — watch the app's segment
 * tags appear), recent orders and discounts, with buttons that drive the control API (place an
 * order, refund, cancel, a burst of live activity).
 */
import type { ShopRuntime, Simulator } from "../core.js";
import { money } from "../webhooks/payloads.js";
import { adminPage, esc } from "./shell.js";

const PAGE = 50;

function pager(base: string, page: number, hasMore: boolean, extra = ""): string {
  const prev = page > 0 ? `<a href="${base}?page=${page - 1}${extra}">← Previous</a>` : "";
  const next = hasMore ? `<a href="${base}?page=${page + 1}${extra}">Next →</a>` : "";
  return `<p class="toolbar">${prev} <span class="muted">page ${page + 1}</span> ${next}</p>`;
}

export function customersPage(
  sim: Simulator,
  rt: ShopRuntime,
  page: number,
  tag: string | null,
): string {
  const s = rt.store;
  const api = `/_sim/shops/${esc(rt.domain)}`;
  const rows: string[] = [];
  let skipped = 0;
  let hasMore = false;
  // newest customers first
  for (let c = s.customerRows - 1; c >= 0; c--) {
    if (!s.customerExists(c)) continue;
    if (tag && !s.tags(c).some((t) => t.toLowerCase() === tag.toLowerCase())) continue;
    if (skipped < page * PAGE) {
      skipped++;
      continue;
    }
    if (rows.length === PAGE) {
      hasMore = true;
      break;
    }
    const id = s.customerId(c);
    const tags = s
      .tags(c)
      .map((t) => `<a class="tag" href="?tag=${encodeURIComponent(t)}">${esc(t)}</a>`)
      .join("");
    rows.push(`<tr><td>${esc(s.displayName(c))}<br><span class="muted">${esc(s.email(c) ?? "")} · ${id}</span></td>
<td>${s.numberOfOrders(c)}</td><td>${money(s.amountSpentCents(c))} ${esc(s.shop.currencyCode)}</td><td>${esc(s.consent(c).toLowerCase())}</td>
<td>${tags || '<span class="muted">—</span>'}</td>
<td><button onclick="simPost('${api}/orders', { customerId: ${id} })">Place order</button></td></tr>`);
  }
  const filter = tag
    ? `<p>Tagged <span class="tag">${esc(tag)}</span> · <a href="?">all customers</a></p>`
    : "";
  const body = `${filter}<p class="toolbar"><button class="primary" onclick="simPost('${api}/activity', { orders: 20 })">Live activity: 20 orders</button>
<span class="muted">${s.customersAlive} customers · ${s.ordersAlive} orders · plan ${esc(s.shop.plan)}</span></p>
<div class="card"><table><tr><th>Customer</th><th>Orders</th><th>Amount spent</th><th>Email marketing</th><th>Tags</th><th></th></tr>
${rows.join("\n")}</table></div>${pager("", page, hasMore, tag ? `&tag=${encodeURIComponent(tag)}` : "")}`;
  return adminPage(sim, rt, "customers", "Customers", body);
}

export function ordersPage(sim: Simulator, rt: ShopRuntime, page: number): string {
  const s = rt.store;
  const api = `/_sim/shops/${esc(rt.domain)}`;
  const rows: string[] = [];
  let skipped = 0;
  let hasMore = false;
  for (let o = s.orderRows - 1; o >= 0; o--) {
    if (!s.orderExists(o)) continue;
    if (skipped < page * PAGE) {
      skipped++;
      continue;
    }
    if (rows.length === PAGE) {
      hasMore = true;
      break;
    }
    const id = s.orderId(o);
    const c = s.oCustomer.get(o);
    const status = s.financialStatus(o).toLowerCase().replace("_", " ");
    const code = s.discountCode(o)?.code;
    const actions = s.isCancelled(o)
      ? '<span class="muted">cancelled</span>'
      : `<button onclick="simPost('${api}/orders/${id}/refund', { amount: 10 })">Refund 10</button>
<button onclick="simPost('${api}/orders/${id}/cancel', { reason: 'customer' })">Cancel</button>`;
    rows.push(`<tr><td>${esc(s.orderName(o))}${s.isTest(o) ? ' <span class="tag">test</span>' : ""}</td>
<td>${esc(new Date(s.oProcessed.get(o)).toISOString().slice(0, 16).replace("T", " "))}</td>
<td>${c >= 0 ? esc(s.displayName(c)) : ""}</td><td>${money(s.totalCents(o))}</td><td>${esc(status)}</td>
<td>${code ? `<span class="tag">${esc(code)}</span>` : ""}</td><td>${actions}</td></tr>`);
  }
  const body = `<div class="card"><table><tr><th>Order</th><th>Date</th><th>Customer</th><th>Total</th><th>Payment</th><th>Discount</th><th></th></tr>
${rows.join("\n")}</table></div>${pager("", page, hasMore)}`;
  return adminPage(sim, rt, "orders", "Orders", body);
}

export function discountsPage(sim: Simulator, rt: ShopRuntime): string {
  const s = rt.store;
  const rows = [...s.discounts].reverse().map(
    (d) => `<tr><td><span class="tag">${esc(d.code)}</span></td><td>${esc(d.title)}</td>
<td>${d.percent > 0 ? `${d.percent}%` : money(d.fixedCents)}</td><td>${d.usageCount}</td>
<td>${esc(d.source === "api" ? "app" : "store")}</td><td class="muted">${esc(new Date(d.startsAt).toISOString().slice(0, 10))} → ${d.endsAt === null ? "" : esc(new Date(d.endsAt).toISOString().slice(0, 10))}</td></tr>`,
  );
  const segs = s.segments
    .map((g) => `<tr><td>${esc(g.name)}</td><td><code>${esc(g.query)}</code></td></tr>`)
    .join("");
  const body = `<div class="card"><table><tr><th>Code</th><th>Title</th><th>Value</th><th>Used</th><th>Created by</th><th>Active</th></tr>${rows.join("\n")}</table></div>
<h3>Customer segments</h3><div class="card"><table><tr><th>Name</th><th>Query</th></tr>${segs || '<tr><td class="muted" colspan="2">none yet</td></tr>'}</table></div>`;
  return adminPage(sim, rt, "discounts", "Discounts", body);
}
