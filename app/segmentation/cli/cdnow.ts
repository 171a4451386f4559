/**
 * Parser for Bruce Hardie's CDNOW transaction files. Two layouts exist:
 *  - CDNOW_master.txt: a header line, then `customer_id date(YYYYMMDD) quantity amount`;
 *  - CDNOW_sample.txt: no header, `master_id sample_id date quantity amount`.
 * The customer is the first column in both. Each row becomes one order in USD; amounts are
 * parsed from their decimal text straight into cents.
 */
import { parseDecimalToMinor } from "../money";
import type { OrderInput } from "../types";
import { InputFormatError } from "./inputFormatError";

export function parseCdnow(text: string): OrderInput[] {
  const orders: OrderInput[] = [];
  const lines = text.split(/\r?\n/);
  let columns: 4 | 5 | undefined;
  for (let lineNumber = 1; lineNumber <= lines.length; lineNumber++) {
    const line = lines[lineNumber - 1].trim();
    if (line === "") continue;
    const fields = line.split(/\s+/);
    if (columns === undefined) {
      if (fields.length === 4 && !/^\d/.test(fields[1])) {
        columns = 4; // header of CDNOW_master.txt
        continue;
      }
      if (fields.length !== 4 && fields.length !== 5) {
        throw new InputFormatError(
          lineNumber,
          `expected 4 or 5 whitespace-separated columns, found ${fields.length}`,
        );
      }
      columns = fields.length;
    }
    if (fields.length !== columns) {
      throw new InputFormatError(lineNumber, `expected ${columns} columns, found ${fields.length}`);
    }
    const [customerId, date, quantity, amount] =
      columns === 4 ? fields : [fields[0], fields[2], fields[3], fields[4]];
    const m = /^(\d{4})(\d{2})(\d{2})$/.exec(date);
    if (m === null) throw new InputFormatError(lineNumber, `date "${date}" is not YYYYMMDD`);
    if (!/^\d+$/.test(quantity))
      throw new InputFormatError(lineNumber, `quantity "${quantity}" is not a whole number`);
    let totalMinor: number;
    try {
      totalMinor = parseDecimalToMinor(amount);
    } catch {
      throw new InputFormatError(lineNumber, `amount "${amount}" is not a decimal number`);
    }
    if (totalMinor < 0) throw new InputFormatError(lineNumber, `amount "${amount}" is negative`);
    orders.push({
      customerId,
      orderId: `line-${lineNumber}`,
      processedAt: `${m[1]}-${m[2]}-${m[3]}`,
      currency: "USD",
      totalMinor,
      // CDNOW records transactions, not Shopify orders: one at $0 (a free CD) is still a
      // purchase, as in the published fits.
      ...(totalMinor === 0 ? { zeroValuePurchase: true } : {}),
    });
  }
  return orders;
}
