/**
 * A small, deterministic shop written straight into the database (no simulator): customers
 * with tags and email consent, prospects, and orders with discounts, partial and full refunds,
 * cancellations and test orders, so reports computed in SQL can be checked against the engine.
 */
import prisma from "~/db.server";

const day = 86_400_000;

/** A linear congruential generator, so the shop is the same on every run. */
export function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

export async function seedShop(
  domain: string,
  options: { customers: number; now: Date; seed?: number },
): Promise<number> {
  await prisma.shop.deleteMany({ where: { domain } });
  const shop = await prisma.shop.create({ data: { domain, currencyCode: "USD" } });
  const rand = random(options.seed ?? 7);
  const now = options.now.getTime();
  const customers = [];
  const orders = [];
  const lines = [];
  let orderId = 1n;
  for (let i = 1; i <= options.customers; i++) {
    const created = new Date(now - (30 + Math.floor(rand() * 700)) * day);
    customers.push({
      shopId: shop.id,
      id: BigInt(i),
      email: `c${i}@example.com`,
      tags: i % 7 === 0 ? ["VIP"] : i % 11 === 0 ? ["wholesale"] : [],
      emailMarketingState: i % 5 === 0 ? null : i % 3 === 0 ? "SUBSCRIBED" : "NOT_SUBSCRIBED",
      shopifyCreatedAt: created,
      shopifyUpdatedAt: created,
      deletedAt: i % 97 === 0 ? new Date(now) : null,
    });
    // One in ten has no orders (prospects); the others 1–8 orders over their lifetime.
    const count = i % 10 === 0 ? 0 : 1 + Math.floor(rand() * rand() * 8);
    for (let k = 0; k < count; k++) {
      const at = new Date(created.getTime() + rand() * (now - created.getTime() - day));
      const subtotal = BigInt(1_000 + Math.floor(rand() * 15_000));
      const discount = rand() < 0.3 ? subtotal / 5n : 0n;
      const total = subtotal - discount;
      const r = rand();
      const refunded = r < 0.04 ? total / 2n : r < 0.06 ? total : 0n;
      const kind = rand();
      orders.push({
        shopId: shop.id,
        id: orderId,
        customerId: BigInt(i),
        name: `#${orderId}`,
        processedAt: at,
        shopifyCreatedAt: at,
        shopifyUpdatedAt: at,
        financialStatus: "PAID",
        currency: "USD",
        totalMinor: total,
        subtotalMinor: subtotal,
        discountMinor: discount,
        refundedMinor: refunded,
        cancelledAt: kind < 0.02 ? at : null,
        test: kind > 0.99,
      });
      lines.push({
        shopId: shop.id,
        id: orderId,
        orderId,
        productType: ["Running shoes", "Socks", "Jackets"][Math.floor(rand() * 3)],
        vendor: ["Acme", "Globex"][Math.floor(rand() * 2)],
        quantity: 1,
        unitPriceMinor: subtotal,
      });
      orderId++;
    }
  }
  await prisma.customer.createMany({ data: customers });
  await prisma.order.createMany({ data: orders });
  await prisma.orderLineItem.createMany({ data: lines });
  return shop.id;
}
