/**
 * JSON for the admin block on Shopify's customer details page
 * (extensions/customer-segments-block). The extension calls it with `fetch`, which Shopify
 * authenticates with a session token in the Authorization header; `authenticate.admin`
 * verifies it, answers the CORS preflight, and `cors` adds the headers the extension's origin
 * needs to read the answer. The shop comes from the verified token, never from the URL.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { loadCustomerBlock } from "~/customer-block/segments.server";
import prisma from "~/db.server";
import { authenticate } from "~/shopify.server";

/** Accepts the numeric id or the gid the extension receives (gid://shopify/Customer/123). */
function customerIdFrom(param: string | undefined): bigint | null {
  const tail = decodeURIComponent(param ?? "").replace(/^gid:\/\/shopify\/Customer\//, "");
  return /^\d{1,19}$/.test(tail) ? BigInt(tail) : null;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { session, cors } = await authenticate.admin(request);
  const json = (body: unknown, status = 200) => cors(Response.json(body, { status }));
  const customerId = customerIdFrom(params.id);
  if (customerId === null) return json({ error: "invalid customer id" }, 400);
  const shop = await prisma.shop.findUnique({
    where: { domain: session.shop },
    select: { id: true },
  });
  if (!shop) return json({ error: "shop not installed" }, 404);
  const data = await loadCustomerBlock(shop.id, customerId);
  if (!data) return json({ error: "customer not found" }, 404);
  return json(data);
}

/** Only the CORS preflight (OPTIONS) reaches here; authenticate.admin answers it. */
export async function action({ request }: ActionFunctionArgs) {
  const { cors } = await authenticate.admin(request);
  return cors(new Response(null, { status: 405, headers: { Allow: "GET" } }));
}
