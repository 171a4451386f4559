import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvLine } from "~/admin/csv.server";
import { exportIntervals, type RowIntervals } from "~/admin/export-intervals.server";
import { exportSegmentMembers, type ExportRow } from "~/admin/segment-customers.server";
import { requireShop } from "~/admin/shop-context.server";
import { segmentDefinition } from "~/segmentation/catalog";
import { minorToMajor } from "~/segmentation/money";

// GET /app/segments/:key.csv — every member of a segment, streamed a page at a time.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  const key = params.key ?? "";
  if (!segmentDefinition(key)) throw new Response("No such segment", { status: 404 });

  const intervalsOf = await exportIntervals(shop.id);
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
      controller.enqueue(
        encoder.encode(
          next.value
            .map((row) => csvLine(fields(row, intervalsOf?.(row.history) ?? null)))
            .join(""),
        ),
      );
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
  "Churn score (P no order within horizon)",
  "P(next order within 2 years)",
  "Expected next order",
  "Member since",
  "Churn score (10th percentile)",
  "Churn score (90th percentile)",
  "Predicted CLV (10th percentile)",
  "Predicted CLV (90th percentile)",
];

// The intervals are 80 % intervals from the purchase model's fit uncertainty; empty where the
// shop's churn scores come from Kaplan–Meier or the customer has no orders.
function fields(row: ExportRow, intervals: RowIntervals | null): (string | number | null)[] {
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
    row.churnScore,
    row.nextOrderProbability,
    row.nextOrderDate,
    row.since.slice(0, 10),
    intervals?.churnScore.p10 ?? null,
    intervals?.churnScore.p90 ?? null,
    intervals?.clvMinor ? money(Math.round(intervals.clvMinor.p10)) : null,
    intervals?.clvMinor ? money(Math.round(intervals.clvMinor.p90)) : null,
  ];
}
