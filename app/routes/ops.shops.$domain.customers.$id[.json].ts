import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma from "~/db.server";
import { recordOpsAccess } from "~/ops/audit.server";
import { requireOpsUser } from "~/ops/auth.server";
import { customerRecord, toJson } from "~/ops/queries.server";

// GET /ops/shops/:domain/customers/:id.json — a customer with orders and current metrics.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireOpsUser(request);
  if (!/^\d+$/.test(params.id ?? "")) {
    return Response.json({ error: "customer id must be numeric" }, { status: 400 });
  }
  await recordOpsAccess(request, user, {
    action: "view-customer",
    shopDomain: params.domain ?? "",
    subject: params.id!,
  });
  const record = await customerRecord(prisma, params.domain ?? "", BigInt(params.id!));
  if (!record) return Response.json({ error: "no such customer" }, { status: 404 });
  return new Response(toJson(record), { headers: { "Content-Type": "application/json" } });
}
