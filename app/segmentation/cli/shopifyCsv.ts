/**
 * Parser for the Orders export CSV of the Shopify admin (Orders → Export). One row per line
 * item; an order with several line items repeats its Name on the following rows, which carry
 * only the line-item columns. The customer is identified by Email (lower-cased); orders without
 * an email cannot be attributed and are skipped (and counted). Voided orders and orders with a
 * "Cancelled at" are cancelled. An order's value is its net merchandise sales (docs/money.md):
 * `Subtotal` (line items after discounts, before shipping and taxes; `Total` less `Shipping` and
 * `Taxes` where an export has no Subtotal), less the merchandise share of "Refunded Amount"
 * (which covers shipping and tax too, so it is scaled by Subtotal / Total). The export does not
 * date refunds: they count from the order's own day.
 */
import { parse, type Info } from "csv-parse/sync";
import { currencyExponent, parseDecimalToMinor } from "../money";
import type { CustomerInput, LineItemInput, OrderInput } from "../types";
import { InputFormatError } from "./inputFormatError";

export interface ParsedShopifyExport {
  orders: OrderInput[];
  customers: CustomerInput[];
  skippedWithoutEmail: number;
}

const REQUIRED_COLUMNS = ["Name", "Email", "Currency", "Total", "Created at"] as const;

/** "2024-03-05 14:22:10 -0500" → "2024-03-05T14:22:10-05:00" (ISO 8601). */
export function shopifyTimestampToIso(text: string): string {
  const m =
    /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)\s*(?:([+-])(\d{2}):?(\d{2})|(Z|UTC))?$/.exec(
      text.trim(),
    );
  if (m === null) return text.trim();
  const [, date, time, sign, zh, zm, utc] = m;
  const zone = sign !== undefined ? `${sign}${zh}:${zm}` : utc !== undefined ? "Z" : "";
  return `${date}T${time}${zone}`;
}

export function parseShopifyOrdersCsv(text: string): ParsedShopifyExport {
  let rows: { info: Info; record: string[] }[];
  try {
    rows = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as {
      info: Info;
      record: string[];
    }[];
  } catch (e) {
    const line =
      typeof e === "object" && e !== null && "lines" in e && typeof e.lines === "number"
        ? e.lines
        : 0;
    throw new InputFormatError(line, e instanceof Error ? e.message : String(e));
  }
  if (rows.length === 0) throw new InputFormatError(1, "the file is empty");
  const header = rows[0].record.map((h) => h.trim());
  const column = new Map(header.map((h, i) => [h, i]));
  for (const name of REQUIRED_COLUMNS) {
    if (!column.has(name))
      throw new InputFormatError(1, `missing column "${name}" — is this a Shopify orders export?`);
  }
  const get = (record: string[], name: string): string => {
    const i = column.get(name);
    return i === undefined ? "" : (record[i] ?? "").trim();
  };

  const orders: OrderInput[] = [];
  const consent = new Map<string, boolean>();
  const byName = new Map<string, OrderInput & { lineItems: LineItemInput[] }>();
  let skippedWithoutEmail = 0;
  const skippedNames = new Set<string>();

  for (let r = 1; r < rows.length; r++) {
    const { record, info } = rows[r];
    const line = info.lines;
    const name = get(record, "Name");
    if (name === "") throw new InputFormatError(line, `row has no order Name`);
    const money = (field: string, exponent: number): number => {
      const value = get(record, field);
      if (value === "") return 0;
      try {
        const minor = parseDecimalToMinor(value, exponent);
        if (minor < 0) throw new Error("negative");
        return minor;
      } catch {
        throw new InputFormatError(line, `${field} "${value}" is not a non-negative amount`);
      }
    };

    let order = byName.get(name);
    if (order === undefined) {
      if (skippedNames.has(name)) continue;
      const email = get(record, "Email").toLowerCase();
      if (email === "") {
        skippedWithoutEmail++;
        skippedNames.add(name);
        continue;
      }
      const currency = get(record, "Currency");
      if (!/^[A-Z]{3}$/.test(currency))
        throw new InputFormatError(line, `Currency "${currency}" is not an ISO 4217 code`);
      const exponent = currencyExponent(currency);
      const createdAt = get(record, "Created at");
      if (!/^\d{4}-\d{2}-\d{2}/.test(createdAt))
        throw new InputFormatError(line, `Created at "${createdAt}" is not a date`);
      const financial = get(record, "Financial Status").toLowerCase();
      const total = money("Total", exponent);
      const merchandise = column.has("Subtotal")
        ? money("Subtotal", exponent)
        : Math.max(0, total - money("Shipping", exponent) - money("Taxes", exponent));
      const refundedPaid = Math.min(money("Refunded Amount", exponent), total);
      const refunded =
        total > 0 ? Math.min(merchandise, Math.round((refundedPaid * merchandise) / total)) : 0;
      order = {
        customerId: email,
        orderId: get(record, "Id") || name,
        processedAt: shopifyTimestampToIso(createdAt),
        currency,
        totalMinor: merchandise,
        discountMinor: money("Discount Amount", exponent),
        refundedMinor: financial === "refunded" ? merchandise : refunded,
        cancelled: get(record, "Cancelled at") !== "" || financial === "voided",
        lineItems: [],
      };
      const accepts = get(record, "Accepts Marketing").toLowerCase();
      if (accepts === "yes" || accepts === "no") consent.set(email, accepts === "yes");
      byName.set(name, order);
      orders.push(order);
    }
    const quantityText = get(record, "Lineitem quantity");
    if (quantityText !== "") {
      const quantity = Number(quantityText);
      if (!Number.isInteger(quantity) || quantity < 0) {
        throw new InputFormatError(
          line,
          `Lineitem quantity "${quantityText}" is not a whole number`,
        );
      }
      order.lineItems.push({
        unitPriceMinor: money("Lineitem price", currencyExponent(order.currency)),
        quantity,
        vendor: get(record, "Vendor") || undefined,
        productId: get(record, "Lineitem sku") || get(record, "Lineitem name") || undefined,
      });
    }
  }
  const customers: CustomerInput[] = [...consent].map(([id, accepts]) => ({
    id,
    emailMarketingConsent: accepts,
  }));
  return { orders, customers, skippedWithoutEmail };
}
