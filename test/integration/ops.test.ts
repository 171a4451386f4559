import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { loader as shopsLoader } from "~/routes/ops._index";
import { loader as customerLoader } from "~/routes/ops.shops.$domain.customers.$id[.json]";

const domain = "ops-view.myshopify.com";
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

async function call<T>(loader: (args: never) => Promise<T>, args: object): Promise<T | Response> {
  try {
    return await loader({ params: {}, context: {}, ...args } as never);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

describe("ops pages", () => {
  beforeAll(async () => {
    const shop = await prisma.shop.create({ data: { domain } });
    await prisma.customer.create({
      data: {
        shopId: shop.id,
        id: 5n,
        email: "grace@example.com",
        shopifyCreatedAt: new Date(),
        shopifyUpdatedAt: new Date(),
      },
    });
    await prisma.order.create({
      data: {
        shopId: shop.id,
        customerId: 5n,
        id: 50n,
        name: "#1",
        processedAt: new Date(),
        shopifyCreatedAt: new Date(),
        shopifyUpdatedAt: new Date(),
        currency: "EUR",
        totalMinor: 1999n,
        subtotalMinor: 1999n,
      },
    });
  });
  afterAll(async () => {
    await prisma.shop.delete({ where: { domain } });
  });

  it("challenge requests without the ops credentials", async () => {
    const anonymous = await call(shopsLoader, { request: new Request("http://x/ops") });
    expect(anonymous).toBeInstanceOf(Response);
    expect((anonymous as Response).status).toBe(401);
    expect((anonymous as Response).headers.get("WWW-Authenticate")).toMatch(/^Basic/);

    const wrong = await call(shopsLoader, {
      request: new Request("http://x/ops", {
        headers: { Authorization: basic("support", "not-the-password") },
      }),
    });
    expect((wrong as Response).status).toBe(401);
  });

  it("list shops for support staff", async () => {
    const data = await call(shopsLoader, {
      request: new Request("http://x/ops", {
        headers: { Authorization: basic("support", process.env.OPS_PASSWORD!) },
      }),
    });
    expect(data).not.toBeInstanceOf(Response);
    const shops = (data as { shops: { domain: string; customers: number }[] }).shops;
    expect(shops.find((shop) => shop.domain === domain)).toMatchObject({ customers: 1 });
  });

  it("look up a customer with their orders as JSON", async () => {
    const response = (await call(customerLoader, {
      request: new Request(`http://x/ops/shops/${domain}/customers/5.json`, {
        headers: { Authorization: basic("support", process.env.OPS_PASSWORD!) },
      }),
      params: { domain, id: "5" },
    })) as Response;
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ id: "5", email: "grace@example.com" });
    expect(body.orders).toMatchObject([{ id: "50", totalMinor: "1999", currency: "EUR" }]);
  });
});
