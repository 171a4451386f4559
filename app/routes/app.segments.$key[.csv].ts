import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvLine } from "~/admin/csv.server";
import { exportSegmentMembers, type ExportRow } from "~/admin/segment-customers.server";
import { requireShop } from "~/admin/shop-context.server";
import { segmentDefinition } from "~/segmentation/catalog";
import { minorToMajor } from "~/segmentation/money";

// GET /app/segments/:key.csv — every member of a segment, streamed a page at a time.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  const key = params.key ?? "";
  if (!segmentDefinition(key)) throw new Response("No such segment", { status: 404 });

  const pages = exportSegmentMembers(shop.id, key);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvLine(HEADER)));
    },
    // One page per pull: the database is read only as fast as the client downloads.
    async pull(controller) {
      const next = await pages.next();
      if (next.done) return controller.close();
      controller.enqueue(encoder.encode(next.value.map((row) => csvLine(fields(row))).join("")));
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
  const filename = `${shop.domain.replace(/\.myshopify\.com$/, "")}-${key.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.csv`;
  return new Response(stream, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    },
  });
}

const HEADER = [
  "Customer ID",
  "Email",
  "First name",
  "Last name",
  "Orders",
  "Total spent",
  "Average order value",
  "Currency",
  "RFM group",
  "R",
  "F",
  "M",
  "Value type",
  "P(alive)",
  "Expected purchases",
  "Churn risk",
  "Predicted 12-month CLV",
  "Predicted spend tier",
  "Propensity to grow",
  "Last order",
  "Member since",
];

function fields(row: ExportRow): (string | number | null)[] {
  const money = (minor: number | null) =>
    minor === null ? null : minorToMajor(minor, row.currency);
  return [
    row.id,
    row.email,
    row.firstName,
    row.lastName,
    row.orders,
    money(row.totalSpentMinor),
    money(row.aovMinor),
    row.currency,
    row.rfmGroup,
    row.rScore ?? null,
    row.fScore ?? null,
    row.mScore ?? null,
    row.valueType,
    row.pAlive,
    row.expectedPurchases,
    row.churnRisk,
    money(row.clv12mMinor),
    row.spendTier,
    row.propensity,
    row.lastOrderDate,
    row.since.slice(0, 10),
  ];
}
