import prisma from "~/db.server";
import { authenticate } from "~/shopify.server";

/**
 * The shop of the verified session. Every page query is scoped by the id returned here, never
 * by anything taken from the URL or the form.
 */
export async function requireShop(request: Request) {
  const { session } = await authenticate.admin(request);
  const shop = await prisma.shop.findUnique({
    where: { domain: session.shop },
    select: { id: true, domain: true, currencyCode: true },
  });
  // The install hook creates the row; a session without one is a half-finished install.
  if (!shop) throw new Response("This shop has not finished installing Propel.", { status: 404 });
  return shop;
}

export type ShopRef = Awaited<ReturnType<typeof requireShop>>;
