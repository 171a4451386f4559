import type { LoaderFunctionArgs } from "@remix-run/node";
import { csvLine } from "~/admin/csv.server";
import { groupLabel, loadRetention, retentionOptionsFrom } from "~/admin/retention.server";
import { requireShop } from "~/admin/shop-context.server";
import { minorToMajor } from "~/segmentation/money";

// GET /app/retention.csv — every cohort and month of the retention report, per group.
export async function loader({ request }: LoaderFunctionArgs) {
  const shop = await requireShop(request);
  const report = await loadRetention(shop, retentionOptionsFrom(new URL(request.url).searchParams));
  const lines = [
    csvLine([
      "Group",
      "Cohort (first-order month)",
      "Cohort customers",
      "Months since first order",
      "Customers ordering",
      "Share ordering",
      `Cumulative net revenue per customer (${shop.currencyCode})`,
    ]),
  ];
  const groups = report.all ? [report.all, ...report.groups] : [];
  for (const group of groups)
    for (const cohort of group.cohorts)
      cohort.retained.forEach((share, k) =>
        lines.push(
          csvLine([
            groupLabel(group.group),
            cohort.cohort,
            cohort.customers,
            k,
            Math.round(share * cohort.customers),
            Number(share.toFixed(6)),
            Number(minorToMajor(cohort.revenuePerCustomerMinor[k], shop.currencyCode).toFixed(2)),
          ]),
        ),
      );
  const name = shop.domain.replace(/\.myshopify\.com$/, "");
  return new Response(lines.join(""), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}-retention.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
