/** Shared loaders for the CDNOW fixtures in test/fixtures/cdnow (the only data the tests read). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../../fixtures/cdnow/", import.meta.url));

export function readFixture(name: string): string {
  return readFileSync(dir + name, "utf8");
}

export interface SummaryRow {
  id: number;
  x: number;
  tx: number;
  T: number;
  zbar: number;
}

/** cdnow_customers_summary_with_transactions.csv: ID,x,t_x,T,zbar (weeks, dollars). */
export function cdnowSummary(): SummaryRow[] {
  return readFixture("cdnow_customers_summary_with_transactions.csv")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => {
      const [id, x, tx, T, zbar] = line.split(",").map(Number);
      return { id, x, tx, T, zbar };
    });
}
