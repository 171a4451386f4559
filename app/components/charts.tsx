import {
  BarChart,
  DonutChart,
  LineChart,
  PolarisVizProvider,
  type DataSeries,
} from "@shopify/polaris-viz";
import { BlockStack, Box, DataTable, SkeletonBodyText, Text } from "@shopify/polaris";
import { memo, useDeferredValue, type ReactNode } from "react";
import { ClientOnly } from "./ClientOnly";

/**
 * Charts drawn with Shopify's own chart library in the browser, each beside a table of the
 * same numbers: the table is what a screen reader, a test and a merchant checking a figure read.
 */

// React 18 has no `inert` prop; an empty string renders the attribute.
const INERT = { inert: "" } as object;

/*
 * polaris-viz draws each group of a horizontal bar chart (one per key) under a label line of its
 * own, with a gap before the next group, and fits the bars into what remains of the chart's
 * height: when too little remains it warns in the console and clamps the bars to hairlines.
 * So the chart is as tall as its groups need, with readable bars, plus its axis and legend.
 * The label and gap are polaris-viz's (HORIZONTAL_GROUP_LABEL_HEIGHT, HORIZONTAL_SPACE_BETWEEN_
 * SETS, HORIZONTAL_SPACE_BETWEEN_SINGLE in @shopify/polaris-viz-core).
 */
const GROUP_LABEL_PX = 20;
const GROUP_GAP_PX = 16;
const BAR_GAP_PX = 2;
const BAR_PX = 16;
/** The x axis, the legend and the chart's margins. */
const AXIS_AND_LEGEND_PX = 100;

export function horizontalBarChartHeight(groups: number, series: number): number {
  const bars = Math.max(1, series);
  const group = GROUP_LABEL_PX + GROUP_GAP_PX + bars * BAR_PX + (bars - 1) * BAR_GAP_PX;
  return AXIS_AND_LEGEND_PX + Math.max(1, groups) * group;
}

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
  /** False keeps the chart's box empty: the overview draws only the family on show. */
  drawn?: boolean;
}

export function ChartWithTable({
  title,
  kind,
  data,
  table,
  height = 260,
  formatValue,
  caption,
  drawn = true,
}: ChartCardProps) {
  const chartHeight =
    kind === "horizontal-bar"
      ? horizontalBarChartHeight(
          Math.max(0, ...data.map((series) => series.data.length)),
          data.length,
        )
      : height;
  // Drawing a polaris-viz chart takes a few hundred milliseconds on a slow laptop: when the data
  // changes (the overview's family tabs), the chart is drawn again after the next paint, so the
  // interaction is answered first (INP, test/bench/vitals.bench.ts). Its box is sized from the
  // new data at once, and the table is not deferred, so nothing shifts when the drawing lands.
  const chart = useDeferredValue({ kind, data, formatValue });
  return (
    <BlockStack gap="300">
      {caption}
      <figure aria-label={title} style={{ margin: 0 }}>
        {/* Inert: polaris-viz's own markup fails axe (lists without items), and every number
            it draws is in the table below, which is what assistive technology should read. */}
        <div style={{ height: chartHeight }} {...INERT}>
          <ClientOnly fallback={<SkeletonBodyText lines={6} />}>
            {() => (drawn ? <VizChart {...chart} /> : null)}
          </ClientOnly>
        </div>
        <figcaption>
          <Text as="span" visuallyHidden>
            {title}: chart; the numbers are in the table below.
          </Text>
        </figcaption>
      </figure>
      <Box>
        <NumbersTable table={table} />
      </Box>
    </BlockStack>
  );
}

/** Memoized: the deferred drawing of the chart re-renders this component with the same table. */
const NumbersTable = memo(function NumbersTable({ table }: { table: ChartCardProps["table"] }) {
  return (
    <DataTable
      columnContentTypes={table.headings.map((_, i) => (i === 0 ? "text" : "numeric"))}
      headings={table.headings}
      rows={table.rows}
      increasedTableDensity
    />
  );
});

/** Memoized on the deferred props: an urgent render passes the previous ones, and skips it. */
const VizChart = memo(function VizChart({
  kind,
  data,
  formatValue,
}: {
  kind: ChartKind;
  data: DataSeries[];
  formatValue: ((value: number) => string) | undefined;
}) {
  const labelFormatter = formatValue
    ? (value: string | number | null) =>
        typeof value === "number" ? formatValue(value) : String(value ?? "")
    : undefined;
  return (
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
  );
});
