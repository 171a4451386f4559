import { Link } from "@remix-run/react";
import { Text } from "@shopify/polaris";
import type { RfmGrid } from "~/segmentation/rfm";
import { formatCount, formatShare, humanize } from "./format";

/**
 * The shop's RFM grid: R (recency score) down, FM (frequency and monetary, combined) across,
 * each cell naming its group and shaded by that group's share of customers. Cells of one group
 * share a shade because the snapshot records sizes per group, not per cell.
 */
export function RfmHeatMap({
  grid,
  customersByGroup,
  totalCustomers,
}: {
  grid: RfmGrid;
  customersByGroup: Record<string, number>;
  totalCustomers: number;
}) {
  const largest = Math.max(1, ...Object.values(customersByGroup));
  return (
    <div style={{ overflowX: "auto" }}>
      <table style={{ borderCollapse: "separate", borderSpacing: 4, width: "100%" }}>
        <caption style={{ textAlign: "start", paddingBlockEnd: 8 }}>
          <Text as="span" variant="bodySm" tone="subdued">
            RFM grid: recency score (rows) against the combined frequency and monetary score
            (columns); shading shows each group&apos;s share of customers.
          </Text>
        </caption>
        <thead>
          <tr>
            <th scope="col">
              <Text as="span" variant="bodySm">
                R \ FM
              </Text>
            </th>
            {[1, 2, 3, 4, 5].map((fm) => (
              <th scope="col" key={fm}>
                <Text as="span" variant="bodySm">
                  FM {fm}
                </Text>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {([5, 4, 3, 2, 1] as const).map((r) => (
            <tr key={r}>
              <th scope="row">
                <Text as="span" variant="bodySm">
                  R {r}
                </Text>
              </th>
              {grid[r].map((group, i) => {
                const customers = customersByGroup[group] ?? 0;
                const share = totalCustomers > 0 ? customers / totalCustomers : 0;
                return (
                  <td
                    key={i}
                    style={{
                      // Light enough at its darkest for body text to keep its contrast.
                      background: `rgba(0, 91, 211, ${0.06 + 0.3 * (customers / largest)})`,
                      borderRadius: 8,
                      padding: "8px 6px",
                      textAlign: "center",
                      verticalAlign: "middle",
                    }}
                  >
                    <Link
                      to={`/app/segments/${encodeURIComponent(`rfm:${group}`)}`}
                      style={{ color: "inherit", textDecoration: "none" }}
                    >
                      <Text as="span" visuallyHidden>
                        {`R ${r}, FM ${i + 1}: `}
                      </Text>
                      <Text as="span" variant="bodySm" fontWeight="semibold">
                        {humanize(group)}
                      </Text>
                      <br />
                      <Text as="span" variant="bodyXs">
                        {formatShare(share)}
                      </Text>
                      <Text as="span" visuallyHidden>
                        {` of customers (${formatCount(customers)})`}
                      </Text>
                    </Link>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
