/** Command-line arguments of `npm run analyze`. */
import type { TimeUnit } from "../time";

export type InputFormat = "cdnow" | "shopify-csv" | "jsonl";

export interface AnalyzeArgs {
  input: string;
  format: InputFormat;
  asOf?: string;
  timeUnit: TimeUnit;
  json: boolean;
}

export const USAGE =
  "usage: npm run --silent analyze -- --input FILE --format cdnow|shopify-csv|jsonl " +
  "[--as-of YYYY-MM-DD] [--time-unit day|week] [--json]";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function parseArgs(argv: readonly string[]): AnalyzeArgs {
  let input: string | undefined;
  let format: string | undefined;
  let asOf: string | undefined;
  let timeUnit = "day";
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined || next.startsWith("--"))
        throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--input":
        input = value();
        break;
      case "--format":
        format = value();
        break;
      case "--as-of":
        asOf = value();
        break;
      case "--time-unit":
        timeUnit = value();
        break;
      case "--json":
        json = true;
        break;
      default:
        throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  if (input === undefined) throw new UsageError("--input is required");
  if (format === undefined) throw new UsageError("--format is required");
  if (format !== "cdnow" && format !== "shopify-csv" && format !== "jsonl") {
    throw new UsageError(`unknown format "${format}" (expected cdnow, shopify-csv or jsonl)`);
  }
  if (timeUnit !== "day" && timeUnit !== "week")
    throw new UsageError(`unknown time unit "${timeUnit}" (expected day or week)`);
  if (asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(asOf))
    throw new UsageError(`--as-of must be YYYY-MM-DD, got "${asOf}"`);
  return { input, format, asOf, timeUnit, json };
}
