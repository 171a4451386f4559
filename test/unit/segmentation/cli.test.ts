import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyze } from "~/segmentation/cli/analyze";
import { parseArgs, UsageError } from "~/segmentation/cli/args";
import { parseCdnow } from "~/segmentation/cli/cdnow";
import { parseJsonl } from "~/segmentation/cli/jsonl";
import { parseShopifyOrdersCsv, shopifyTimestampToIso } from "~/segmentation/cli/shopifyCsv";
import { toDayNumber } from "~/segmentation/time";

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/cdnow/${name}`, import.meta.url));

/** Runs the CLI in-process; virtual files are served from `files`, the rest from disk. */
async function run(argv: string[], files: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await analyze(argv, {
    readText: async (path) => (path in files ? files[path] : readFile(path, "utf8")),
    write: (chunk) => {
      stdout += chunk;
    },
    error: (message) => {
      stderr += `${message}\n`;
    },
  });
  return { code, stdout, stderr };
}

describe("argument parsing", () => {
  it("accepts the documented flags", () => {
    expect(
      parseArgs([
        "--input",
        "f",
        "--format",
        "cdnow",
        "--as-of",
        "1997-09-30",
        "--time-unit",
        "week",
        "--json",
      ]),
    ).toEqual({
      input: "f",
      format: "cdnow",
      asOf: "1997-09-30",
      timeUnit: "week",
      json: true,
    });
    expect(parseArgs(["--input=f", "--format=jsonl"]).timeUnit).toBe("day");
  });
  it.each([
    [["--format", "cdnow"], /--input is required/],
    [["--input", "f", "--format", "xml"], /unknown format "xml"/],
    [["--input", "f", "--format", "cdnow", "--time-unit", "month"], /unknown time unit/],
    [["--input", "f", "--format", "cdnow", "--as-of", "30/09/1997"], /YYYY-MM-DD/],
    [["--input", "f", "--format", "cdnow", "--verbose"], /unknown argument/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe("CDNOW parser", () => {
  it("reads the 5-column sample without header", () => {
    const orders = parseCdnow(" 00004 0001 19970101  2   29.33\n 00004 0001 19970118  2   29.73\n");
    expect(orders).toHaveLength(2);
    expect(orders[0]).toMatchObject({
      customerId: "00004",
      processedAt: "1997-01-01",
      totalMinor: 2933,
      currency: "USD",
    });
  });
  it("reads the 4-column master file with header", () => {
    const orders = parseCdnow(
      " customer_id  date number_of_cds  dollar_value\n 00001 19970101  1   11.77\n",
    );
    expect(orders).toEqual([expect.objectContaining({ customerId: "00001", totalMinor: 1177 })]);
  });
  it("names the malformed line", () => {
    expect(() =>
      parseCdnow(" 00004 0001 19970101  2   29.33\n 00004 0001 1997-01-18  2   29.73\n"),
    ).toThrow(/line 2: date/);
    expect(() => parseCdnow(" 00004 0001 19970101  2   29.33\n 00004 0001 19970118  2\n")).toThrow(
      /line 2: expected 5 columns/,
    );
    expect(() => parseCdnow(" 00004 0001 19970101  2   abc\n")).toThrow(/line 1: amount/);
  });
});

describe("Shopify orders export parser", () => {
  const csv = [
    "Name,Email,Financial Status,Paid at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Refunded Amount,Cancelled at,Vendor,Id",
    "#1001,Ann@Example.com,paid,2024-03-05 14:22:10 -0500,yes,USD,40.00,5.00,3.20,48.20,SPRING,4.00,2024-03-05 14:20:00 -0500,1,Shoe,30.00,0.00,,Acme,5001",
    "#1001,,,,,,,,,,,,,1,Sock,10.00,,,Sox,",
    "#1002,bob@example.com,partially_refunded,,no,USD,20.00,0.00,0.00,20.00,,0.00,2024-03-06 09:00:00 +0100,2,Hat,10.00,5.00,,Acme,5002",
    "#1003,bob@example.com,voided,,no,USD,20.00,0.00,0.00,20.00,,0.00,2024-03-07 09:00:00 +0100,1,Hat,20.00,0.00,,Acme,5003",
    "#1004,,paid,,,USD,9.00,0.00,0.00,9.00,,0.00,2024-03-07 10:00:00 +0100,1,Pin,9.00,0.00,,Acme,5004",
  ].join("\n");

  it("groups line items under their order and maps the columns", () => {
    const parsed = parseShopifyOrdersCsv(csv);
    expect(parsed.orders).toHaveLength(3);
    expect(parsed.skippedWithoutEmail).toBe(1);
    const [first, second, third] = parsed.orders;
    expect(first).toMatchObject({
      customerId: "ann@example.com",
      orderId: "5001",
      // Subtotal: merchandise after discounts, without the 5.00 shipping and 3.20 taxes.
      totalMinor: 4000,
      discountMinor: 400,
      cancelled: false,
    });
    expect(first.lineItems).toHaveLength(2);
    expect(first.lineItems?.[1]).toMatchObject({
      unitPriceMinor: 1000,
      quantity: 1,
      vendor: "Sox",
    });
    expect(second.refundedMinor).toBe(500);
    expect(third.cancelled).toBe(true);
    expect(parsed.customers).toContainEqual({ id: "ann@example.com", emailMarketingConsent: true });
  });
  it("converts Shopify timestamps to ISO with their zone", () => {
    expect(shopifyTimestampToIso("2024-03-05 23:20:00 -0500")).toBe("2024-03-05T23:20:00-05:00");
    expect(toDayNumber(shopifyTimestampToIso("2024-03-05 23:20:00 -0500"))).toBe(
      toDayNumber("2024-03-06"),
    );
  });
  it("names the malformed line and missing columns", () => {
    expect(() => parseShopifyOrdersCsv(csv.replace("48.20", "4x.20"))).toThrow(
      /line 2: Total "4x.20"/,
    );
    expect(() => parseShopifyOrdersCsv("Name,Email\n#1,a@b.c")).toThrow(
      /missing column "Currency"/,
    );
  });
});

describe("JSONL parser", () => {
  it("reads orders and validates fields with line numbers", () => {
    const text =
      '{"customerId":"c1","orderId":"1","processedAt":"2024-01-01T10:00:00Z","currency":"USD","totalMinor":1000}\n\n' +
      '{"customerId":"c1","orderId":"2","processedAt":"2024-02-01","currency":"USD","totalMinor":500,"lineItems":[{"productType":"Hat","unitPriceMinor":500,"quantity":1}]}\n';
    expect(parseJsonl(text)).toHaveLength(2);
    expect(() =>
      parseJsonl(
        text +
          '{"customerId":"c1","orderId":"3","processedAt":"2024-03-01","currency":"USD","totalMinor":10.5}\n',
      ),
    ).toThrow(/line 4: totalMinor/);
    expect(() => parseJsonl("{nope}\n")).toThrow(/line 1: not valid JSON/);
  });
});

describe("analyze command", () => {
  it("prints the JSON document for CDNOW with holdout", async () => {
    const { code, stdout, stderr } = await run([
      "--input",
      fixture("CDNOW_sample.txt"),
      "--format",
      "cdnow",
      "--as-of",
      "1997-09-30",
      "--time-unit",
      "week",
      "--json",
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as {
      models: {
        bgnbd: Record<string, number | boolean>;
        gammaGamma: Record<string, number>;
        paretoNbd: Record<string, number>;
        mbgnbd: Record<string, number>;
        selected: string;
        selection: { basis: string; scores: { model: string; brier: number }[] };
        churn: {
          horizonDays: number;
          bandRatios: { high: number; medium: number };
          bandCalibration: { customers: number; bands: Record<string, { rate: number }> } | null;
        };
      };
      churnBacktest: {
        windowDays: number;
        after: { auc: number; bands: Record<string, { rate: number }> };
        before: { auc: number; bands: Record<string, { rate: number }> };
      };
      segments: { rfm: Record<string, number> };
      customers: Record<string, unknown>[];
      holdout: { totalActual: number; buckets: unknown[] };
    };
    expect(doc.models.bgnbd.r).toBeCloseTo(0.243, 3);
    expect(doc.models.bgnbd.alpha).toBeCloseTo(4.414, 3);
    expect(doc.models.bgnbd.a).toBeCloseTo(0.793, 3);
    expect(doc.models.bgnbd.b).toBeCloseTo(2.426, 3);
    expect(doc.models.bgnbd.logLikelihood).toBeCloseTo(-9582.4, 1);
    expect(doc.models.bgnbd.converged).toBe(true);
    // Pareto/NBD on the same calibration sample: Fader, Hardie & Lee's MATLAB note.
    expect(doc.models.paretoNbd.r.toFixed(2)).toBe("0.55");
    expect(doc.models.paretoNbd.alpha.toFixed(2)).toBe("10.58");
    expect(doc.models.paretoNbd.s.toFixed(2)).toBe("0.61");
    expect(doc.models.paretoNbd.beta.toFixed(2)).toBe("11.67");
    expect(doc.models.paretoNbd.logLikelihood.toFixed(2)).toBe("-9594.98");
    expect(Object.keys(doc.models.mbgnbd)).toEqual(
      expect.arrayContaining(["r", "alpha", "a", "b", "logLikelihood"]),
    );
    expect(["bgnbd", "mbgnbd", "paretoNbd"]).toContain(doc.models.selected);
    expect(doc.models.selection.basis).toBe("holdout");
    expect(doc.models.selection.scores).toHaveLength(3);
    expect(doc.models.churn.bandRatios).toEqual({ high: 0.3, medium: 0.7 });
    // The bands on the shop's own held-out time (before the as-of date), as on the trust page.
    const calibration = doc.models.churn.bandCalibration!;
    expect(calibration.customers).toBeGreaterThan(0);
    expect(calibration.bands.LOW.rate).toBeGreaterThan(calibration.bands.HIGH.rate);
    // The churn bands against the 13 weeks after the as-of date: monotone now, not before.
    const after = doc.churnBacktest.after.bands;
    expect(doc.churnBacktest.windowDays).toBe(91);
    expect(after.LOW.rate).toBeGreaterThan(after.MEDIUM.rate);
    expect(after.MEDIUM.rate).toBeGreaterThan(after.HIGH.rate);
    expect(doc.churnBacktest.after.auc).toBeGreaterThan(0.7);
    expect(doc.churnBacktest.before.auc).toBeLessThan(0.5);
    expect(doc.models.gammaGamma.p).toBeCloseTo(6.25, 2);
    expect(doc.models.gammaGamma.q).toBeCloseTo(3.74, 2);
    expect(doc.models.gammaGamma.v).toBeCloseTo(15.44, 2);
    expect(Object.values(doc.segments.rfm).reduce((a, b) => a + b, 0)).toBe(2357);
    expect(doc.customers).toHaveLength(2357);
    expect(doc.customers[0]).toMatchObject({
      id: "00004",
      frequency: 2,
      recency: 30.428571,
      T: 38.857143,
    });
    for (const key of [
      "monetaryValue",
      "rfm",
      "rfmGroup",
      "pAlive",
      "expectedPurchases",
      "churnScore",
      "nextOrderProbability",
      "expectedNextOrderDate",
      "clv",
      "propensity",
      "churnScoreInterval",
      "clvInterval",
    ]) {
      expect(doc.customers[0]).toHaveProperty(key);
    }
    // 80 % intervals from the fit's uncertainty bracket every customer's own score (a repeat
    // buyer's churn score and CLV both lie inside; the intervals are finite, never NaN).
    type Row = {
      churnScore: number;
      clv: number | null;
      churnScoreInterval: { p10: number; p90: number } | null;
      clvInterval: { p10: number; p90: number } | null;
    };
    const rows = doc.customers as unknown as Row[];
    let bracketed = 0;
    for (const row of rows) {
      const ci = row.churnScoreInterval!;
      expect(Number.isFinite(ci.p10) && Number.isFinite(ci.p90)).toBe(true);
      expect(ci.p10).toBeLessThanOrEqual(ci.p90);
      if (row.churnScore >= ci.p10 - 0.02 && row.churnScore <= ci.p90 + 0.02) bracketed++;
      if (row.clv !== null) expect(row.clvInterval!.p10).toBeLessThanOrEqual(row.clvInterval!.p90);
    }
    expect(bracketed / rows.length).toBeGreaterThan(0.95);
    const repeat = rows.find((r) => r.clv !== null && r.clv > 0)!;
    expect(repeat.clvInterval!.p10).toBeLessThan(repeat.clvInterval!.p90);
    expect(doc.holdout.totalActual).toBe(1882);
    expect(doc.holdout.buckets).toHaveLength(8);
  }, 60_000);

  it("prints a readable report without --json", async () => {
    const { code, stdout } = await run([
      "--input",
      fixture("CDNOW_sample.txt"),
      "--format",
      "cdnow",
      "--as-of",
      "1997-09-30",
      "--time-unit",
      "week",
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/BG\/NBD\s+r=0\.243 alpha=4\.414 a=0\.793 b=2\.426\s+LL=-9582\.4/);
    expect(stdout).toMatch(/RFM groups/);
    expect(stdout).toMatch(/Holdout/);
  });

  it("fails with a message and non-zero exit on bad input", async () => {
    const missing = await run(["--input", "/nonexistent/orders.txt", "--format", "cdnow"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read \/nonexistent\/orders.txt/);
    const format = await run(["--input", "x", "--format", "xml"]);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/unknown format/);
    const malformed = await run(["--input", "bad.txt", "--format", "cdnow"], {
      "bad.txt": " 1 1 19970101 1 1.00\n 1 1 19970102 x\n",
    });
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/bad\.txt: line 2/);
    const asOf = await run(["--input", "ok.txt", "--format", "cdnow", "--as-of", "1990-01-01"], {
      "ok.txt": " 1 1 19970101 1 1.00\n",
    });
    expect(asOf.code).toBe(1);
    expect(asOf.stderr).toMatch(/before the first purchase/);
  });
});
