/**
 * `npm run --silent analyze -- --input FILE --format cdnow|shopify-csv|jsonl [--as-of YYYY-MM-DD]
 *  [--time-unit day|week] [--json]`
 *
 * Reads an order file, runs the segmentation engine and prints a report (or one JSON document
 * with --json). With --as-of, later orders are held out: the models are fitted on the orders up
 * to the as-of date and BG/NBD's predictions are compared with what the held-out customers did
 * (FHL 2005, Fig. 4). The only module of the engine that touches the file system.
 */
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { segmentOrderTable } from "../engine";
import { SegmentationInputError } from "../errors";
import { churnBacktest } from "../churnBacktest";
import { compareHoldout, type HoldoutComparison } from "../holdout";
import { buildOrderTable } from "../orders";
import { RuleError } from "../rules";
import type { CustomerInput, OrderInput } from "../types";
import { parseArgs, USAGE, UsageError, type AnalyzeArgs } from "./args";
import { parseCdnow } from "./cdnow";
import { InputFormatError } from "./inputFormatError";
import { parseJsonl } from "./jsonl";
import { customerJson, intervalsOf, jsonHeader, textReport } from "./report";
import { parseShopifyOrdersCsv } from "./shopifyCsv";

export interface AnalyzeIo {
  readText(path: string): Promise<string>;
  write(chunk: string): Promise<void> | void;
  error(message: string): void;
  /** Progress messages; only called when progress should be shown. */
  progress?(message: string): void;
}

function parseInput(
  args: AnalyzeArgs,
  text: string,
): { orders: OrderInput[]; customers: CustomerInput[]; skipped: number } {
  switch (args.format) {
    case "cdnow":
      return { orders: parseCdnow(text), customers: [], skipped: 0 };
    case "jsonl":
      return { orders: parseJsonl(text), customers: [], skipped: 0 };
    case "shopify-csv": {
      const parsed = parseShopifyOrdersCsv(text);
      return {
        orders: parsed.orders,
        customers: parsed.customers,
        skipped: parsed.skippedWithoutEmail,
      };
    }
  }
}

/** Runs the command; returns the exit code (0 ok, 1 bad input, 2 bad usage). */
export async function analyze(argv: readonly string[], io: AnalyzeIo): Promise<number> {
  let args: AnalyzeArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.error(`error: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  try {
    io.progress?.(`reading ${args.input}…`);
    let text: string;
    try {
      text = await io.readText(args.input);
    } catch (e) {
      io.error(`error: cannot read ${args.input}: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    io.progress?.("parsing orders…");
    const { orders, customers, skipped } = parseInput(args, text);
    const table = buildOrderTable(orders, { customers });
    io.progress?.(`fitting models on ${table.customerIds.length} customers…`);
    const result = segmentOrderTable(table, {
      asOf: args.asOf,
      timeUnit: args.timeUnit,
      customers,
      fitAllPurchaseModels: true,
    });
    let ordersAfterAsOf = 0;
    for (let i = 0; i < table.day.length; i++) if (table.day[i] > result.asOfDay) ordersAfterAsOf++;
    let holdout: HoldoutComparison | undefined;
    const fit = result.models.bgnbd.fit;
    if (ordersAfterAsOf > 0 && fit !== undefined && result.models.bgnbd.gate.used) {
      holdout = compareHoldout(table, result.columns.summaries, fit.params, table.lastDay);
    }
    // Churn bands against the next 13 weeks (or what the file holds after the as-of date).
    const churnWindow = Math.min(91, table.lastDay - result.asOfDay);
    const churn = churnWindow > 0 ? churnBacktest(table, result, churnWindow) : undefined;
    const info = {
      churnBacktest: churn,
      input: args.input,
      format: args.format,
      orders: orders.length,
      ordersAfterAsOf,
      skipped,
      holdout,
    };
    io.progress?.("writing report…");
    if (args.json) {
      const header = JSON.stringify(jsonHeader(result, info));
      await io.write(`${header.slice(0, -1)},"customers":[`);
      io.progress?.("writing customers with their intervals…");
      const intervals = intervalsOf(result);
      const chunk: string[] = [];
      for (let i = 0; i < result.customerCount; i++) {
        chunk.push(JSON.stringify(customerJson(result, i, intervals(i))));
        if (chunk.length === 5000 || i === result.customerCount - 1) {
          await io.write((i + 1 > chunk.length ? "," : "") + chunk.join(","));
          chunk.length = 0;
        }
      }
      await io.write("]}\n");
    } else {
      await io.write(textReport(result, info));
    }
    return 0;
  } catch (e) {
    if (e instanceof InputFormatError) {
      io.error(`error: ${args.input}: ${e.message}`);
      return 1;
    }
    if (e instanceof SegmentationInputError || e instanceof RuleError) {
      io.error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

function writeToStdout(chunk: string): Promise<void> | void {
  if (process.stdout.write(chunk)) return;
  return new Promise((resolve) => process.stdout.once("drain", () => resolve()));
}

async function main(): Promise<void> {
  const started = Date.now();
  const code = await analyze(process.argv.slice(2), {
    readText: (path) => readFile(path, "utf8"),
    write: writeToStdout,
    error: (message) => process.stderr.write(`${message}\n`),
    progress: process.stderr.isTTY
      ? (message) =>
          process.stderr.write(
            `\r\x1b[K[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`,
          )
      : undefined,
  });
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  process.exitCode = code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((e: unknown) => {
    process.stderr.write(
      `internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exitCode = 70;
  });
}
