/**
 * JSON Lines input: one order per line, the `OrderInput` shape with amounts as integer minor
 * units, e.g.
 *
 *   {"customerId":"c1","orderId":"1001","processedAt":"2024-03-05T14:22:10Z","currency":"USD",
 *    "totalMinor":4599,"discountMinor":500,"refundedMinor":0,"cancelled":false,"test":false,
 *    "lineItems":[{"productType":"Shoes","vendor":"Acme","unitPriceMinor":4599,"quantity":1}]}
 *
 * totalMinor is the order's net merchandise before refunds (line items after discounts, no
 * shipping or taxes; docs/money.md); refunds may be dated:
 * "refunds":[{"processedAt":"2024-03-20","amountMinor":1500}].
 * Only customerId, orderId, processedAt, currency and totalMinor are required. Blank lines are
 * skipped. Each line is checked with a zod schema so that errors name the line and the field.
 */
import { z } from "zod";
import type { OrderInput } from "../types";
import { InputFormatError } from "./inputFormatError";

const minor = z.number().int().nonnegative();

const lineItemSchema = z.object({
  productId: z.string().optional(),
  productType: z.string().optional(),
  vendor: z.string().optional(),
  unitPriceMinor: minor,
  quantity: z.number().nonnegative(),
});

export const orderLineSchema = z.object({
  customerId: z.union([z.string().min(1), z.number()]).transform(String),
  orderId: z.union([z.string().min(1), z.number()]).transform(String),
  processedAt: z.string().min(1),
  currency: z.string().regex(/^[A-Za-z]{3}$/, "expected a 3-letter currency code"),
  totalMinor: minor,
  discountMinor: minor.optional(),
  refundedMinor: minor.optional(),
  refunds: z.array(z.object({ processedAt: z.string().min(1), amountMinor: minor })).optional(),
  cancelled: z.boolean().optional(),
  test: z.boolean().optional(),
  lineItems: z.array(lineItemSchema).optional(),
});

export function parseJsonl(text: string): OrderInput[] {
  const orders: OrderInput[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      throw new InputFormatError(
        i + 1,
        `not valid JSON (${e instanceof Error ? e.message : String(e)})`,
      );
    }
    const parsed = orderLineSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue.path.length > 0 ? issue.path.join(".") : "order";
      throw new InputFormatError(i + 1, `${path}: ${issue.message}`);
    }
    orders.push(parsed.data);
  }
  return orders;
}
