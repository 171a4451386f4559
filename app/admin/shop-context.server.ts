import prisma from "~/db.server";
import { recordInstall } from "~/shopify/install.server";
import { authenticate } from "~/shopify.server";

/**
 * The shop of the verified session. Every page query is scoped by the id returned here, never
 * by anything taken from the URL or the form.
 */
export async function requireShop(request: Request) {
  const { session } = await authenticate.admin(request);
  const select = { id: true, domain: true, currencyCode: true };
  const shop = await prisma.shop.findUnique({ where: { domain: session.shop }, select });
  if (shop) return shop;
  // On the very first page view the layout's and the page's loaders authenticate in parallel;
  // the page's may win the token exchange while the other is still in the install hook.
  // Installing is idempotent, so the page finishes it rather than failing.
  await recordInstall(session);
  return prisma.shop.findUniqueOrThrow({ where: { domain: session.shop }, select });
}

export type ShopRef = Awaited<ReturnType<typeof requireShop>>;
