import {
  BarChart,
  DonutChart,
  LineChart,
  PolarisVizProvider,
  type DataSeries,
} from "@shopify/polaris-viz";
import { BlockStack, Box, DataTable, SkeletonBodyText, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import { ClientOnly } from "./ClientOnly";

/**
 * Charts drawn with Shopify's own chart library in the browser, each beside a table of the
 * same numbers: the table is what a screen reader, a test and a merchant checking a figure read.
 */

// React 18 has no `inert` prop; an empty string renders the attribute.
const INERT = { inert: "" } as object;

type ChartKind = "bar" | "horizontal-bar" | "line" | "donut";

interface ChartCardProps {
  /** Names the chart region for assistive technology and tests. */
  title: string;
  kind: ChartKind;
  data: DataSeries[];
  /** The same numbers as a table: headings and rows of text. */
  table: { headings: string[]; rows: (string | number)[][] };
  height?: number;
  formatValue?: (value: number) => string;
  /** Shown above the chart. */
  caption?: ReactNode;
}

export function ChartWithTable({
  title,
  kind,
  data,
  table,
  height = 260,
  formatValue,
  caption,
}: ChartCardProps) {
  // Horizontal bars need room per bar, or polaris-viz overlaps the labels.
  const bars = Math.max(0, ...data.map((series) => series.data.length));
  const chartHeight = kind === "horizontal-bar" ? Math.max(height, bars * 34) : height;
  const labelFormatter = formatValue
    ? (value: string | number | null) =>
        typeof value === "number" ? formatValue(value) : String(value ?? "")
    : undefined;
  return (
    <BlockStack gap="300">
      {caption}
      <figure aria-label={title} style={{ margin: 0 }}>
        {/* Inert: polaris-viz's own markup fails axe (lists without items), and every number
            it draws is in the table below, which is what assistive technology should read. */}
        <div style={{ height: chartHeight }} {...INERT}>
          <ClientOnly fallback={<SkeletonBodyText lines={6} />}>
            {() => (
              <PolarisVizProvider>
                {kind === "line" ? (
                  <LineChart
                    data={data}
                    theme="Light"
                    isAnimated={false}
                    yAxisOptions={labelFormatter ? { labelFormatter } : undefined}
                  />
                ) : kind === "donut" ? (
                  <DonutChart
                    data={data}
                    theme="Light"
                    isAnimated={false}
                    legendPosition="right"
                    labelFormatter={labelFormatter}
                  />
                ) : (
                  <BarChart
                    data={data}
                    theme="Light"
                    isAnimated={false}
                    direction={kind === "horizontal-bar" ? "horizontal" : "vertical"}
                    xAxisOptions={
                      kind === "horizontal-bar" && labelFormatter ? { labelFormatter } : undefined
                    }
                    yAxisOptions={kind === "bar" && labelFormatter ? { labelFormatter } : undefined}
                  />
                )}
              </PolarisVizProvider>
            )}
          </ClientOnly>
        </div>
        <figcaption>
          <Text as="span" visuallyHidden>
            {title}: chart; the numbers are in the table below.
          </Text>
        </figcaption>
      </figure>
      <Box>
        <DataTable
          columnContentTypes={table.headings.map((_, i) => (i === 0 ? "text" : "numeric"))}
          headings={table.headings}
          rows={table.rows}
          increasedTableDensity
        />
      </Box>
    </BlockStack>
  );
}
