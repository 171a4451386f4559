import type { LoaderFunctionArgs } from "@remix-run/node";
import prisma from "~/db.server";
import { recordOpsAccess } from "~/ops/audit.server";
import { requireOpsUser } from "~/ops/auth.server";
import { toJson } from "~/ops/queries.server";
import { dataRequestExport } from "~/sync/data-request.server";

// GET /ops/shops/:domain/data-requests/:deliveryId.json — the export answering one
// customers/data_request, built now from what Propel holds, as a file to hand to the merchant.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireOpsUser(request);
  const domain = params.domain ?? "";
  if (!/^\d{1,18}$/.test(params.deliveryId ?? "")) {
    return Response.json({ error: "delivery id must be numeric" }, { status: 400 });
  }
  const deliveryId = BigInt(params.deliveryId!);
  const answer = await dataRequestExport(prisma, domain, deliveryId);
  if (!answer) return Response.json({ error: "no such data request" }, { status: 404 });
  const customer = answer.request.customerId ?? "unknown";
  await recordOpsAccess(request, user, {
    action: "export-data-request",
    shopDomain: domain,
    subject: answer.request.customerId,
  });
  const filename = `propel-data-request-${domain}-customer-${customer}-${deliveryId}.json`;
  return new Response(toJson(answer), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename.replace(/[^\w.-]/g, "_")}"`,
      // Personal data: no shared or browser cache keeps a copy.
      "Cache-Control": "no-store",
    },
  });
}
